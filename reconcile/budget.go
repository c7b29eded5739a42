package reconcile

import (
	"context"
	"time"
)

type waitBudgetKey struct{}

// WithWaitBudget returns ctx carrying the budget of the slow deletes' waits (a subnet or
// security group held by Lambda's network interfaces): the CLI's --timeout.
func WithWaitBudget(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, waitBudgetKey{}, d)
}

// WaitBudget returns the budget ctx carries, or def when it carries none.
func WaitBudget(ctx context.Context, def time.Duration) time.Duration {
	if d, ok := ctx.Value(waitBudgetKey{}).(time.Duration); ok && d > 0 {
		return d
	}
	return def
}
