package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
)

// smallSpec is a stack of two kinds, enough to see reads and writes of two services.
const smallSpec = `stack: stats
region: us-east-1
suffix: dev
resources:
  jobs:
    kind: sqs.queue
    visibility_timeout_seconds: 60
  logs:
    kind: logs.log_group
    name: /stats/${suffix}
    retention_days: 7
`

func writeSmallSpec(t *testing.T, edits ...string) string {
	t.Helper()
	s := smallSpec
	for i := 0; i+1 < len(edits); i += 2 {
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "stats.yaml")
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
	return path
}

// statsDoc is the part of a JSON document --stats adds.
type statsDoc struct {
	Stats *reconcile.CallStats `json:"stats"`
}

// recorded counts the recorder's calls by "service:Operation".
func recorded(c *cli) map[string]int {
	out := map[string]int{}
	for _, call := range c.rec.Calls() {
		out[call]++
	}
	return out
}

// notLock drops the stack lock's calls (SSM): the lock is released after the result is
// written, so its last calls come after the document's account.
func notLock(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if !strings.HasPrefix(k, "SSM:") {
			out[k] = v
		}
	}
	return out
}

// counted asserts that the account of a JSON document is what reached the emulator: every
// recorded call but the lock's, and nothing that was not recorded.
func counted(t *testing.T, c *cli, s *reconcile.CallStats) {
	t.Helper()
	rec, got := recorded(c), byOperation(s)
	assert.Equal(t, notLock(rec), notLock(got))
	for op, n := range got {
		assert.LessOrEqual(t, n, rec[op], op)
	}
	assert.Equal(t, s.Calls, s.Reads+s.Writes)
}

// byOperation is the same count from the account --stats gave.
func byOperation(s *reconcile.CallStats) map[string]int {
	out := map[string]int{}
	for _, o := range s.Operations {
		out[o.Service+":"+o.Operation] += o.Calls
	}
	return out
}

func phase(s *reconcile.CallStats, name string) (reconcile.PhaseStats, bool) {
	for _, p := range s.Phases {
		if p.Name == name {
			return p, true
		}
	}
	return reconcile.PhaseStats{}, false
}

// TestStatsCountEveryCall: --stats accounts for exactly the calls that reached the emulator
// (an independent recorder sees the same), and a no-op apply does not discover again.
func TestStatsCountEveryCall(t *testing.T) {
	c := newCLI(t)
	suffix := emutest.Suffix(t)
	spec := writeSmallSpec(t)

	var cold statsDoc
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "apply", spec, "--suffix", suffix, "--stats", "-o", "json")), &cold))
	require.NotNil(t, cold.Stats)
	counted(t, c, cold.Stats)
	applied, ok := phase(cold.Stats, "apply")
	require.True(t, ok, "phases: %+v", cold.Stats.Phases)
	writes := 0
	for _, m := range c.mutations() {
		if !strings.HasPrefix(m, "SSM:") {
			writes++
		}
	}
	assert.Positive(t, writes)
	assert.Equal(t, writes, applied.Writes, "every write but the lock's is the apply's")
	verified, ok := phase(cold.Stats, "verify")
	require.True(t, ok)
	assert.Positive(t, verified.Reads, "after changes the touched kinds are listed again")

	c.rec.Reset()
	var noop statsDoc
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "apply", spec, "--suffix", suffix, "--stats", "-o", "json")), &noop))
	counted(t, c, noop.Stats)
	assert.Zero(t, noop.Stats.Writes, "a no-op apply writes nothing, and takes no lock")
	discovered, _ := phase(noop.Stats, "discover")
	assert.Equal(t, noop.Stats.Reads, discovered.Reads, "a no-op apply's only reads are its plan's")
	verified, _ = phase(noop.Stats, "verify")
	assert.Zero(t, verified.Calls, "the plan with no changes is its own verification")

	c.rec.Reset()
	_, _, errOut := c.run("drift", spec, "--suffix", suffix, "--stats")
	n := len(c.rec.Calls())
	assert.Contains(t, errOut, fmt.Sprintf("AWS calls: %d (%d reads, 0 writes), 0 retries, 0 throttled", n, n))
	assert.Regexp(t, `\n  SQS +ListQueues +read +1 +0 +0\n`, errOut)

	out := c.must(0, "plan", spec, "--suffix", suffix, "-o", "json")
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.NotContains(t, doc, "stats", "without --stats the JSON is as documented")

	// A one-property update lists again only the kind it changed: no log group call.
	c.rec.Reset()
	var upd statsDoc
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "apply", writeSmallSpec(t, "retention_days: 7", "retention_days: 14"), "--suffix", suffix, "--stats", "-o", "json")), &upd))
	verified, _ = phase(upd.Stats, "verify")
	discovered, _ = phase(upd.Stats, "discover")
	assert.Positive(t, verified.Reads)
	assert.Less(t, verified.Reads, discovered.Reads-1, "verify lists the log groups only, not the queues (discover also has GetCallerIdentity)")

	c.must(0, "destroy", "--suffix", suffix, "--stack", "stats", "--yes", "--stats")
}

// throttleOnce answers the first STS call as AWS does when it throttles, then passes through.
type throttleOnce struct {
	next http.RoundTripper
	done atomic.Bool
}

func (t *throttleOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.done.Swap(true) {
		body := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>6a5b4c3d-0000-4000-8000-000000000001</RequestId></ErrorResponse>`
		return &http.Response{StatusCode: 400, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	}
	return t.next.RoundTrip(r)
}

// TestStatsCountRetriesAndThrottles: a throttled attempt the SDK retried is one call, one
// retry and one throttle, read from the retryer's attempt results.
func TestStatsCountRetriesAndThrottles(t *testing.T) {
	cfg := emutest.Config(t)
	cfg.HTTPClient = &http.Client{Transport: &throttleOnce{next: http.DefaultTransport}}
	counter := reconcile.NewCallCounter()
	counter.Attach(&cfg)
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctxT(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	s := counter.Stats()
	assert.Equal(t, reconcile.CallStats{Calls: 1, Reads: 1, Retries: 1, Throttles: 1, Operations: []reconcile.OperationStats{
		{Service: "STS", Operation: "GetCallerIdentity", Read: true, Calls: 1, Retries: 1, Throttles: 1},
	}}, s)
}
