package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
)

func TestLambdaCodeReadsZipRelativeToSpec(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fn.zip"), []byte("zip bytes"), 0o644))
	c := newLambdaCode(filepath.Join(dir, "spec.yaml"))
	zip, sum, err := c.Package(context.Background(), &spec.LambdaFunction{Zip: "fn.zip", Architecture: "arm64"})
	require.NoError(t, err)
	want := sha256.Sum256([]byte("zip bytes"))
	assert.Equal(t, "zip bytes", string(zip))
	assert.Equal(t, base64.StdEncoding.EncodeToString(want[:]), sum)

	_, _, err = c.Package(context.Background(), &spec.LambdaFunction{Zip: "missing.zip", Architecture: "arm64"})
	assert.ErrorContains(t, err, "package "+filepath.Join(dir, "missing.zip"))
}

func TestLambdaCodeBuildsHandlerOnceAndReproducibly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a handler with go build")
	}
	c := newLambdaCode(filepath.Join("..", "..", "examples", "webhook.yaml"))
	c.outDir = t.TempDir()
	fn := &spec.LambdaFunction{Handler: "receiver", Architecture: "arm64"}
	zip1, sum1, err := c.Package(context.Background(), fn)
	require.NoError(t, err)
	assert.NotEmpty(t, zip1)
	_, sum2, err := c.Package(context.Background(), fn)
	require.NoError(t, err)
	assert.Equal(t, sum1, sum2)

	fresh := newLambdaCode(filepath.Join("..", "..", "examples", "webhook.yaml"))
	fresh.outDir = t.TempDir()
	_, sum3, err := fresh.Package(context.Background(), fn)
	require.NoError(t, err)
	assert.Equal(t, sum1, sum3, "a second build of the same source has the same hash")
}

func TestSourceDirFindsTheModuleAboveSpecOrCwd(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	got, err := sourceDir(filepath.Join(root, "examples"))
	require.NoError(t, err)
	assert.Equal(t, root, got)

	got, err = sourceDir(t.TempDir()) // outside the module: falls back to the working directory
	require.NoError(t, err)
	assert.Equal(t, root, got)

	t.Chdir(t.TempDir())
	_, err = sourceDir(t.TempDir())
	assert.ErrorContains(t, err, "building handlers needs the provisioner source tree")
}
