# provisioner — see README.md. `make demo` runs the main job on a local emulator; `make test`
# runs every test (unit and integration, against a private moto server per test package).
GO        ?= go
BIN       := bin/provisioner
RIE_MOD   := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIE_VER   := v0.0.0-20261030222936-bef5c4ba774d
GOBIN     := $(shell $(GO) env GOPATH)/bin
SPEC      ?= examples/webhook.yaml
SUFFIX    ?= demo

EMBED     := handlers/embedded/zips
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
IMAGE     ?= provisioner:$(VERSION)

.PHONY: all build embed dist image test tools demo dev test-localstack lint clean handlers bench bench-quick

all: build

# embed: the handlers' reproducible zips for both architectures, into the directory the binary
# embeds (handlers/embedded). `go run` uses a binary built without them; that is fine, it only
# builds.
embed:
	$(GO) run ./cmd/provisioner build --arch arm64 --out $(EMBED)
	$(GO) run ./cmd/provisioner build --arch x86_64 --out $(EMBED)

# build: the self-contained binary (handler zips embedded), static, for this machine.
build: embed
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/provisioner

# dist: the same for linux and darwin on amd64 and arm64, in dist/.
dist: embed
	for p in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64; do \
	  CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -trimpath -ldflags "$(LDFLAGS)" \
	    -o dist/provisioner-$${p%/*}-$${p#*/} ./cmd/provisioner || exit 1; done

# image: the container image (Dockerfile); needs a Docker engine.
image:
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) .

# tools: what the tests need beyond Go modules: moto in a project-local venv, and the Lambda
# Runtime Interface Emulator that runs the real handler binaries without Docker.
tools:
	bash localstack/emulator.sh venv >/dev/null
	test -x $(GOBIN)/aws-lambda-rie || $(GO) install $(RIE_MOD)@$(RIE_VER)

test: tools
	$(GO) test -count=1 -timeout 20m ./...

# bench: the end-to-end benchmark against moto with latency added to every call (README,
# Performance); BENCH_RUNS, BENCH_SCALE_RUNS, BENCH_LATENCY, BENCH_JITTER, BENCH_SIZES,
# BENCH_CROWD and BENCH_HANDLER_CODE (embedded, or source) tune it. bench-quick: one run of small
# sizes.
bench: tools build
	$(GO) run ./cmd/bench -bin $(BIN)

bench-quick: tools build
	$(GO) run ./cmd/bench -bin $(BIN) -quick

handlers: build
	$(BIN) build

demo: tools build
	bash localstack/demo.sh $(SPEC) $(SUFFIX)

# dev: the same against LocalStack 4.14.0: from docker compose where a Docker engine runs,
# else in host mode (localstack/localstack-host.sh, as root), which stays up for more commands:
#   localstack/localstack-host.sh exec bin/provisioner plan examples/webhook.yaml --suffix demo
dev: build
	@if docker info >/dev/null 2>&1; then \
		docker compose up -d --wait && \
		AWS_ENDPOINT_URL=http://localhost:4566 bash localstack/demo.sh $(SPEC) $(SUFFIX); \
	else \
		echo "no Docker engine: LocalStack in host mode"; \
		$(MAKE) tools && bash localstack/localstack-host.sh start >/dev/null && \
		bash localstack/localstack-host.sh exec bash localstack/demo.sh $(SPEC) $(SUFFIX); \
	fi

# test-localstack: the README's test command and the demo against LocalStack in host mode.
test-localstack: tools build
	bash localstack/localstack-host.sh start >/dev/null
	bash localstack/localstack-host.sh exec $(MAKE) test
	bash localstack/localstack-host.sh exec bash localstack/demo.sh $(SPEC) $(SUFFIX)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	-bash localstack/emulator.sh stop
	-bash localstack/localstack-host.sh stop
	rm -rf bin dist .emulator $(EMBED)/*.zip
