// Package build compiles a webhook handler into a Lambda deployment package (a zip holding one
// executable named bootstrap, for the provided.al2023 runtime) whose bytes depend only on the
// source and the Go toolchain: two builds of the same source give the same zip, so the same
// CodeSha256, and the provisioner never updates a function whose code did not change.
//
// It imports nothing else of the provisioner; the CLI imports it.
package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
)

// Handlers are the handler names Build knows, in the order BuildAll builds them.
var Handlers = []string{"receiver", "processor", "deadletter", "authorizer"}

// handlersPkg is where the named handlers live. An import path rather than a relative one, so a
// build works from any directory inside the module.
const handlersPkg = "github.com/provisioner-dev/provisioner/handlers/"

// Options say what to build.
type Options struct {
	// Handler is receiver, processor or deadletter, or the path of a main package (anything
	// with a slash, e.g. ./cmd/other).
	Handler string
	// Arch is the Lambda architecture: arm64 (the default) or x86_64.
	Arch string
	// OutDir is where the zip goes; default dist.
	OutDir string
	// Dir is the directory go build runs in; default the current one. It must be inside the
	// module that holds the handler.
	Dir string
}

// Artifact is one built deployment package.
type Artifact struct {
	Handler string
	Arch    string
	ZipPath string // OutDir/<handler>-<arch>.zip
	SHA256  string // base64 (standard) SHA-256 of the zip, the form of Lambda's CodeSha256
	Size    int64  // bytes of the zip
}

// goArch maps Lambda's architecture names to GOARCH.
var goArch = map[string]string{"arm64": "arm64", "x86_64": "amd64"}

// Build compiles o.Handler for Linux on o.Arch and packages it as OutDir/<handler>-<arch>.zip.
// The zip is written under a temporary name and renamed, so a failed build leaves any previous
// zip in place.
func Build(ctx context.Context, o Options) (Artifact, error) {
	o, pkg, name, err := resolve(o)
	if err != nil {
		return Artifact{}, err
	}
	a := Artifact{Handler: name, Arch: o.Arch, ZipPath: filepath.Join(o.OutDir, name+"-"+o.Arch+".zip")}
	c := openCache(ctx, o, pkg)
	if a.SHA256, a.Size, err = c.restore(a.ZipPath); err == nil {
		return a, nil
	}
	if a.SHA256, a.Size, err = buildZip(ctx, o, pkg, a.ZipPath); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	c.store(a.ZipPath)
	return a, nil
}

// buildZip compiles pkg and packages it at path.
func buildZip(ctx context.Context, o Options, pkg, path string) (sum string, size int64, err error) {
	tmp, err := os.MkdirTemp("", "provisioner-build-")
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(tmp)
	bootstrap := filepath.Join(tmp, "bootstrap")
	if err := compile(ctx, o, pkg, bootstrap); err != nil {
		return "", 0, err
	}
	return writeZip(bootstrap, path)
}

// BuildAll builds every handler in Handlers with o (o.Handler is ignored). It goes on after a
// failure and returns the artifacts it built and every error.
func BuildAll(ctx context.Context, o Options) ([]Artifact, error) {
	var arts []Artifact
	var errs []error
	for _, h := range Handlers {
		o.Handler = h
		a, err := Build(ctx, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		arts = append(arts, a)
	}
	return arts, errors.Join(errs...)
}

// resolve applies defaults and returns the package to build and the artifact's name.
func resolve(o Options) (_ Options, pkg, name string, err error) {
	if o.Arch == "" {
		o.Arch = "arm64"
	}
	if _, ok := goArch[o.Arch]; !ok {
		return o, "", "", fmt.Errorf("build: architecture %q: want arm64 or x86_64", o.Arch)
	}
	if o.OutDir == "" {
		o.OutDir = "dist"
	}
	switch {
	case slices.Contains(Handlers, o.Handler):
		return o, handlersPkg + o.Handler, o.Handler, nil
	case strings.ContainsRune(o.Handler, '/'):
		return o, o.Handler, filepath.Base(filepath.Clean(o.Handler)), nil
	default:
		return o, "", "", fmt.Errorf("build: unknown handler %q: want %s, or the path of a main package", o.Handler, strings.Join(Handlers, ", "))
	}
}

// compile runs go build with everything that could vary between machines pinned: no cgo, no
// file paths (-trimpath), no VCS stamp, no build id, default CPU feature levels, and no
// GOFLAGS or GOEXPERIMENT from the caller's environment. lambda.norpc drops aws-lambda-go's
// RPC mode, which provided.al2023 never uses.
func compile(ctx context.Context, o Options, pkg, out string) error {
	compiles.Add(1)
	cmd := goCommand(ctx, o, "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, strings.TrimSpace(string(b)))
	}
	return nil
}

// buildFlags are the flags of every go command that builds or describes a handler.
var buildFlags = []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid="}

// compiles counts go builds, so tests can tell a cache hit from a build.
var compiles atomic.Int64

// goCommand is `go <verb> <buildFlags> <args>` in o.Dir, for Linux on o.Arch.
func goCommand(ctx context.Context, o Options, verb string, args ...string) *exec.Cmd {
	return goTool(ctx, o, append(append([]string{verb}, buildFlags...), args...)...)
}

// goTool is `go <args>` in o.Dir with the pinned environment of a handler build.
func goTool(ctx context.Context, o Options, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(),
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goArch[o.Arch],
		"GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=", "GOEXPERIMENT=")
	return cmd
}
