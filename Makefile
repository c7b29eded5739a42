# provisioner — see README.md. `make demo` runs the main job on a local emulator; `make test`
# runs every test (unit and integration, against a private moto server per test package).
GO        ?= go
BIN       := bin/provisioner
RIE_MOD   := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIE_VER   := v0.0.0-20261030222936-bef5c4ba774d
GOBIN     := $(shell $(GO) env GOPATH)/bin
SPEC      ?= examples/webhook.yaml
SUFFIX    ?= demo

.PHONY: all build test tools demo dev lint clean handlers

all: build

build:
	$(GO) build -o $(BIN) ./cmd/provisioner

# tools: what the tests need beyond Go modules: moto in a project-local venv, and the Lambda
# Runtime Interface Emulator that runs the real handler binaries without Docker.
tools:
	bash localstack/emulator.sh venv >/dev/null
	test -x $(GOBIN)/aws-lambda-rie || $(GO) install $(RIE_MOD)@$(RIE_VER)

test: tools
	$(GO) test -count=1 -timeout 20m ./...

handlers: build
	$(BIN) build

demo: tools build
	bash localstack/demo.sh $(SPEC) $(SUFFIX)

# dev: the same against LocalStack from docker compose (needs a Docker engine).
dev: build
	docker compose up -d --wait
	AWS_ENDPOINT_URL=http://localhost:4566 bash localstack/demo.sh $(SPEC) $(SUFFIX)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	-bash localstack/emulator.sh stop
	rm -rf bin dist .emulator
