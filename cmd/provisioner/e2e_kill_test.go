package main

import (
	"github.com/provisioner-dev/provisioner/localstack/emutest"

	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildBinary builds the provisioner into a temporary directory, once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "provisioner")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// killed runs the binary and sends it SIGKILL after d, as a crash or an OOM kill would; it
// returns whether the run ended on its own first.
func killed(t *testing.T, bin string, d time.Duration, args ...string) (finished bool) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Logf("%s finished before %s: %v", args[0], d, err)
		return true
	case <-time.After(d):
	}
	require.NoError(t, cmd.Process.Kill())
	err := <-done
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	return false
}

// TestKilledApplyAndDestroyConverge kills apply and destroy of the webhook stack with SIGKILL
// at a spread of moments; after `unlock --yes` (the killed run's lock outlives it) a rerun
// converges: one of each after apply, nothing after destroy, no copies and no orphans.
func TestKilledApplyAndDestroyConverge(t *testing.T) {
	emutest.SkipOnLocalStack(t, "NOT a known divergence: the rerun after a killed apply fails on LocalStack 4.14.0 and is not yet diagnosed (issue 10 stays open)")
	c, sfx, spec := webhookCLI(t)
	bin := buildBinary(t)
	unlock := func() { c.must(0, "unlock", "--suffix", sfx, "--stack", "webhook", "--yes") }
	// Moments spread over a run on moto: apply takes 6 to 8 s here, destroy 3 to 4 s (the
	// first second or so of each is discovery).
	applyAt := []time.Duration{time.Second, 2500 * time.Millisecond, 4 * time.Second, 6 * time.Second}
	destroyAt := []time.Duration{1500 * time.Millisecond, 2 * time.Second, 2500 * time.Millisecond, 3 * time.Second}
	for i, d := range applyAt {
		t.Run(fmt.Sprintf("apply at %s, destroy at %s", d, destroyAt[i]), func(t *testing.T) {
			applyDone := killed(t, bin, d, "apply", spec, "--suffix", sfx, "--no-color")
			partial := c.listed(sfx)
			unlock()
			c.must(0, "apply", spec, "--suffix", sfx)
			seen := c.listed(sfx)
			t.Logf("kill %d, apply at %s: %d addresses before the rerun (finished: %v), %d after", i, d, len(partial), applyDone, len(seen))
			assert.Len(t, seen, webhookResources)
			for addr, n := range seen {
				assert.Equal(t, 1, n, "copies of %s", addr)
			}
			got := tagged(t, sfx)
			assert.Equal(t, kindsOf(seen, got), got, "by tags, straight from the APIs")
			c.must(0, "plan", spec, "--suffix", sfx, "--detailed-exitcode")

			d := destroyAt[i]
			destroyDone := killed(t, bin, d, "destroy", "--suffix", sfx, "--yes", "--no-color")
			left := c.listed(sfx)
			unlock()
			c.must(0, "destroy", "--suffix", sfx, "--yes")
			t.Logf("kill %d, destroy at %s: %d addresses left by the killed run (finished: %v)", i, d, len(left), destroyDone)
			assert.Empty(t, c.listed(sfx))
			for kind, n := range tagged(t, sfx) {
				assert.Zero(t, n, "%s left behind", kind)
			}
			assert.Empty(t, lockParams(t, sfx), "no lock left")
		})
	}
}
