package views

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// goldenStats is the account of a small apply: reads and writes of two services, one call
// that was throttled once and retried.
func goldenStats() reconcile.CallStats {
	return reconcile.CallStats{Calls: 9, Reads: 6, Writes: 3, Retries: 1, Throttles: 1,
		Operations: []reconcile.OperationStats{
			{Service: "SQS", Operation: "CreateQueue", Calls: 2, Retries: 1, Throttles: 1},
			{Service: "SQS", Operation: "GetQueueAttributes", Read: true, Calls: 2},
			{Service: "SQS", Operation: "ListQueueTags", Read: true, Calls: 1},
			{Service: "SQS", Operation: "ListQueues", Read: true, Calls: 2},
			{Service: "SQS", Operation: "TagQueue", Calls: 1},
			{Service: "STS", Operation: "GetCallerIdentity", Read: true, Calls: 1},
		},
		Phases: []reconcile.PhaseStats{{Name: "plan", Calls: 3, Reads: 3}, {Name: "apply", Calls: 4, Reads: 1, Writes: 3}, {Name: "verify", Calls: 2, Reads: 2}},
	}
}

func TestStatsGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteStats(&b, goldenStats()))
	checkGolden(t, "stats.txt", b.Bytes())

	withStats := func() (*View, *bytes.Buffer) {
		v, b := textView(false)
		return v.WithStats(goldenStats), b
	}
	v, pb := withStats()
	require.NoError(t, NewPlan(JSON, v).Plan(goldenPlan()))
	checkGolden(t, "plan-stats.json", pb.Bytes())

	v, ab := withStats()
	op := NewApply(JSON, v)
	require.NoError(t, op.Plan(goldenPlan()))
	require.NoError(t, op.Result(goldenPlan(), applyResult()))
	checkGolden(t, "apply-stats.json", ab.Bytes())
}

// TestNoStatsKeyWithoutFlag: without --stats the JSON documents have no stats key at all, so
// they stay as documented.
func TestNoStatsKeyWithoutFlag(t *testing.T) {
	v, b := textView(false)
	require.NoError(t, NewPlan(JSON, v).Plan(goldenPlan()))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.NotContains(t, doc, "stats")
	assert.Contains(t, doc, "changes")
}
