package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
)

func TestScaleSpecIsValidAtEverySize(t *testing.T) {
	for _, n := range []int{2, 250, 1000} {
		st, err := spec.Parse("scale.yaml", []byte(scaleSpec(n)), spec.Options{Suffix: "b1"})
		require.NoError(t, err)
		assert.Len(t, st.Resources, n)
		upd, err := scaleUpdate.apply(scaleSpec(n))
		require.NoError(t, err)
		_, err = spec.Parse("scale.yaml", []byte(upd), spec.Options{Suffix: "b1"})
		require.NoError(t, err)
	}
}

func TestWebhookUpdateChangesOneProperty(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "webhook.yaml"))
	require.NoError(t, err)
	upd, err := webhookUpdate.apply(string(b))
	require.NoError(t, err)
	_, err = spec.Parse("webhook.yaml", []byte(upd), spec.Options{})
	require.NoError(t, err)
	assert.NotEqual(t, string(b), upd)
}

func cr(logical string, action reconcile.Action, elapsed time.Duration, deps ...string) reconcile.ChangeResult {
	return reconcile.ChangeResult{Change: reconcile.Change{Logical: logical, Action: action, DependsOn: deps}, Elapsed: elapsed}
}

// chainResults is a small apply's results: vpc → subnet → function is the longest chain by
// count (3); role → function is the slowest (5 s + 1 s); the no-op table is on no chain.
func chainResults() []reconcile.ChangeResult {
	return []reconcile.ChangeResult{
		cr("vpc", reconcile.Create, time.Second),
		cr("subnet", reconcile.Create, time.Second, "vpc"),
		cr("role", reconcile.Create, 5*time.Second),
		cr("table", reconcile.NoOp, 0),
		cr("function", reconcile.Create, time.Second, "subnet", "role", "table"),
	}
}

func TestLongestChainCountsAndTimesIndependently(t *testing.T) {
	res := chainResults()
	c := longestChain(res)
	assert.Equal(t, 3, c.Length)
	assert.Equal(t, 6*time.Second, c.Measured)
	assert.Equal(t, 4, countedChanges(res))
	// (2 rounds + 3 changes × 4 calls) × 50 ms
	assert.Equal(t, 700*time.Millisecond, bound(c.Length, 4, 10, 4, 50*time.Millisecond))
	// 1,000 independent changes at parallelism 10: 100 through each slot.
	assert.Equal(t, 1004*time.Millisecond, bound(1, 1000, 10, 5, 2*time.Millisecond)) // (2 + 100 × 5) × 2 ms
}

func TestGraphBound(t *testing.T) {
	res := chainResults()
	// 8 s of changes in a 10 s serial run: 2 s around them; the chain role → function is 6 s.
	serial := measured{Wall: 10 * time.Second, Results: res}
	b, chain, fixed := graphBound(serial, 10)
	assert.Equal(t, 6*time.Second, chain)
	assert.Equal(t, 2*time.Second, fixed)
	assert.Equal(t, 8*time.Second, b, "fixed + the chain")
	b, _, _ = graphBound(serial, 1)
	assert.Equal(t, 10*time.Second, b, "one slot carries every change: fixed + their total")
}

func TestMedian(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	assert.Equal(t, 0.0, median(nil))
}

func TestRewriteBetweenMarkersKeepsTheProse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(path, []byte("# x\nbefore\n"+beginMarker+"\nold table\n"+endMarker+"\nafter\n"), 0o644))
	require.NoError(t, rewriteBetweenMarkers(path, "new table\n"))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "# x\nbefore\n"+beginMarker+"\nnew table\n"+endMarker+"\nafter\n", string(got))

	require.NoError(t, os.WriteFile(path, []byte("no markers\n"), 0o644))
	assert.ErrorContains(t, rewriteBetweenMarkers(path, "t"), "markers")
}

func TestParseOptionsQuickAndSizes(t *testing.T) {
	o, err := parseOptions([]string{"-quick"})
	require.NoError(t, err)
	assert.Equal(t, 1, o.runs)
	assert.Equal(t, []int{50, 100}, o.sizes)
	_, err = parseOptions([]string{"-sizes", "10,x"})
	assert.ErrorContains(t, err, "-sizes")
}
