package reconcile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff is how a kind retries and waits: exponential from Initial to Max with full jitter,
// for at most Budget. Kinds hold one so that tests can make it instant.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Budget  time.Duration
}

// DefaultBackoff suits AWS's eventual consistency (IAM propagation, new buckets, busy tables).
var DefaultBackoff = Backoff{Initial: 500 * time.Millisecond, Max: 15 * time.Second, Budget: 5 * time.Minute}

// InstantBackoff is for unit tests with fakes.
var InstantBackoff = Backoff{Initial: time.Microsecond, Max: time.Microsecond, Budget: time.Second}

// Retry calls op until it succeeds, fails with an error retryable does not accept, or the
// budget or ctx runs out; it returns op's last error.
func (b Backoff) Retry(ctx context.Context, retryable func(error) bool, op func(ctx context.Context) error) error {
	return b.Until(ctx, func(ctx context.Context) (bool, error) {
		err := op(ctx)
		if err != nil && retryable(err) {
			return false, err
		}
		return true, err
	})
}

// Until polls until done is true or a non-nil error comes back with done true, or the budget
// or ctx runs out. poll returning (false, err) means "not yet", and err explains why.
func (b Backoff) Until(ctx context.Context, poll func(ctx context.Context) (done bool, err error)) error {
	deadline := time.Now().Add(b.Budget)
	delay := b.Initial
	for attempt := 1; ; attempt++ {
		done, err := poll(ctx)
		if done {
			return err
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("not ready")
			}
			return fmt.Errorf("gave up after %d attempts in %s: %w", attempt, b.Budget, err)
		}
		sleep := time.Duration(rand.Int64N(int64(delay)) + 1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(sleep):
		}
		delay = min(delay*2, b.Max)
	}
}
