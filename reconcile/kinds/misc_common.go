package kinds

// The adopt-and-settle steps kinds share, generic over a kind's property type: bringing an
// existing resource of ours to d as an update would, and waiting until reads show d. The AWS
// call path itself (timeouts, retries, error codes, tags) is internal/awscall.

import (
	"context"
	"errors"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// miscConverge re-reads a resource after a write until it shows the desired state (AWS reads
// are eventually consistent: IAM for seconds, SQS attributes up to a minute), within the
// backoff's budget. read errors that notYet accepts count as "not visible yet".
func miscConverge(ctx context.Context, b reconcile.Backoff, read func(context.Context) (state.Resource, error),
	done func(state.Resource) bool, notYet func(error) bool) (state.Resource, error) {
	var got state.Resource
	err := b.Until(ctx, func(ctx context.Context) (bool, error) {
		r, err := read(ctx)
		if err != nil {
			return !notYet(err), err
		}
		got = r
		if !done(r) {
			return false, errors.New("the change is not visible yet")
		}
		return true, nil
	})
	return got, err
}

// miscSettled reports whether r shows d: properties of the kind's type without a diff, and
// exactly d's tags.
func miscSettled[T any, P interface {
	*T
	spec.Properties
}](k reconcile.Typed[P], d reconcile.Want[P], r state.Resource) bool {
	h, err := reconcile.HaveOf[T, P](k.Kind(), r)
	return err == nil && len(k.Diff(d, h)) == 0 && reconcile.Equal(r.Tags, d.Tags)
}

// miscAdopt brings live, an existing resource of ours that Create found, to d as Update
// would, with the changes the plan would have computed.
func miscAdopt[T any, P interface {
	*T
	spec.Properties
}](ctx context.Context, k reconcile.Typed[P], d reconcile.Want[P], live state.Resource) (state.Resource, error) {
	h, changes, err := reconcile.Adopting(k, d, live)
	if err != nil {
		return state.Resource{}, err
	}
	return k.Update(ctx, d, h, changes)
}
