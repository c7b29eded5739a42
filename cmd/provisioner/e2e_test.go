package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

// cli runs the CLI against the package's emulator with test credentials.
type cli struct {
	t    *testing.T
	rec  *emutest.Recorder
	spec string
}

func newCLI(t *testing.T) *cli {
	emutest.Require(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	if emutest.Endpoint() != "" {
		t.Setenv("AWS_ENDPOINT_URL", emutest.Endpoint())
	}
	c := &cli{t: t, rec: &emutest.Recorder{}}
	configHook = func(cfg *aws.Config) { c.rec.Attach(cfg) }
	t.Cleanup(func() { configHook = nil })
	return c
}

func (c *cli) run(args ...string) (int, string, string) {
	c.t.Helper()
	return runCLI(c.t, append([]string{"--log-format", "json", "--log-level", "warn"}, args...)...)
}

// must runs a command and requires the exit code.
func (c *cli) must(code int, args ...string) string {
	c.t.Helper()
	got, out, errOut := c.run(args...)
	require.Equal(c.t, code, got, "provisioner %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out, errOut)
	return out
}

// writeSpec copies an example with edits (old → new pairs) to a temp file.
func (c *cli) writeSpec(example string, edits ...string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", example))
	require.NoError(c.t, err)
	s := string(b)
	for i := 0; i+1 < len(edits); i += 2 {
		require.Contains(c.t, s, edits[i], "edit target")
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	if c.spec == "" {
		c.spec = filepath.Join(c.t.TempDir(), "spec.yaml")
	}
	require.NoError(c.t, os.WriteFile(c.spec, []byte(s), 0o644))
	return c.spec
}

// mutations returns the mutating AWS calls recorded since the last reset.
func (c *cli) mutations() []string {
	return c.rec.Mutating()
}

func ctxT() context.Context { return context.Background() }
