package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/build"
	"github.com/provisioner-dev/provisioner/handlers/embedded"
	"github.com/provisioner-dev/provisioner/spec"
)

// Where a lambda.function's code comes from:
//
//   - zip: fn.zip — that file, relative to the spec;
//   - handler: ./lambdas/fn — the user's Go main package, relative to the spec, built the same
//     reproducible way as the provisioner's own (needs the Go toolchain and a go.mod above it);
//   - handler: receiver — one of the provisioner's handlers. Inside the provisioner's source tree
//     (found above the spec or the working directory) with Go on PATH it is built from source, so
//     a developer's edit is what deploys; anywhere else the zip embedded in the binary by
//     `make build` is used. PROVISIONER_HANDLER_CODE=source or embedded forces one of the two.
//
// Every run logs which one it used, once per handler and architecture.
const handlerCodeEnv = "PROVISIONER_HANDLER_CODE"

// withLog makes the packager report where each handler's code came from.
func (c *lambdaCode) withLog(log *zap.Logger) *lambdaCode {
	if log != nil {
		c.log = log
	}
	return c
}

// code returns fn's deployment zip.
func (c *lambdaCode) code(ctx context.Context, fn *spec.LambdaFunction) ([]byte, error) {
	switch {
	case fn.Handler == "":
		return c.readZip(fn.Zip)
	case spec.IsPackageDir(fn.Handler):
		return c.buildPackage(ctx, fn)
	default:
		return c.handler(ctx, fn)
	}
}

func (c *lambdaCode) readZip(path string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.specDir, path)
	}
	zip, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", path, err)
	}
	return zip, nil
}

// buildPackage builds the user's main package at fn.Handler, relative to the spec.
func (c *lambdaCode) buildPackage(ctx context.Context, fn *spec.LambdaFunction) ([]byte, error) {
	dir, err := filepath.Abs(filepath.Join(c.specDir, fn.Handler))
	if err != nil {
		return nil, fmt.Errorf("package handler %s: %w", fn.Handler, err)
	}
	// An absolute directory is a package path go build takes; it runs inside the user's module.
	a, err := build.Build(ctx, build.Options{Handler: dir, Arch: fn.Architecture, OutDir: c.outDir, Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("package handler %s: %w", fn.Handler, err)
	}
	c.log.Info("lambda code", zap.String("handler", fn.Handler), zap.String("arch", a.Arch), zap.String("code", "built from "+dir))
	return c.readZip(a.ZipPath)
}

// handler packages one of the provisioner's own handlers, from source or from the binary.
func (c *lambdaCode) handler(ctx context.Context, fn *spec.LambdaFunction) ([]byte, error) {
	arch := fn.Architecture
	if arch == "" {
		arch = "arm64" // the spec language's default
	}
	mode := os.Getenv(handlerCodeEnv)
	if mode != "" && mode != "source" && mode != "embedded" {
		return nil, fmt.Errorf("package handler %s: %s=%q: want source or embedded (or unset)", fn.Handler, handlerCodeEnv, mode)
	}
	var srcErr error
	if mode != "embedded" {
		src, err := buildableSource(c.specDir)
		if err == nil {
			a, err := build.Build(ctx, build.Options{Handler: fn.Handler, Arch: arch, OutDir: c.outDir, Dir: src})
			if err != nil {
				return nil, fmt.Errorf("package handler %s: %w", fn.Handler, err)
			}
			c.log.Info("lambda code", zap.String("handler", fn.Handler), zap.String("arch", arch), zap.String("code", "built from source in "+src))
			return c.readZip(a.ZipPath)
		}
		if mode == "source" {
			return nil, fmt.Errorf("package handler %s: %w", fn.Handler, err)
		}
		srcErr = err
	}
	if zip, ok := embedded.Zip(fn.Handler, arch); ok {
		c.log.Info("lambda code", zap.String("handler", fn.Handler), zap.String("arch", arch), zap.String("code", "embedded in this binary"))
		return zip, nil
	}
	if srcErr == nil {
		srcErr = fmt.Errorf("%s=embedded", handlerCodeEnv)
	}
	return nil, fmt.Errorf("package handler %s (%s): this binary carries no embedded handler zips (build it with `make build`), and %w", fn.Handler, arch, srcErr)
}

// buildableSource is the provisioner's source tree when there is one and a Go toolchain to
// build it with.
func buildableSource(specDir string) (string, error) {
	src, err := sourceDir(specDir)
	if err != nil {
		return "", err
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("building handlers from %s needs the Go toolchain: %w", src, err)
	}
	return src, nil
}
