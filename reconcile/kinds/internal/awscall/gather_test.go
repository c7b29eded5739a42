package awscall

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGatherKeepsOrderAndBoundsConcurrency(t *testing.T) {
	items := make([]int, 40)
	for i := range items {
		items[i] = i
	}
	var running, most atomic.Int32
	got, err := Gather(context.Background(), items, func(_ context.Context, i int) (int, bool, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		return i * 10, i%2 == 0, nil
	})
	require.NoError(t, err)
	want := make([]int, 0, 20)
	for i := 0; i < 40; i += 2 {
		want = append(want, i*10)
	}
	assert.Equal(t, want, got, "what is kept, in the items' order")
	assert.LessOrEqual(t, most.Load(), int32(listReads))
}

func TestGatherReturnsTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int32
	_, err := Gather(context.Background(), make([]int, 100), func(context.Context, int) (int, bool, error) {
		calls.Add(1)
		return 0, false, boom
	})
	require.ErrorIs(t, err, boom)
	// A slot frees only after its read's error has cancelled the rest: the first reads in
	// flight are all that ever start.
	assert.LessOrEqual(t, calls.Load(), int32(listReads), "nothing starts once a read failed")
}

// TestAtOnce: every step runs at the same time (none waits for another's answer), and of
// several failures the one reported is the lowest index that failed on its own, however the
// answers raced.
func TestAtOnce(t *testing.T) {
	const n = 5
	var arrived sync.WaitGroup
	arrived.Add(n)
	i, err := AtOnce(context.Background(), n, func(ctx context.Context, i int) error {
		arrived.Done()
		arrived.Wait() // deadlocks unless all n run together
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 0, i)

	first, second := errors.New("step 1"), errors.New("step 3")
	i, err = AtOnce(context.Background(), n, func(ctx context.Context, i int) error {
		switch i {
		case 3:
			return second // fails first in time
		case 1:
			time.Sleep(10 * time.Millisecond)
			return first
		}
		<-ctx.Done() // stopped by the cancel: not reported
		return ctx.Err()
	})
	assert.Equal(t, 1, i)
	assert.ErrorIs(t, err, first)
}

func TestAll(t *testing.T) {
	boom := errors.New("boom")
	var ran atomic.Int32
	step := func(err error) func(context.Context) error {
		return func(context.Context) error { ran.Add(1); return err }
	}
	require.NoError(t, All(context.Background(), step(nil), step(nil)))
	assert.ErrorIs(t, All(context.Background(), step(nil), step(boom), step(nil)), boom)
	assert.Equal(t, int32(5), ran.Load(), "every step ran")
}
