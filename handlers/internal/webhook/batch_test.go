package webhook

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type item struct{ key, name string }

// TestRunBatchBound: with limit 3 and 12 keys, exactly 3 run at once. Each call waits until
// three are in flight (a barrier, not a sleep), so fewer than three at once would hang the
// test's context and fail it, and more would show in the high-water mark.
func TestRunBatchBound(t *testing.T) {
	const limit = 3
	var items []item
	for i := range 12 {
		items = append(items, item{key: strconv.Itoa(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var inFlight, high atomic.Int32
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	arrived := 0
	errs := RunBatch(ctx, items, limit, 0, func(it item) string { return it.key }, func(ctx context.Context, it item) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for h := high.Load(); n > h && !high.CompareAndSwap(h, n); h = high.Load() {
		}
		mu.Lock()
		release := (arrived/limit + 1) * limit // this call's group of three is complete
		arrived++
		cond.Broadcast()
		for arrived < release {
			cond.Wait()
		}
		mu.Unlock()
		return ctx.Err()
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, limit, high.Load())
}

func TestRunBatchOrderPerKey(t *testing.T) {
	items := []item{{"a", "a1"}, {"b", "b1"}, {"a", "a2"}, {"c", "c1"}, {"a", "a3"}, {"b", "b2"}}
	var mu sync.Mutex
	var seen []string
	boom := errors.New("boom")
	errs := RunBatch(context.Background(), items, 4, 0, func(it item) string { return it.key }, func(_ context.Context, it item) error {
		mu.Lock()
		seen = append(seen, it.name)
		mu.Unlock()
		if it.name == "a2" {
			return boom
		}
		return nil
	})
	assert.Equal(t, []error{nil, nil, boom, nil, ErrEarlierFailed, nil}, errs, "a3 is not tried after a2 failed")
	var as, bs []string
	for _, s := range seen {
		switch s[0] {
		case 'a':
			as = append(as, s)
		case 'b':
			bs = append(bs, s)
		}
	}
	assert.Equal(t, []string{"a1", "a2"}, as, "a's records in order")
	assert.Equal(t, []string{"b1", "b2"}, bs, "b's records in order")
}

func TestRunBatchOutOfTime(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
	defer cancel()
	calls := 0
	errs := RunBatch(ctx, []item{{"a", "1"}, {"b", "2"}}, 1, 2*time.Minute, func(it item) string { return it.key }, func(context.Context, item) error {
		calls++
		return nil
	})
	assert.Zero(t, calls, "nothing starts with less than the time a record needs")
	for _, err := range errs {
		assert.ErrorIs(t, err, ErrOutOfTime)
	}
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	errs = RunBatch(done, []item{{"a", "1"}}, 1, 0, func(it item) string { return it.key }, func(context.Context, item) error { return nil })
	assert.ErrorIs(t, errs[0], ErrOutOfTime)
}

func TestWithinInvocation(t *testing.T) {
	d := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.Background(), d)
	defer cancel()
	ctx, cancel2 := WithinInvocation(parent, 2*time.Second)
	defer cancel2()
	got, ok := ctx.Deadline()
	require.True(t, ok)
	assert.Equal(t, d.Add(-2*time.Second), got)

	ctx, cancel3 := WithinInvocation(context.Background(), time.Second)
	defer cancel3()
	_, ok = ctx.Deadline()
	assert.False(t, ok, "no deadline is made up")
}
