# The provisioner as a container image: a static binary with the handlers' zips embedded, on
# distroless static (CA certificates, tzdata, a nonroot user; no shell), running as nonroot.
#   make image                      # docker build -t provisioner:<version> .
#   docker run --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN \
#     provisioner:<version> drift /etc/provisioner/examples/webhook.yaml --suffix prod -o json
#
# GO_VERSION is the toolchain the handlers' reproducible zips are built with (go.mod asks for
# go 1.26; a test holds the two to the same minor version). Same toolchain, same zip bytes as a
# source build, so switching between image and source never redeploys unchanged code.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# make build: the six handler zips (three handlers, arm64 and x86_64) into handlers/embedded,
# then a static (CGO_ENABLED=0) binary that embeds them.
RUN make build VERSION=${VERSION}

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/provisioner /usr/local/bin/provisioner
COPY --from=build /src/examples /etc/provisioner/examples
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/provisioner"]
CMD ["--help"]
