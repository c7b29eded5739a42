package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/embedded"
	"github.com/provisioner-dev/provisioner/spec"
)

// TestUserPackageIsBuiltReproducibly: `handler: ./lambdas/hello` names the user's own main
// package beside the spec, in the user's module; two packagers give the same bytes.
func TestUserPackageIsBuiltReproducibly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("go.mod", "module example.com/userfns\n\ngo 1.26\n")
	write("lambdas/hello/main.go", "package main\n\nfunc main() { println(\"hello\") }\n")
	fn := &spec.LambdaFunction{Handler: "./lambdas/hello", Architecture: "x86_64"}

	sums := map[string]bool{}
	for range 2 {
		c := newLambdaCode(filepath.Join(dir, "spec.yaml"))
		c.outDir = t.TempDir()
		z, sum, err := c.Package(context.Background(), fn)
		require.NoError(t, err)
		r, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
		require.NoError(t, err)
		require.Len(t, r.File, 1)
		assert.Equal(t, "bootstrap", r.File[0].Name)
		sums[sum] = true
	}
	assert.Len(t, sums, 1, "both builds give the same CodeSha256")

	c := newLambdaCode(filepath.Join(dir, "spec.yaml"))
	_, _, err := c.Package(context.Background(), &spec.LambdaFunction{Handler: "./lambdas/missing", Architecture: "arm64"})
	assert.ErrorContains(t, err, "package handler ./lambdas/missing")
}

// TestHandlerOutsideTheSourceTree: with no source tree in sight a named handler comes from
// the binary; a binary built without `make build` says how to get one.
func TestHandlerOutsideTheSourceTree(t *testing.T) {
	t.Chdir(t.TempDir())
	c := newLambdaCode(filepath.Join(t.TempDir(), "spec.yaml"))
	z, _, err := c.Package(context.Background(), &spec.LambdaFunction{Handler: "receiver", Architecture: "arm64"})
	if want, ok := embedded.Zip("receiver", "arm64"); ok {
		require.NoError(t, err)
		assert.Equal(t, want, z)
		return
	}
	assert.ErrorContains(t, err, "this binary carries no embedded handler zips (build it with `make build`), and building handlers needs the provisioner source tree")
}

func TestHandlerCodeEnvIsChecked(t *testing.T) {
	t.Setenv(handlerCodeEnv, "both")
	c := newLambdaCode(filepath.Join("..", "..", "examples", "webhook.yaml"))
	_, _, err := c.Package(context.Background(), &spec.LambdaFunction{Handler: "receiver", Architecture: "arm64"})
	assert.ErrorContains(t, err, `PROVISIONER_HANDLER_CODE="both": want source or embedded (or unset)`)

	t.Setenv(handlerCodeEnv, "embedded")
	c = newLambdaCode(filepath.Join("..", "..", "examples", "webhook.yaml"))
	_, _, err = c.Package(context.Background(), &spec.LambdaFunction{Handler: "receiver", Architecture: "arm64"})
	if _, ok := embedded.Zip("receiver", "arm64"); !ok {
		assert.ErrorContains(t, err, "carries no embedded handler zips")
	} else {
		assert.NoError(t, err)
	}
}
