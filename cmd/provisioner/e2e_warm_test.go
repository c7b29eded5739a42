package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

const warmSpec = `stack: warmtest
resources:
  events:
    kind: dynamodb.table
    hash_key: {name: event_id, type: S}
    warm_throughput: {read_units_per_second: 12000, write_units_per_second: WRITES}
`

// Warm throughput end to end: a raise is applied, a decrease is shown by plan and drift as a
// change that cannot be applied, and apply refuses it without a single mutating call.
func TestWarmThroughputRaiseAppliesLowerIsRefused(t *testing.T) {
	emutest.SkipOnLocalStack(t, "LocalStack 4.14.0 does not store a table's WarmThroughput (it reads back 5000 writes whatever was sent)")
	c := newCLI(t)
	sfx := emutest.Suffix(t)
	write := func(writes string) string {
		path := filepath.Join(t.TempDir(), "warm.yaml")
		require.NoError(t, os.WriteFile(path, []byte(strings.Replace(warmSpec, "WRITES", writes, 1)), 0o644))
		return path
	}
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })
	c.must(0, "apply", write("60000"), "--suffix", sfx)

	raised := write("70000")
	out := c.must(0, "plan", raised, "--suffix", sfx)
	assert.Contains(t, out, "warm_throughput.write_units_per_second: 60000 -> 70000\n")
	c.must(0, "apply", raised, "--suffix", sfx)
	c.must(0, "drift", raised, "--suffix", sfx)

	lowered := write("50000")
	out = c.must(0, "plan", lowered, "--suffix", sfx)
	assert.Contains(t, out, "warm_throughput.write_units_per_second: 70000 -> 50000  # cannot be applied: warm throughput can be raised, never lowered")
	assert.Contains(t, out, "Apply refuses this plan")
	out = c.must(2, "drift", lowered, "--suffix", sfx)
	assert.Contains(t, out, "# cannot be applied")

	c.rec.Reset()
	code, _, errOut := c.run("apply", lowered, "--suffix", sfx)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "dynamodb.table/events: warm_throughput.write_units_per_second: warm throughput can be raised, never lowered: the table already takes 70000")
	assert.Empty(t, c.mutations(), "nothing changed: no lock, no update")
}
