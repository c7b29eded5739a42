package awscall

import (
	"context"
	"errors"
	"time"

	"github.com/aws/smithy-go"

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

	// RoleBudget bounds how long a kind waits for IAM to propagate a new or changed role to the
	// service that must use it: Lambda's "The role defined for the function cannot be assumed
	// by Lambda" on CreateFunction, and an event source mapping's "ensure the role can
	// perform ...". AWS documents seconds to minutes; the Terraform AWS provider waits up to
	// five minutes for the same answers.
	RoleBudget = 5 * time.Minute
)

// NoteRoleWait reports one "not yet" of a wait for IAM to propagate what (a role, named), with
// the time waited since start, the budget and AWS's own words, through reconcile.Report.
func NoteRoleWait(ctx context.Context, start time.Time, what string, err error) {
	msg := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg = ae.ErrorMessage()
	}
	reconcile.Report(ctx, "waiting for IAM to propagate %s (%s so far, budget %s): %s",
		what, time.Since(start).Round(100*time.Millisecond), RoleBudget, msg)
}

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
