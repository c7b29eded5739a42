package awscall

import (
	"context"
	"errors"
	"sync"
)

// listReads is how many of one listing's per-item reads (tags, policies, settings) run at
// once. Discovery's wall time is the longest kind's chain of reads, and a kind reading a dozen
// items one after another made it: 14 parameters' tags cost 14 round trips, not 2. AWS's read
// quotas are far above this times the kinds listing together.
const listReads = 8

// Gather calls read for every item, at most listReads at once, and returns what the reads
// kept (ok true) in the items' order. The first error stops what has not started and is
// returned.
func Gather[I, O any](ctx context.Context, items []I, read func(ctx context.Context, item I) (O, bool, error)) ([]O, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	got := make([]O, len(items))
	kept := make([]bool, len(items))
	sem := make(chan struct{}, listReads)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i, item := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o, ok, err := read(ctx, item)
			if err != nil {
				once.Do(func() { first = err; cancel(err) })
				return
			}
			got[i], kept[i] = o, ok
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = context.Cause(ctx)
	}
	if first != nil {
		return nil, first
	}
	var out []O
	for i, ok := range kept {
		if ok {
			out = append(out, got[i])
		}
	}
	return out, nil
}

// AtOnce runs step(0) to step(n-1) at once and waits for them all. A failure cancels the
// steps still running; the step returned is the first, by index, that failed on its own (not
// because that cancel stopped it), so the error does not depend on which answer came first.
func AtOnce(ctx context.Context, n int, step func(ctx context.Context, i int) error) (int, error) {
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = step(sub, i); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	first := -1
	for i, err := range errs {
		if err == nil {
			continue
		}
		if ctx.Err() != nil || !errors.Is(err, context.Canceled) {
			return i, err
		}
		if first < 0 {
			first = i
		}
	}
	if first >= 0 {
		return first, errs[first]
	}
	return 0, nil
}

// All runs the steps at once (AtOnce) and returns the error of the first that failed.
func All(ctx context.Context, steps ...func(ctx context.Context) error) error {
	_, err := AtOnce(ctx, len(steps), func(ctx context.Context, i int) error { return steps[i](ctx) })
	return err
}
