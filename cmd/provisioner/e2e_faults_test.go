package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/localstack/faults"
)

// withFaults sends every AWS call of the CLI through a fault harness from now on.
func (c *cli) withFaults(o faults.Options) *faults.Transport {
	tr := faults.New(nil, o)
	configHook = func(cfg *aws.Config) { c.rec.Attach(cfg); tr.Install(cfg) }
	return tr
}

// TestApplyUnderThrottling applies the webhook stack with a fifth of all calls throttled in
// each service's own error form: the SDK's retries carry it through in one run, and a
// fault-free plan afterwards finds nothing to do.
func TestApplyUnderThrottling(t *testing.T) {
	c, sfx, spec := webhookCLI(t)

	tr := c.withFaults(faults.Options{Throttle: 0.2, Seed: 1})
	out := c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "Apply complete: 59 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged, 0 failed.")
	n := tr.Counts()
	t.Logf("under throttling: %s", n)
	assert.Positive(t, n.Throttled)

	c.withFaults(faults.Options{})
	c.must(0, "plan", spec, "--suffix", sfx, "--detailed-exitcode")
}

// TestFaultsFromEnvironment runs the real command with PROVISIONER_FAULTS.
func TestFaultsFromEnvironment(t *testing.T) {
	newCLI(t)
	sfx := emutest.Suffix(t)
	t.Setenv("PROVISIONER_FAULTS", "throttle=0.3,seed=2")
	code, _, errOut := runCLI(t, "--log-format", "json", "list", "--suffix", sfx)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, `"msg":"injecting AWS faults (test only)"`)
	assert.Regexp(t, `"summary":"\d+ calls: [1-9]\d* throttled`, errOut)

	t.Setenv("PROVISIONER_FAULTS", "throttle=2")
	code, _, errOut = runCLI(t, "list", "--suffix", sfx)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `PROVISIONER_FAULTS: faults "throttle=2": a rate is from 0 to 1, found 2`)
}
