// Package embedded carries the handlers' deployment zips inside the provisioner binary, so a
// released binary or container image deploys `handler: receiver` with no Go toolchain and no
// source tree. The zips are whatever `make build` put in zips/ before compiling: the
// byte-reproducible zips of handlers/build, so their hash is the one a source build gives with
// the same toolchain. A plain `go build` embeds only the placeholder README, and Zip finds nothing.
package embedded

import (
	"embed"
	"path"
)

//go:embed zips
var zips embed.FS

// Dir is the directory (relative to this package) that the build fills.
const Dir = "zips"

// FileName is the name of handler's zip for arch, as handlers/build writes it.
func FileName(handler, arch string) string { return handler + "-" + arch + ".zip" }

// Zip returns the embedded deployment zip of handler for arch, and whether the binary has one.
func Zip(handler, arch string) ([]byte, bool) {
	b, err := zips.ReadFile(path.Join(Dir, FileName(handler, arch)))
	return b, err == nil
}
