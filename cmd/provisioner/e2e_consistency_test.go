package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provisioner-dev/provisioner/localstack/faults"
)

// TestApplyWhileFreshResourcesAreMissed applies the webhook stack while every resource just
// created is answered "not found" by its first two reads, as AWS's eventually consistent
// services do: the kinds wait for what they made to become visible, and one run converges.
func TestApplyWhileFreshResourcesAreMissed(t *testing.T) {
	c, sfx, spec := webhookCLI(t)

	tr := c.withFaults(faults.Options{NotFound: 2, Seed: 1})
	out := c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "Apply complete: 59 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged, 0 failed.")
	n := tr.Counts()
	t.Logf("with fresh resources missed: %s\n%s", n, tr.Report())
	assert.Positive(t, n.NotFound)

	c.withFaults(faults.Options{})
	c.must(0, "plan", spec, "--suffix", sfx, "--detailed-exitcode")
}
