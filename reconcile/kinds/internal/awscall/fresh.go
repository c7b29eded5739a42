package awscall

import (
	"context"
	"errors"
	"time"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Budgets of the waits for eventual consistency, per kind of wait (docs/engine.md has the
// table). Each is the longest a kind waits before it reports the last error; the backoff is
// the kind's own (exponential with full jitter), checking at once first.
const (
	// FreshBudget bounds how long reads may miss a resource just created (DynamoDB
	// DescribeTable, Lambda GetFunction, API Gateway GetRestApi/GetUsagePlan, S3 bucket
	// settings, EC2 Describe* by id, IAM GetRole). AWS documents seconds; two minutes leaves
	// room for a loaded region.
	FreshBudget = 2 * time.Minute
)

// Within returns b with its budget capped at budget.
func Within(b reconcile.Backoff, budget time.Duration) reconcile.Backoff {
	b.Budget = min(b.Budget, budget)
	return b
}

// Visible runs read, a read of a resource just created, until it stops answering
// reconcile.ErrNotFound, for at most FreshBudget: AWS's eventually consistent services miss a
// fresh resource for a moment. Other errors end the wait at once. While it waits it reports
// progress (reconcile.Report) naming what, with the time waited.
func Visible(ctx context.Context, b reconcile.Backoff, what string, read func(ctx context.Context) error) error {
	return Awhile(ctx, Within(b, FreshBudget), what+" to be visible after its create", func(err error) bool {
		return errors.Is(err, reconcile.ErrNotFound)
	}, read)
}

// Awhile runs op until it succeeds or fails with an error wait does not accept, or b runs
// out, reporting each "not yet" with the time waited under the words "waiting for <what>".
func Awhile(ctx context.Context, b reconcile.Backoff, what string, wait func(error) bool, op func(ctx context.Context) error) error {
	start := time.Now()
	attempt := 0
	return b.Retry(ctx, wait, func(ctx context.Context) error {
		if attempt++; attempt > 1 {
			reconcile.Report(ctx, "waiting for %s (%s so far)", what, time.Since(start).Round(100*time.Millisecond))
		}
		return op(ctx)
	})
}
