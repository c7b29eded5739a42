package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/spec"
)

// lambdaCode packages function code for the lambda.function kind. A handler from handlers/ is
// built reproducibly, so its hash is stable and unchanged code is never redeployed; a zip path
// is read as it is. Each package is made once per run.
type lambdaCode struct {
	specDir string // relative zip paths and go build start here
	outDir  string // where built zips go

	log *zap.Logger // says where each handler's code came from

	mu    sync.Mutex
	cache map[string]packaged
}

type packaged struct {
	zip []byte
	sum string
	err error
}

func newLambdaCode(specFile string) *lambdaCode {
	dir := filepath.Dir(specFile)
	return &lambdaCode{specDir: dir, outDir: filepath.Join(os.TempDir(), "provisioner-dist"), log: zap.NewNop(), cache: map[string]packaged{}}
}

// Package returns the deployment zip and its base64 SHA-256 (Lambda's CodeSha256 form).
func (c *lambdaCode) Package(ctx context.Context, fn *spec.LambdaFunction) ([]byte, string, error) {
	key := fn.Handler + "\x00" + fn.Zip + "\x00" + fn.Architecture
	c.mu.Lock()
	defer c.mu.Unlock() // builds are CPU-bound: one at a time is as fast as several
	p, ok := c.cache[key]
	if !ok {
		p = c.make(ctx, fn)
		c.cache[key] = p
	}
	return p.zip, p.sum, p.err
}

func (c *lambdaCode) make(ctx context.Context, fn *spec.LambdaFunction) packaged {
	zip, err := c.code(ctx, fn) // handlercode.go: a zip file, a built package or an embedded zip
	if err != nil {
		return packaged{err: err}
	}
	sum := sha256.Sum256(zip)
	return packaged{zip: zip, sum: base64.StdEncoding.EncodeToString(sum[:])}
}

// modulePath is the module whose handlers/ a spec's `handler:` names.
const modulePath = "github.com/provisioner-dev/provisioner"

// sourceDir finds the provisioner's source tree to build handlers in: above the spec file
// first, then above the working directory.
func sourceDir(specDir string) (string, error) {
	cwd, _ := os.Getwd()
	for _, start := range []string{specDir, cwd} {
		if dir, ok := moduleRoot(start); ok {
			return dir, nil
		}
	}
	return "", fmt.Errorf("building handlers needs the provisioner source tree (module %s) above the spec file or the working directory; run from the repository, or give the function a zip", modulePath)
}

func moduleRoot(start string) (string, bool) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", false
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			return dir, strings.HasPrefix(string(b), "module "+modulePath+"\n")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
