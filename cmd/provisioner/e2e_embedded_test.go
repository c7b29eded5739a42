package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers"
	"github.com/provisioner-dev/provisioner/handlers/build"
	"github.com/provisioner-dev/provisioner/handlers/embedded"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// TestEmbeddedBinaryDeploysWebhookAnywhere builds the provisioner as `make build` does (the
// handlers' zips for both architectures embedded), then runs it where a user of a release
// would: in an empty directory outside the source tree, with no Go toolchain on PATH and no
// GOPATH, module cache or Go build cache to be found. It applies the webhook stack to the
// emulator, says the code was the embedded one, checks drift and destroys.
func TestEmbeddedBinaryDeploysWebhookAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the handlers and the provisioner")
	}
	emutest.Require(t)
	bin := buildEmbeddedBinary(t)

	work := t.TempDir()
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "webhook.yaml"))
	require.NoError(t, err)
	spec := filepath.Join(work, "webhook.yaml")
	require.NoError(t, os.WriteFile(spec, example, 0o644))

	sfx := emutest.Suffix(t)
	run := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, append([]string{"--log-format", "json"}, args...)...)
		cmd.Dir = work
		home := t.TempDir()
		cmd.Env = []string{ // nothing of the developer's environment: no PATH to go, no GOPATH
			"PATH=" + t.TempDir(), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
			"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
			"AWS_ENDPOINT_URL=" + emutest.Endpoint(),
		}
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return code, out.String(), errOut.String()
	}
	t.Cleanup(func() { run("destroy", "--suffix", sfx, "--yes") })

	code, out, errOut := run("apply", spec, "--suffix", sfx)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "Apply complete: 59 created")
	assert.Equal(t, []string{"deadletter", "processor", "receiver"}, embeddedCodeLines(t, errOut),
		"each handler's code came from the binary, and the log says so")

	code, out, errOut = run("drift", spec, "--suffix", sfx)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	code, out, errOut = run("destroy", "--suffix", sfx, "--yes")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "59 deleted")
}

// embeddedCodeLines returns the handlers whose "lambda code" log line says embedded.
func embeddedCodeLines(t *testing.T, stderr string) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, line := range strings.Split(stderr, "\n") {
		var entry struct{ Msg, Handler, Code string }
		if json.Unmarshal([]byte(line), &entry) != nil || entry.Msg != "lambda code" {
			continue
		}
		require.Equal(t, "embedded in this binary", entry.Code, line)
		seen[entry.Handler] = true
	}
	var names []string
	for _, h := range []string{"deadletter", "processor", "receiver"} {
		if seen[h] {
			names = append(names, h)
		}
	}
	return names
}

// buildEmbeddedBinary builds every handler for both architectures and the provisioner with
// those zips in handlers/embedded/zips, through a go build overlay so the source tree is not
// touched.
func buildEmbeddedBinary(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	zips := t.TempDir()
	overlay := map[string]string{}
	for _, arch := range []string{"arm64", "x86_64"} {
		arts, err := build.BuildAll(context.Background(), build.Options{Arch: arch, OutDir: zips, Dir: root})
		require.NoError(t, err)
		require.Len(t, arts, len(handlers.Names))
		for _, a := range arts {
			overlay[filepath.Join(root, "handlers", "embedded", embedded.Dir, filepath.Base(a.ZipPath))] = a.ZipPath
		}
	}
	b, err := json.Marshal(map[string]any{"Replace": overlay})
	require.NoError(t, err)
	ovl := filepath.Join(t.TempDir(), "overlay.json")
	require.NoError(t, os.WriteFile(ovl, b, 0o644))

	bin := filepath.Join(t.TempDir(), "provisioner")
	cmd := exec.Command("go", "build", "-overlay", ovl, "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}
