package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// cache keeps built zips between runs, so that plan and drift (which hash the code to compare
// it with the deployed function) do not relink three binaries every time. A zip is filed under
// a key naming everything its bytes depend on; PROVISIONER_BUILD_CACHE sets the folder, "off"
// turns it off.
type cache struct {
	path string // the cached zip, "" when caching is off or the key is unknown
}

var errNoCache = errors.New("no cached build")

func openCache(ctx context.Context, o Options, pkg string) cache {
	dir := cacheDir()
	if dir == "" {
		return cache{}
	}
	key, err := cacheKey(ctx, o, pkg)
	if err != nil {
		return cache{} // the build itself will report what is wrong
	}
	return cache{path: filepath.Join(dir, key+".zip")}
}

func cacheDir() string {
	switch v := os.Getenv("PROVISIONER_BUILD_CACHE"); v {
	case "off":
		return ""
	case "":
		d, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(d, "provisioner", "lambda-zips")
	default:
		return v
	}
}

// cacheKey hashes the go command's version, the target, the flags, and the compiled form of
// every package linked in. `go list -export` names each package's export data by the hash of
// its content in the Go build cache, so any change to any source file gives a new key.
func cacheKey(ctx context.Context, o Options, pkg string) (string, error) {
	version, err := goTool(ctx, o, "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOVERSION: %w", err)
	}
	deps, err := goCommand(ctx, o, "list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}} {{.Export}}{{end}}", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w", pkg, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "provisioner-lambda-zip v1\n%s%s\n%q\n%s\n", version, o.Arch, buildFlags, pkg)
	h.Write(deps)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// restore copies the cached zip to path and returns its hash and size, or errNoCache.
func (c cache) restore(path string) (string, int64, error) {
	if c.path == "" {
		return "", 0, errNoCache
	}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return "", 0, errNoCache
	}
	return writeBytes(b, path)
}

// store files the zip at path under the key; a failure only costs the next run a build.
func (c cache) store(path string) {
	if c.path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err == nil && os.MkdirAll(filepath.Dir(c.path), 0o755) == nil {
		_, _, _ = writeBytes(b, c.path)
	}
}
