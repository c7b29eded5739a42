package kinds

// Helpers shared by the EC2 kinds (ec2.vpc, ec2.subnet, ec2.security_group, ec2.vpc_endpoint):
// ownership-tag filters, tag conversion and sync, not-found mapping, ARNs, the long wait for
// dependencies that AWS releases slowly, and the flows every EC2 kind goes through in the same
// way (describe, list, adopt, update, delete), generic over the type the kind describes.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// EC2TagsAPI is the tagging part of *ec2.Client every EC2 kind uses to keep tags in sync.
type EC2TagsAPI interface {
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

// ec2NameTag carries the physical name of EC2 resources that have no name of their own.
const ec2NameTag = "Name"

// ec2DependencyBackoff is how long deletes wait for dependencies AWS releases slowly: the
// network interfaces of VPC-attached Lambdas keep a subnet or security group busy for tens of
// minutes after the function is gone.
var ec2DependencyBackoff = reconcile.Backoff{Initial: 2 * time.Second, Max: 30 * time.Second, Budget: 45 * time.Minute}

// ec2DependencyViolation is the code of a delete blocked by something still using the resource.
const ec2DependencyViolation = awscall.DependencyViolation

// ec2Tag builds one of the service's tags, for awscall.TagList.
func ec2Tag(key, value *string) types.Tag { return types.Tag{Key: key, Value: value} }

// ec2TagMap converts EC2 tags to a map.
func ec2TagMap(tags []types.Tag) map[string]string {
	return awscall.TagMap(tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
}

// ec2TagSpec puts tags on the create call itself, so a crash right after it leaves nothing a
// rerun cannot find.
func ec2TagSpec(rt types.ResourceType, tags map[string]string) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: rt, Tags: awscall.TagList(tags, ec2Tag)}}
}

// ec2WantTags is every tag a resource of d carries: d's tags and the Name tag with its
// physical name.
func ec2WantTags(d reconcile.Desired) map[string]string {
	out := maps.Clone(d.Tags)
	if out == nil {
		out = map[string]string{}
	}
	out[ec2NameTag] = d.Name
	return out
}

// ec2SelectorFilters asks EC2 for the resources carrying sel's ownership tags. Callers still
// check sel.Matches: the filters only narrow what comes back.
func ec2SelectorFilters(sel state.Selector) []types.Filter {
	f := []types.Filter{ec2TagFilter(state.TagSuffix, sel.Suffix)}
	if sel.Stack != "" {
		f = append(f, ec2TagFilter(state.TagStack, sel.Stack))
	}
	return f
}

// ec2OwnerFilters asks EC2 for the resources of exactly one logical resource.
func ec2OwnerFilters(o state.Owner) []types.Filter {
	return []types.Filter{
		ec2TagFilter(state.TagStack, o.Stack),
		ec2TagFilter(state.TagSuffix, o.Suffix),
		ec2TagFilter(state.TagID, o.ID),
	}
}

func ec2TagFilter(key, value string) types.Filter {
	return types.Filter{Name: aws.String("tag:" + key), Values: []string{value}}
}

func ec2Filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// ec2NotOwned is the refusal for a resource that exists under our name without o's tags.
func ec2NotOwned(what, id string, tags map[string]string) error {
	if o, ok := state.OwnerOf(tags); ok {
		return fmt.Errorf("%s %s belongs to stack %s, suffix %s, id %s: %w", what, id, o.Stack, o.Suffix, o.ID, reconcile.ErrNotOwned)
	}
	return fmt.Errorf("%s %s: %w", what, id, reconcile.ErrNotOwned)
}

// ec2SyncTags makes the tags of id equal want: it sets missing and changed ones and removes
// extra ones, except ownership tags (a changed owner is set, never removed) and aws: tags,
// which nobody may delete.
func ec2SyncTags(ctx context.Context, api EC2TagsAPI, id string, live, want map[string]string) error {
	return awscall.SyncTagsKeepAWS(live, want, func(set map[string]string) error {
		if err := awscall.Send(ctx, api.CreateTags, &ec2.CreateTagsInput{Resources: []string{id}, Tags: awscall.TagList(set, ec2Tag)}); err != nil {
			return fmt.Errorf("tag %s: %w", id, err)
		}
		return nil
	}, func(keys []string) error {
		var remove []types.Tag
		for _, k := range keys {
			remove = append(remove, types.Tag{Key: aws.String(k)})
		}
		if err := awscall.Send(ctx, api.DeleteTags, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: remove}); err != nil {
			return fmt.Errorf("untag %s: %w", id, err)
		}
		return nil
	})
}

// ec2ARN builds an EC2 ARN for APIs that do not return one (DescribeVpcs).
func ec2ARN(region, account, resource string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:%s", partition(region), region, account, resource)
}

// ec2FreshRetry waits out EC2's eventual consistency right after a create: for a few seconds
// the new id may be unknown to the next calls (codes), or missing from a describe.
func ec2FreshRetry(codes ...string) func(error) bool {
	return func(err error) bool {
		return errors.Is(err, reconcile.ErrNotFound) || awscall.Is(err, codes...)
	}
}

// ec2AdoptableDiff refuses to adopt a resource of ours whose fixed fields differ from d: only
// a replacement can fix those (a create-first replacement's old resource is never adopted:
// ec2AdoptEarlier skips Desired.Replaces).
func ec2AdoptableDiff(diffs []reconcile.FieldDiff) error {
	if fd, ok := reconcile.Changes(diffs).ForceNew(); ok {
		return fmt.Errorf("it exists with %s %v, want %v, which cannot change in place; delete it first", fd.Path, fd.Live, fd.Desired)
	}
	return nil
}

// ec2WaitDependencies retries del while AWS answers DependencyViolation, within b, reporting
// each blocked attempt to the engine (reconcile.Report); not-found codes mean the resource is
// gone.
//
// clear, when not nil, runs before each retry: it deletes what may be deleted of what holds
// the resource (Lambda's detached network interfaces) and names what still does, for the
// progress lines and for the error when the budget (--timeout, reconcile.WaitBudget) runs out.
func ec2WaitDependencies(ctx context.Context, b reconcile.Backoff, subject string, clear func(ctx context.Context) ([]string, error), del func(ctx context.Context) error, notFound ...string) error {
	start := time.Now()
	b.Budget = reconcile.WaitBudget(ctx, b.Budget)
	var holding []string
	err := b.Retry(ctx, func(err error) bool {
		if !awscall.Is(err, ec2DependencyViolation) {
			return false
		}
		held := ""
		if clear != nil {
			var cerr error
			if holding, cerr = clear(ctx); cerr != nil {
				held = "; " + cerr.Error()
			} else if len(holding) > 0 {
				held = "; held by " + strings.Join(holding, ", ")
			}
		}
		reconcile.Report(ctx, "delete %s: still in use after %s, retrying (budget %s)%s", subject, time.Since(start).Round(time.Second), b.Budget, held)
		return true
	}, del)
	if err = awscall.NotFound(err, notFound...); errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil && len(holding) > 0 {
		return fmt.Errorf("still held by %s: %w", strings.Join(holding, ", "), err)
	}
	return err
}

// ec2WaitGone polls exists until it reports the resource gone.
func ec2WaitGone(ctx context.Context, b reconcile.Backoff, exists func(ctx context.Context) (bool, error)) error {
	return b.Until(ctx, func(ctx context.Context) (bool, error) {
		ok, err := exists(ctx)
		if err != nil {
			return true, err
		}
		if ok {
			return false, errors.New("still exists")
		}
		return true, nil
	})
}

// ---- calls ----

// ec2Send makes one call of an EC2 API method under its own timeout, keeping only its error.
func ec2Send[In, Out any](ctx context.Context, call func(context.Context, In, ...func(*ec2.Options)) (Out, error), in In) error {
	_, err := awscall.Call(ctx, func(ctx context.Context) (Out, error) { return call(ctx, in) })
	return err
}

// ec2Retry sends in until the call succeeds or fails with an error retry does not accept, or
// b runs out.
func ec2Retry[In, Out any](ctx context.Context, b reconcile.Backoff, retry func(error) bool, call func(context.Context, In, ...func(*ec2.Options)) (Out, error), in In) error {
	return b.Retry(ctx, retry, func(ctx context.Context) error { return awscall.Send(ctx, call, in) })
}

// ec2Pages is the SDK's paginator of one Describe call, whose pages are O.
type ec2Pages[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*ec2.Options)) (O, error)
}

// ec2DescribeAll collects the items of every page, each page under its own timeout; the
// notFound codes become reconcile.ErrNotFound.
func ec2DescribeAll[O, T any](ctx context.Context, pages ec2Pages[O], items func(O) []T, notFound ...string) ([]T, error) {
	var out []T
	for pages.HasMorePages() {
		page, err := awscall.Call(ctx, func(ctx context.Context) (O, error) { return pages.NextPage(ctx) })
		if err != nil {
			return nil, awscall.NotFound(err, notFound...)
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

// ---- the flows every EC2 kind shares ----

// ec2Type is what the shared flows need to know of the type T an EC2 kind describes
// (types.Vpc, types.Subnet, …). Each kind builds its own, from its current settings, in its
// ec2Type method.
type ec2Type[T any] struct {
	what     string            // the kind as messages name it: "ec2 vpc"
	notFound []string          // EC2's codes for an unknown id
	wait     reconcile.Backoff // describes right after a create, and until a delete is done
	deps     reconcile.Backoff // deletes blocked by dependents (DependencyViolation)
	enis     lambdaENIs        // Lambda's network interfaces that may hold the resource, if any
	id       func(T) *string
	tags     func(T) []types.Tag
	// describe returns the resources with one of ids (any when there are none) matching filters.
	describe func(ctx context.Context, ids []string, filters []types.Filter) ([]T, error)
}

// ec2Observe reads one described resource into a state.Resource.
type ec2Observe[T any] func(ctx context.Context, v T) (state.Resource, error)

// ec2Read is the ec2Observe of a kind whose describe carries everything.
func ec2Read[T any](observe func(T) state.Resource) ec2Observe[T] {
	return func(_ context.Context, v T) (state.Resource, error) { return observe(v), nil }
}

// list returns the resources carrying sel's ownership tags, observed.
func (t ec2Type[T]) list(ctx context.Context, sel state.Selector, observe ec2Observe[T]) ([]state.Resource, error) {
	all, err := t.describe(ctx, nil, ec2SelectorFilters(sel))
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", t.what, err)
	}
	var out []state.Resource
	for _, v := range all {
		if !sel.Matches(ec2TagMap(t.tags(v))) {
			continue
		}
		r, err := observe(ctx, v)
		if err != nil {
			return nil, fmt.Errorf("list %ss: %w", t.what, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// describeID returns one resource, or an error wrapping reconcile.ErrNotFound; retry says which
// errors to wait out.
func (t ec2Type[T]) describeID(ctx context.Context, id string, retry func(error) bool) (T, error) {
	var one T
	err := awscall.Awhile(ctx, awscall.Within(t.wait, awscall.FreshBudget), t.what+" "+id+" to be visible", retry, func(ctx context.Context) error {
		all, err := t.describe(ctx, []string{id}, nil)
		if err == nil && len(all) == 0 {
			err = fmt.Errorf("%s %s: %w", strings.TrimPrefix(t.what, "ec2 "), id, reconcile.ErrNotFound)
		}
		if err == nil {
			one = all[0]
		}
		return err
	})
	return one, err
}

// observeID describes one resource, waiting out what retry accepts, and observes it.
func (t ec2Type[T]) observeID(ctx context.Context, id string, retry func(error) bool, observe ec2Observe[T]) (state.Resource, error) {
	v, err := t.describeID(ctx, id, retry)
	if err != nil {
		return state.Resource{}, err
	}
	return observe(ctx, v)
}

// adoptEarlier looks for what an earlier attempt at d created (a crash right after the create
// call) by d's ownership tags, since the name is only a tag (never the one d.Replaces), and
// adopts it: it must be the only
// one (plural names them in the refusal), observe reads it, and it is brought to d. done is
// false when there is nothing to adopt, and Create goes on.
func ec2AdoptEarlier[V, T any, P interface {
	*T
	spec.Properties
}](ctx context.Context, t ec2Type[V], k reconcile.Typed[P], d reconcile.Want[P], plural string, observe ec2Observe[V]) (r state.Resource, done bool, err error) {
	found, err := t.describe(ctx, nil, ec2OwnerFilters(d.Owner))
	// A create-first replacement's old resource carries the same tags and is not an attempt.
	found = slices.DeleteFunc(found, func(v V) bool { return d.Replaces != "" && aws.ToString(t.id(v)) == d.Replaces })
	switch {
	case err != nil:
		return state.Resource{}, true, fmt.Errorf("create %s %s: find earlier attempt: %w", t.what, d.Name, err)
	case len(found) == 0:
		return state.Resource{}, false, nil
	case len(found) > 1:
		return state.Resource{}, true, fmt.Errorf("create %s %s: %d %s carry the ownership tags of %s; delete all but one", t.what, d.Name, len(found), plural, d.Owner.ID)
	}
	live, err := observe(ctx, found[0])
	if err != nil {
		return state.Resource{}, true, fmt.Errorf("create %s %s: adopt %s: %w", t.what, d.Name, aws.ToString(t.id(found[0])), err)
	}
	r, err = ec2Adopt(ctx, k, t.what, d, live)
	return r, true, err
}

// ec2Adopt brings live, an earlier attempt at d, to d, unless a field that cannot change in
// place differs.
func ec2Adopt[T any, P interface {
	*T
	spec.Properties
}](ctx context.Context, k reconcile.Typed[P], what string, d reconcile.Want[P], live state.Resource) (state.Resource, error) {
	// The name is a tag here, which the update sets: only the kind's own fields can refuse.
	h, changes, err := reconcile.Adopting(k, d, live)
	if err == nil {
		err = ec2AdoptableDiff(k.Diff(d, h))
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create %s %s: adopt %s: %w", what, d.Name, live.ID, err)
	}
	return k.Update(ctx, d, h, changes)
}

// ec2Update is Update as every EC2 kind does it: check that live carries d's owner, change
// what differs, sync the tags, and read the result back.
func ec2Update(ctx context.Context, api EC2TagsAPI, what string, d reconcile.Desired, live state.Resource, change func() error, observe func(ctx context.Context) (state.Resource, error)) (state.Resource, error) {
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update %w", ec2NotOwned(what, live.ID, live.Tags))
	}
	err := change()
	if err == nil {
		err = ec2SyncTags(ctx, api, live.ID, live.Tags, ec2WantTags(d))
	}
	var r state.Resource
	if err == nil {
		r, err = observe(ctx)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("update %s %s: %w", what, live.ID, err)
	}
	return r, nil
}

// recheck re-reads live before a delete. ok is false when there is nothing to delete: it is
// gone (not found, or gone says so; err is nil), or it no longer carries live's owner, or the
// read failed.
func (t ec2Type[T]) recheck(ctx context.Context, live state.Resource, gone func(T) bool) (v T, ok bool, err error) {
	v, err = t.describeID(ctx, live.ID, awscall.Never)
	if errors.Is(err, reconcile.ErrNotFound) || err == nil && gone != nil && gone(v) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("delete %s %s: %w", t.what, live.ID, err)
	}
	if tags := ec2TagMap(t.tags(v)); !live.Owner.Owns(tags) {
		return v, false, fmt.Errorf("delete %w", ec2NotOwned(t.what, live.ID, tags))
	}
	return v, true, nil
}

// deleteOwned deletes a resource that dependents may keep busy (a VPC its subnets, a subnet or
// group the network interfaces of a VPC Lambda) when it still carries live's owner: prepare,
// when not nil, runs first; del is retried while AWS answers DependencyViolation, within the
// dependency budget; then it waits until the resource is gone. Not found is done.
func (t ec2Type[T]) deleteOwned(ctx context.Context, live state.Resource, prepare func(ctx context.Context, v T) error, del func(ctx context.Context) error) error {
	v, ok, err := t.recheck(ctx, live, nil)
	if !ok {
		return err
	}
	if prepare != nil {
		err = prepare(ctx, v)
	}
	if err == nil {
		var clear func(ctx context.Context) ([]string, error)
		if t.enis.api != nil {
			clear = func(ctx context.Context) ([]string, error) { return t.enis.clear(ctx, live.ID) }
		}
		err = ec2WaitDependencies(ctx, t.deps, t.what+" "+live.ID, clear, del, t.notFound...)
	}
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", t.what, live.ID, err)
	}
	err = ec2WaitGone(ctx, t.wait, func(ctx context.Context) (bool, error) {
		_, err := t.describeID(ctx, live.ID, awscall.Never)
		if errors.Is(err, reconcile.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: wait until gone: %w", t.what, live.ID, err)
	}
	return nil
}
