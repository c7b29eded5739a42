package kinds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// LogGroupAPI is the part of the CloudWatch Logs API the logs.log_group kind uses;
// *cloudwatchlogs.Client satisfies it.
type LogGroupAPI interface {
	CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	ListTagsForResource(ctx context.Context, in *cloudwatchlogs.ListTagsForResourceInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *cloudwatchlogs.TagResourceInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *cloudwatchlogs.UntagResourceInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error)
	PutRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteRetentionPolicy(ctx context.Context, in *cloudwatchlogs.DeleteRetentionPolicyInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	AssociateKmsKey(ctx context.Context, in *cloudwatchlogs.AssociateKmsKeyInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.AssociateKmsKeyOutput, error)
	DisassociateKmsKey(ctx context.Context, in *cloudwatchlogs.DisassociateKmsKeyInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DisassociateKmsKeyOutput, error)
	DeleteLogGroup(ctx context.Context, in *cloudwatchlogs.DeleteLogGroupInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
}

// LogGroup implements logs.log_group. Its ID is the log group name.
//
// Nothing forces a replacement: retention changes through Put/DeleteRetentionPolicy and the
// KMS key through Associate/DisassociateKmsKey.
//
// Adoption is wider than for other kinds: a Lambda function creates its own log group, untagged,
// on its first invocation when none exists. Create therefore adopts an existing group of the
// exact name when it carries d's ownership tags or no tags at all, and then tags it; a group
// carrying any tag that is not d's ownership is someone else's and is refused.
type LogGroup struct {
	api  LogGroupAPI
	wait reconcile.Backoff
}

// NewLogGroup returns the logs.log_group kind over api (a *cloudwatchlogs.Client).
func NewLogGroup(api LogGroupAPI) *LogGroup {
	return &LogGroup{api: api, wait: reconcile.DefaultBackoff}
}

const (
	logsNotFound      = awscall.ResourceNotFoundException
	logsAlreadyExists = awscall.ResourceAlreadyExistsException
	// logsAborted is CloudWatch Logs' answer to concurrent changes of one log group.
	logsAborted = awscall.OperationAbortedException
)

var logsRetryWrite = awscall.RetryCodes(logsAborted)

func (*LogGroup) Kind() string { return "logs.log_group" }

// Diff compares retention and the KMS key; both change in place.
func (*LogGroup) Diff(d reconcile.Want[*spec.LogGroup], live reconcile.Have[*spec.LogGroup]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("retention_days", l.RetentionDays, w.RetentionDays)
	ds.Field("kms_key_id", l.KMSKeyID, w.KMSKeyID)
	return ds
}

// List reads the tags of every log group (DescribeLogGroups carries none) and returns the
// matching ones.
func (k *LogGroup) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	groups, err := k.describe(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list log groups: %w", err)
	}
	groups = slices.DeleteFunc(groups, func(g types.LogGroup) bool {
		return !sel.MayName(aws.ToString(g.LogGroupName)) // not named the way we name log groups: its tags are not read
	})
	out, err := awscall.Gather(ctx, groups, func(ctx context.Context, g types.LogGroup) (state.Resource, bool, error) {
		arn := logsARN(g)
		tags, err := ownedTags(ctx, k.Kind(), arn, func(ctx context.Context) (map[string]string, error) { return k.tags(ctx, arn) })
		if awscall.Skippable(ctx, k.Kind(), aws.ToString(g.LogGroupName), err) {
			return state.Resource{}, false, nil // deleted since the listing, or not ours to read
		}
		if err != nil || !sel.Matches(tags) {
			return state.Resource{}, false, err
		}
		return logsResource(g, tags), true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list log groups: %w", err)
	}
	return out, nil
}

// describe lists the log groups whose names start with prefix ("" for all).
func (k *LogGroup) describe(ctx context.Context, prefix string) ([]types.LogGroup, error) {
	in := &cloudwatchlogs.DescribeLogGroupsInput{}
	if prefix != "" {
		in.LogGroupNamePrefix = aws.String(prefix)
	}
	return awscall.Pages(ctx, k.wait, awscall.RetryCodes(), in, &in.NextToken, k.api.DescribeLogGroups,
		func(o *cloudwatchlogs.DescribeLogGroupsOutput) ([]types.LogGroup, *string) {
			return o.LogGroups, o.NextToken
		})
}

// find returns the log group of exactly that name; ErrNotFound when there is none.
func (k *LogGroup) find(ctx context.Context, name string) (types.LogGroup, error) {
	groups, err := k.describe(ctx, name)
	if err != nil {
		return types.LogGroup{}, err
	}
	for _, g := range groups {
		if aws.ToString(g.LogGroupName) == name {
			return g, nil
		}
	}
	return types.LogGroup{}, fmt.Errorf("log group %s: %w", name, reconcile.ErrNotFound)
}

// tags reads a log group's tags by its ARN (the one without the trailing ":*").
func (k *LogGroup) tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := awscall.Call(ctx, func(ctx context.Context) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
		return k.api.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	})
	if err != nil {
		return nil, awscall.NotFound(err, logsNotFound)
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}

// observe reads one log group and its tags.
func (k *LogGroup) observe(ctx context.Context, name string) (state.Resource, error) {
	g, err := k.find(ctx, name)
	if err != nil {
		return state.Resource{}, err
	}
	tags, err := k.tags(ctx, logsARN(g))
	if err != nil {
		return state.Resource{}, err
	}
	return logsResource(g, tags), nil
}

// logsARN is the log group's ARN without the ":*" that the older Arn field carries; the
// tagging API takes this form.
func logsARN(g types.LogGroup) string {
	if arn := aws.ToString(g.LogGroupArn); arn != "" {
		return arn
	}
	return strings.TrimSuffix(aws.ToString(g.Arn), ":*")
}

func logsResource(g types.LogGroup, tags map[string]string) state.Resource {
	name := aws.ToString(g.LogGroupName)
	owner, _ := state.OwnerOf(tags)
	return state.Resource{
		Kind: "logs.log_group", Owner: owner, ID: name, Name: name, Tags: tags,
		Attrs: map[string]string{"arn": logsARN(g), "name": name},
		// An absent retention is "never expire", which the spec says as 0.
		Props: &spec.LogGroup{RetentionDays: int(aws.ToInt32(g.RetentionInDays)), KMSKeyID: aws.ToString(g.KmsKeyId)},
	}
}

// Create creates the log group with the ownership tags and KMS key in CreateLogGroup, then sets
// its retention. An existing group of that name is adopted when it is ours or untagged (see
// LogGroup), and refused otherwise.
func (k *LogGroup) Create(ctx context.Context, d reconcile.Want[*spec.LogGroup]) (state.Resource, error) {
	p := d.Props
	in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(d.Name), Tags: d.Tags}
	if p.KMSKeyID != "" {
		in.KmsKeyId = aws.String(p.KMSKeyID)
	}
	err := awscall.Do(ctx, k.wait, logsRetryWrite, func(ctx context.Context) error {
		_, err := k.api.CreateLogGroup(ctx, in)
		return err
	})
	if awscall.Is(err, logsAlreadyExists) {
		return k.adopt(ctx, d)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create log group %s: %w", d.Name, err)
	}
	// The group is now what CreateLogGroup was sent (name, tags, key), so its retention goes
	// at once and one read-back (for its ARN, and to see it) follows; reading the group before
	// the retention too cost two rounds more on the chain of every function's role. What the
	// read-back does not show yet (or an endpoint that ignored the tags) goes through
	// adoptLive. A new group may briefly be missing from the API, to writes and reads alike.
	retry := awscall.RetryCodes(logsAborted, logsNotFound)
	if err := k.setRetention(ctx, retry, d.Name, p.RetentionDays != 0, p.RetentionDays); err != nil {
		return state.Resource{}, fmt.Errorf("create log group %s: %w", d.Name, err)
	}
	var live state.Resource
	err = k.wait.Retry(ctx, func(err error) bool { return errors.Is(err, reconcile.ErrNotFound) }, func(ctx context.Context) (err error) {
		live, err = k.observe(ctx, d.Name)
		return err
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create log group %s: %w", d.Name, err)
	}
	return k.adoptLive(ctx, d, live)
}

// adopt takes over an existing group that carries d's ownership tags or no tags at all.
func (k *LogGroup) adopt(ctx context.Context, d reconcile.Want[*spec.LogGroup]) (state.Resource, error) {
	live, err := k.observe(ctx, d.Name)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create log group %s: exists, read it: %w", d.Name, err)
	}
	if len(live.Tags) != 0 && !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("create log group %s: %w", d.Name, awscall.NotOwned("log group", d.Name, live.Tags))
	}
	return k.adoptLive(ctx, d, live)
}

// adoptLive brings a group Create found or just made to d.
func (k *LogGroup) adoptLive(ctx context.Context, d reconcile.Want[*spec.LogGroup], live state.Resource) (state.Resource, error) {
	h, changes, err := reconcile.Adopting(k, d, live)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create log group %s: %w", d.Name, err)
	}
	return k.apply(ctx, d, h, changes)
}

// Update brings retention, KMS key and tags to d.
func (k *LogGroup) Update(ctx context.Context, d reconcile.Want[*spec.LogGroup], live reconcile.Have[*spec.LogGroup], changes reconcile.Changes) (state.Resource, error) {
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update log group %s: %w", d.Name, awscall.NotOwned("log group", live.Name, live.Tags))
	}
	return k.apply(ctx, d, live, changes)
}

// apply changes what changes name, then waits until a read shows d. Callers have checked
// ownership (or, adopting, its absence).
func (k *LogGroup) apply(ctx context.Context, d reconcile.Want[*spec.LogGroup], live reconcile.Have[*spec.LogGroup], changes reconcile.Changes) (state.Resource, error) {
	if miscSettled(k, d, live.Resource) {
		return live.Resource, nil
	}
	w := d.Props
	name := live.ID
	for _, step := range []func() error{
		func() error {
			return k.setRetention(ctx, logsRetryWrite, name, changes.Changed("retention_days"), w.RetentionDays)
		},
		func() error { return k.setKMSKey(ctx, name, changes.Changed("kms_key_id"), w.KMSKeyID) },
		func() error { return k.syncTags(ctx, live.Attrs["arn"], live.Tags, d.Tags) },
	} {
		if err := step(); err != nil {
			return state.Resource{}, fmt.Errorf("update log group %s: %w", d.Name, err)
		}
	}
	got, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) {
		return k.observe(ctx, name)
	}, func(r state.Resource) bool { return miscSettled(k, d, r) }, awscall.Never)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update log group %s: %w", d.Name, err)
	}
	return got, nil
}

// setRetention puts the retention policy; 0 (never expire) deletes it.
func (k *LogGroup) setRetention(ctx context.Context, retry func(error) bool, name string, changed bool, want int) error {
	if !changed {
		return nil
	}
	err := awscall.Do(ctx, k.wait, retry, func(ctx context.Context) error {
		if want == 0 {
			_, err := k.api.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)})
			return err
		}
		_, err := k.api.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
			LogGroupName: aws.String(name), RetentionInDays: aws.Int32(int32(want))})
		return err
	})
	if err != nil {
		return fmt.Errorf("retention %d days: %w", want, err)
	}
	return nil
}

// setKMSKey associates the key; "" disassociates the current one.
func (k *LogGroup) setKMSKey(ctx context.Context, name string, changed bool, want string) error {
	if !changed {
		return nil
	}
	err := awscall.Do(ctx, k.wait, logsRetryWrite, func(ctx context.Context) error {
		if want == "" {
			_, err := k.api.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(name)})
			return err
		}
		_, err := k.api.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{
			LogGroupName: aws.String(name), KmsKeyId: aws.String(want)})
		return err
	})
	if err != nil {
		return fmt.Errorf("kms key %q: %w", want, err)
	}
	return nil
}

func (k *LogGroup) syncTags(ctx context.Context, arn string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		if err := awscall.Do(ctx, k.wait, logsRetryWrite, func(ctx context.Context) error {
			_, err := k.api.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: set})
			return err
		}); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		return nil
	}, func(keys []string) error {
		if err := awscall.Do(ctx, k.wait, logsRetryWrite, func(ctx context.Context) error {
			_, err := k.api.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: keys})
			return err
		}); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
		return nil
	})
}

// Delete re-reads the group's tags, deletes it only when they still are live's ownership
// tags, and waits until DescribeLogGroups no longer shows it.
func (k *LogGroup) Delete(ctx context.Context, live state.Resource) error {
	name := live.ID
	cur, err := k.observe(ctx, name)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete log group %s: %w", name, err)
	}
	if !live.Owner.Owns(cur.Tags) {
		return fmt.Errorf("delete log group %s: %w", name, awscall.NotOwned("log group", name, cur.Tags))
	}
	err = awscall.Do(ctx, k.wait, logsRetryWrite, func(ctx context.Context) error {
		_, err := k.api.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
		return awscall.NotFound(err, logsNotFound)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete log group %s: %w", name, err)
	}
	err = k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		_, err := k.find(ctx, name)
		if errors.Is(err, reconcile.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return false, errors.New("the log group is still listed")
	})
	if err != nil {
		return fmt.Errorf("delete log group %s: wait until gone: %w", name, err)
	}
	return nil
}
