package localstack

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLatencyDelaysEveryRequestWithinItsJitter checks the delays drawn, not the clock: every
// request is held once, for Base ± Jitter, and both ends of the range occur.
func TestLatencyDelaysEveryRequestWithinItsJitter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	var held []time.Duration
	l := &Latency{Base: 50 * time.Millisecond, Jitter: 10 * time.Millisecond, sleep: func(d time.Duration) { held = append(held, d) }}
	c := &http.Client{Transport: l}
	for range 200 {
		resp, err := c.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	}
	require.Len(t, held, 200, "every request is held once")
	lo, hi := held[0], held[0]
	for _, d := range held {
		assert.GreaterOrEqual(t, d, 40*time.Millisecond)
		assert.LessOrEqual(t, d, 60*time.Millisecond)
		lo, hi = min(lo, d), max(hi, d)
	}
	assert.Less(t, lo, 45*time.Millisecond, "jitter reaches below the base")
	assert.Greater(t, hi, 55*time.Millisecond, "and above it")
}

func TestLatencyNeverNegative(t *testing.T) {
	l := &Latency{Base: time.Millisecond, Jitter: 5 * time.Millisecond}
	for range 100 {
		assert.GreaterOrEqual(t, l.Delay(), time.Duration(0))
	}
}
