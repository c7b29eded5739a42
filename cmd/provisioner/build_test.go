package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBuild runs the build command on its own, the way runCLI runs the whole CLI.
func runBuild(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := newBuildCmd()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	code := 0
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		code = exitCode(&errb, err)
	}
	return code, out.String(), errb.String()
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "amd64", "receiver"}, `build: architecture "amd64": want arm64 or x86_64`},
		{[]string{"sender"}, `build: unknown handler "sender": want receiver, processor, deadletter, authorizer, or the path of a main package`},
		{[]string{"--out"}, "flag needs an argument: --out"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runBuild(t, tt.args...)
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, tt.want)
			assert.NotContains(t, out, ".zip")
		})
	}
}

// TestBuildCommand builds two handlers and checks that each printed line tells the truth about
// the zip on disk.
func TestBuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	out := t.TempDir()
	code, stdout, stderr := runBuild(t, "receiver", "processor", "--arch", "arm64", "--out", out)
	require.Equal(t, 0, code, stderr)

	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 3, stdout)
	assert.Equal(t, []string{"ZIP", "BYTES", "SHA256"}, strings.Fields(lines[0]))
	for i, name := range []string{"receiver", "processor"} {
		f := strings.Fields(lines[i+1])
		require.Len(t, f, 3, lines[i+1])
		assert.Equal(t, filepath.Join(out, name+"-arm64.zip"), f[0])
		b, err := os.ReadFile(f[0])
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(len(b)), f[1])
		sum := sha256.Sum256(b)
		assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), f[2])
	}
}

// TestBuildRegistered checks that the root command offers build; it skips until root.go adds it.
func TestBuildRegistered(t *testing.T) {
	if c, _, err := newRootCmd().Find([]string{"build"}); err != nil || c.Name() != "build" {
		t.Skip("root.go does not register newBuildCmd yet")
	}
	code, out, _ := runCLI(t, "build", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "provisioner build [HANDLER...]")
	assert.Contains(t, out, "--arch")
}
