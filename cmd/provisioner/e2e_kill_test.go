package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile/kinds"
	"github.com/provisioner-dev/provisioner/state"
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
	// The run may end on its own in the instant before the kill lands: then it finished.
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		require.NoError(t, err)
	}
	err := <-done
	if err == nil {
		t.Logf("%s finished as %s passed", args[0], d)
		return true
	}
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v", err)
	return false
}

// TestKilledApplyAndDestroyConverge kills apply and destroy of the webhook stack with SIGKILL
// at a spread of moments; after `unlock --yes` (the killed run's lock outlives it) a rerun
// converges: one of each after apply, nothing after destroy, no copies and no orphans.
func TestKilledApplyAndDestroyConverge(t *testing.T) {
	c, sfx, spec := webhookCLI(t)
	bin := buildBinary(t)
	unlock := func() { c.must(0, "unlock", "--suffix", sfx, "--stack", "webhook", "--yes") }
	// Moments spread over a run on moto: apply takes 6 to 8 s here, destroy 3 to 4 s (the
	// first second or so of each is discovery).
	applyAt := []time.Duration{time.Second, 2500 * time.Millisecond, 4 * time.Second, 6 * time.Second}
	destroyAt := []time.Duration{1500 * time.Millisecond, 2 * time.Second, 2500 * time.Millisecond, 3 * time.Second}
	if emutest.Flavor() == localstack.LocalStack {
		// On LocalStack discovery alone outlasts the first 2.5 s (the run has made nothing yet),
		// so the two early kills test only what the later ones do, at a minute each of CI's
		// budget: the later two are kept.
		applyAt, destroyAt = applyAt[2:], destroyAt[2:]
	}
	for i, d := range applyAt {
		t.Run(fmt.Sprintf("apply at %s, destroy at %s", d, destroyAt[i]), func(t *testing.T) {
			applyDone := killed(t, bin, d, "apply", spec, "--suffix", sfx, "--no-color")
			partial := c.listed(sfx)
			unlock()
			skipOnUntaggedAlarms(t, c, sfx, d)
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

// skipOnUntaggedAlarms skips the rest of one kill on LocalStack when the kill left an alarm of
// sfx without tags, after deleting it and destroying what the killed run made. LocalStack
// 4.14.0 stores none of PutMetricAlarm's Tags, so the tool tags a new alarm with TagResource
// right after the put (an interrupted run still finishes that); a SIGKILL between the two
// leaves the alarm untagged, which the rerun rightly refuses as not ours and destroy cannot
// find. On AWS the put itself tags a new alarm, and on other endpoints an untagged alarm here
// is left for the rerun to fail on.
func skipOnUntaggedAlarms(t *testing.T, c *cli, sfx string, at time.Duration) {
	t.Helper()
	if emutest.Flavor() != localstack.LocalStack {
		return
	}
	cw := kinds.NewCloudWatchClient(emutest.Config(t))
	var names []string
	for _, id := range []string{"receiver-errors", "processor-errors", "deadletter-errors", "authorizer-errors", "dead-letters-visible"} {
		names = append(names, "webhook-"+id+"-"+sfx)
	}
	out, err := cw.DescribeAlarms(ctxT(), &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	require.NoError(t, err)
	var untagged []string
	for _, a := range out.MetricAlarms {
		tags, err := cw.ListTagsForResource(ctxT(), &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
		require.NoError(t, err)
		if !hasTag(tags, state.TagSuffix) {
			untagged = append(untagged, aws.ToString(a.AlarmName))
		}
	}
	if len(untagged) == 0 {
		return
	}
	_, err = cw.DeleteAlarms(ctxT(), &cloudwatch.DeleteAlarmsInput{AlarmNames: untagged})
	require.NoError(t, err)
	c.must(0, "destroy", "--suffix", sfx, "--yes")
	t.Skipf("LocalStack 4.14.0 stores none of PutMetricAlarm's Tags, and the SIGKILL at %s fell between an alarm's put and its TagResource: %v had no ownership tags (AWS tags a new alarm in the put)", at, untagged)
}

func hasTag(out *cloudwatch.ListTagsForResourceOutput, key string) bool {
	for _, tag := range out.Tags {
		if aws.ToString(tag.Key) == key {
			return true
		}
	}
	return false
}
