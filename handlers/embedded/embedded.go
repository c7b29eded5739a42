// Package embedded carries the handlers' deployment zips inside the provisioner binary, so a
// released binary or container image deploys `handler: receiver` with no Go toolchain and no
// source tree. The zips are whatever `make build` put in zips/ before compiling: the
// byte-reproducible zips of handlers/build, so their hash is the one a source build gives with
// the same toolchain. A plain `go build` embeds only the placeholder README, and Zip finds nothing.
package embedded

import (
	"embed"
	"io/fs"
	"path"
	"strings"
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

// List names the embedded zips (<handler>-<arch>.zip), sorted; none in a plain `go build`.
func List() []string {
	var names []string
	entries, _ := fs.ReadDir(zips, Dir) // an embed.FS directory always reads
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".zip") {
			names = append(names, e.Name())
		}
	}
	return names
}
