package kinds

// Helpers shared by the EC2 kinds (ec2.vpc, ec2.subnet, ec2.security_group, ec2.vpc_endpoint):
// ownership-tag filters, tag conversion and sync, not-found mapping, ARNs and the long wait for
// dependencies that AWS releases slowly.

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
const ec2DependencyViolation = "DependencyViolation"

// ec2Props returns p as *T, or an error naming both types.
func ec2Props[T any, PT interface {
	*T
	spec.Properties
}](p spec.Properties) (*T, error) {
	if t, ok := p.(PT); ok && t != nil {
		return t, nil
	}
	var want PT
	return nil, fmt.Errorf("properties are %T, want %T", p, want)
}

// ec2PropsMismatch is the diff reported when Diff gets properties of the wrong type: a
// programming error, shown rather than panicking.
func ec2PropsMismatch(d, live spec.Properties) []reconcile.FieldDiff {
	return []reconcile.FieldDiff{{Path: "properties", Live: fmt.Sprintf("%T", live), Desired: fmt.Sprintf("%T", d), ForceNew: true}}
}

// ec2Tags converts a tag map to EC2 tags, sorted by key so requests are deterministic.
func ec2Tags(tags map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// ec2TagMap converts EC2 tags to a map.
func ec2TagMap(tags []types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// ec2TagSpec puts tags on the create call itself, so a crash right after it leaves nothing a
// rerun cannot find.
func ec2TagSpec(rt types.ResourceType, tags map[string]string) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: rt, Tags: ec2Tags(tags)}}
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

// ec2Owned reports whether tags carry exactly o's ownership tags.
func ec2Owned(tags map[string]string, o state.Owner) bool {
	got, ok := state.OwnerOf(tags)
	return ok && got == o
}

// ec2NotOwned is the refusal for a resource that exists under our name without o's tags.
func ec2NotOwned(what, id string, tags map[string]string) error {
	if o, ok := state.OwnerOf(tags); ok {
		return fmt.Errorf("%s %s belongs to stack %s, suffix %s, id %s: %w", what, id, o.Stack, o.Suffix, o.ID, reconcile.ErrNotOwned)
	}
	return fmt.Errorf("%s %s: %w", what, id, reconcile.ErrNotOwned)
}

// ec2NotFound turns the service's not-found codes into reconcile.ErrNotFound, keeping the API
// error in the chain.
func ec2NotFound(err error, codes ...string) error {
	if err != nil && reconcile.IsAPIError(err, codes...) {
		return fmt.Errorf("%w: %w", reconcile.ErrNotFound, err)
	}
	return err
}

// ec2SyncTags makes the tags of id equal want: it sets missing and changed ones and removes
// extra ones, except ownership tags (a changed owner is set, never removed) and aws: tags,
// which nobody may delete.
func ec2SyncTags(ctx context.Context, api EC2TagsAPI, id string, live, want map[string]string) error {
	set := map[string]string{}
	for k, v := range want {
		if lv, ok := live[k]; !ok || lv != v {
			set[k] = v
		}
	}
	var remove []types.Tag
	for _, k := range slices.Sorted(maps.Keys(live)) {
		if _, ok := want[k]; !ok && !ec2KeepTag(k) {
			remove = append(remove, types.Tag{Key: aws.String(k)})
		}
	}
	if len(set) > 0 {
		in := &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2Tags(set)}
		if _, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.CreateTagsOutput, error) { return api.CreateTags(ctx, in) }); err != nil {
			return fmt.Errorf("tag %s: %w", id, err)
		}
	}
	if len(remove) > 0 {
		in := &ec2.DeleteTagsInput{Resources: []string{id}, Tags: remove}
		if _, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DeleteTagsOutput, error) { return api.DeleteTags(ctx, in) }); err != nil {
			return fmt.Errorf("untag %s: %w", id, err)
		}
	}
	return nil
}

func ec2KeepTag(k string) bool {
	return k == state.TagStack || k == state.TagSuffix || k == state.TagID || strings.HasPrefix(k, "aws:")
}

// ec2Partition is the ARN partition of a region.
func ec2Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}

// ec2ARN builds an EC2 ARN for APIs that do not return one (DescribeVpcs).
func ec2ARN(region, account, resource string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:%s", ec2Partition(region), region, account, resource)
}

// ec2Codes accepts API errors with one of the codes.
func ec2Codes(codes ...string) func(error) bool {
	return func(err error) bool { return reconcile.IsAPIError(err, codes...) }
}

// ec2FreshRetry waits out EC2's eventual consistency right after a create: for a few seconds
// the new id may be unknown to the next calls (codes), or missing from a describe.
func ec2FreshRetry(codes ...string) func(error) bool {
	return func(err error) bool {
		return errors.Is(err, reconcile.ErrNotFound) || reconcile.IsAPIError(err, codes...)
	}
}

// ec2AdoptableDiff refuses to adopt a resource of ours whose fixed fields differ from d: only
// a replacement can fix those, and the engine deletes before it creates.
func ec2AdoptableDiff(diffs []reconcile.FieldDiff) error {
	for _, fd := range diffs {
		if fd.ForceNew {
			return fmt.Errorf("it exists with %s %v, want %v, which cannot change in place; delete it first", fd.Path, fd.Live, fd.Desired)
		}
	}
	return nil
}

// ec2Never retries nothing: calls on resources that were listed, not just created, do not
// wait out eventual consistency.
func ec2Never(error) bool { return false }

// ec2Progress is how a kind reports a long wait; the CLI may hook its logger in.
type ec2Progress func(msg string)

func (p ec2Progress) say(format string, args ...any) {
	if p != nil {
		p(fmt.Sprintf(format, args...))
	}
}

// ec2WaitDependencies retries del while AWS answers DependencyViolation, within b, telling
// progress on each blocked attempt; not-found codes mean the resource is gone.
func ec2WaitDependencies(ctx context.Context, b reconcile.Backoff, progress ec2Progress, subject string, del func(ctx context.Context) error, notFound ...string) error {
	start := time.Now()
	err := b.Retry(ctx, func(err error) bool {
		if !reconcile.IsAPIError(err, ec2DependencyViolation) {
			return false
		}
		progress.say("delete %s: still in use after %s, retrying (budget %s): %v", subject, time.Since(start).Round(time.Second), b.Budget, err)
		return true
	}, del)
	if err = ec2NotFound(err, notFound...); errors.Is(err, reconcile.ErrNotFound) {
		return nil
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
