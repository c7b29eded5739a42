package kinds

// Helpers shared across kinds: first written for sqs.queue, iam.role and logs.log_group, now
// used by most kinds. Their names carry a misc prefix so that they cannot clash with other
// kinds' helpers in this package.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// miscThrottleCodes are throttling answers across the three services. The SDK retryer retries
// them a few times; a large apply can outlast that, so our writes retry them with the kind's
// backoff as well.
var miscThrottleCodes = []string{
	"Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException",
}

// miscNotOwned is the refusal for a resource that exists under our name without our tags.
func miscNotOwned(kind, name string, tags map[string]string) error {
	o, _ := state.OwnerOf(tags)
	return fmt.Errorf("%s %q (ownership tags stack=%q suffix=%q id=%q): %w",
		kind, name, o.Stack, o.Suffix, o.ID, reconcile.ErrNotOwned)
}

// miscOwnerTags returns only the ownership tags that tags carry, for error messages.
func miscOwnerTags(tags map[string]string) map[string]string {
	out := map[string]string{}
	for _, key := range []string{state.TagStack, state.TagSuffix, state.TagID} {
		if v, ok := tags[key]; ok {
			out[key] = v
		}
	}
	return out
}

// miscNotFound maps a service's not-found codes to reconcile.ErrNotFound, keeping the cause.
func miscNotFound(err error, codes ...string) error {
	if err != nil && reconcile.IsAPIError(err, codes...) {
		return fmt.Errorf("%w: %w", reconcile.ErrNotFound, err)
	}
	return err
}

// miscTagChanges returns the tags to write (missing or different in live) and the keys to
// remove (in live, not wanted, and not ownership tags: those are only ever written).
func miscTagChanges(live, want map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range want {
		if lv, ok := live[k]; !ok || lv != v {
			set[k] = v
		}
	}
	for k := range live {
		if _, ok := want[k]; !ok && k != state.TagStack && k != state.TagSuffix && k != state.TagID {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

// miscTagChangesKeepAWS is miscTagChanges for services that list AWS's own aws: tags among a
// resource's tags (EC2, DynamoDB): nobody may remove those, so they are never removed either.
func miscTagChangesKeepAWS(live, want map[string]string) (set map[string]string, remove []string) {
	set, remove = miscTagChanges(live, want)
	return set, slices.DeleteFunc(remove, func(k string) bool { return strings.HasPrefix(k, "aws:") })
}

// miscSetChanges returns what want has and live lacks, and what live has and want lacks, each
// sorted and without duplicates (nil when there is nothing).
func miscSetChanges(live, want []string) (add, remove []string) {
	have, need := map[string]bool{}, map[string]bool{}
	for _, v := range live {
		have[v] = true
	}
	for _, v := range want {
		need[v] = true
	}
	for _, v := range reconcile.SortedSet(want) {
		if !have[v] {
			add = append(add, v)
		}
	}
	for _, v := range reconcile.SortedSet(live) {
		if !need[v] {
			remove = append(remove, v)
		}
	}
	return add, remove
}

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

// miscNever is a retry predicate that retries nothing.
func miscNever(error) bool { return false }

// miscDo runs one AWS call under its own timeout, retrying the errors retry accepts with b.
// op makes the call and keeps whatever output it needs.
func miscDo(ctx context.Context, b reconcile.Backoff, retry func(error) bool, op func(context.Context) error) error {
	return b.Retry(ctx, retry, func(ctx context.Context) error {
		_, err := reconcile.Call(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, op(ctx) })
		return err
	})
}

// miscRetryCodes retries throttling and the codes given.
func miscRetryCodes(codes ...string) func(error) bool {
	all := append(append([]string{}, miscThrottleCodes...), codes...)
	return func(err error) bool { return reconcile.IsAPIError(err, all...) }
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
