package webhook

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultConcurrency is how many records of a batch are handled at once unless configured.
const DefaultConcurrency = 10

// ErrEarlierFailed is the error of a record not tried because an earlier record with the same
// key failed: trying it would break that key's order.
var ErrEarlierFailed = fmt.Errorf("an earlier record with the same key failed")

// RunBatch calls do for every item, at most limit at once, and returns one error per item (nil
// when it succeeded). Items with the same key run one after another in their order in items;
// after one of them fails the rest of that key are not run and get ErrEarlierFailed. Items
// with different keys run concurrently. An item is not started once ctx is done or has less
// than need left; it gets ErrOutOfTime, so that a caller reports it for retry instead of
// letting the invocation time out with the whole batch.
func RunBatch[T any](ctx context.Context, items []T, limit int, need time.Duration, key func(T) string, do func(context.Context, T) error) []error {
	if limit < 1 {
		limit = 1
	}
	errs := make([]error, len(items))
	var order []string
	groups := map[string][]int{}
	for i, it := range items {
		k := key(it)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, k := range order {
		sem <- struct{}{}
		wg.Add(1)
		go func(idx []int) {
			defer func() { <-sem; wg.Done() }()
			runGroup(ctx, items, idx, errs, need, do)
		}(groups[k])
	}
	wg.Wait()
	return errs
}

// runGroup runs the items of one key in order; each writes only its own slot of errs.
func runGroup[T any](ctx context.Context, items []T, idx []int, errs []error, need time.Duration, do func(context.Context, T) error) {
	var failed bool
	for _, i := range idx {
		switch {
		case failed:
			errs[i] = ErrEarlierFailed
		default:
			if err := TimeLeft(ctx, need); err != nil {
				errs[i] = err
			} else {
				errs[i] = do(ctx, items[i])
			}
			failed = errs[i] != nil
		}
	}
}
