package kinds

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- unit tests with a hand-written fake ----

// fakeLogs is LogGroupAPI with one function field per operation; a nil field fails the call.
type fakeLogs struct {
	calls                 fakeCalls
	createLogGroup        func(*cloudwatchlogs.CreateLogGroupInput) (*cloudwatchlogs.CreateLogGroupOutput, error)
	describeLogGroups     func(*cloudwatchlogs.DescribeLogGroupsInput) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	listTagsForResource   func(*cloudwatchlogs.ListTagsForResourceInput) (*cloudwatchlogs.ListTagsForResourceOutput, error)
	tagResource           func(*cloudwatchlogs.TagResourceInput) (*cloudwatchlogs.TagResourceOutput, error)
	untagResource         func(*cloudwatchlogs.UntagResourceInput) (*cloudwatchlogs.UntagResourceOutput, error)
	putRetentionPolicy    func(*cloudwatchlogs.PutRetentionPolicyInput) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	deleteRetentionPolicy func(*cloudwatchlogs.DeleteRetentionPolicyInput) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	associateKmsKey       func(*cloudwatchlogs.AssociateKmsKeyInput) (*cloudwatchlogs.AssociateKmsKeyOutput, error)
	disassociateKmsKey    func(*cloudwatchlogs.DisassociateKmsKeyInput) (*cloudwatchlogs.DisassociateKmsKeyOutput, error)
	deleteLogGroup        func(*cloudwatchlogs.DeleteLogGroupInput) (*cloudwatchlogs.DeleteLogGroupOutput, error)
}

type logsOpt = func(*cloudwatchlogs.Options)

func (f *fakeLogs) CreateLogGroup(_ context.Context, in *cloudwatchlogs.CreateLogGroupInput, _ ...logsOpt) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	return fakeCall(&f.calls, "CreateLogGroup", f.createLogGroup, in)
}
func (f *fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...logsOpt) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	return fakeCall(&f.calls, "DescribeLogGroups", f.describeLogGroups, in)
}
func (f *fakeLogs) ListTagsForResource(_ context.Context, in *cloudwatchlogs.ListTagsForResourceInput, _ ...logsOpt) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	return fakeCall(&f.calls, "ListTagsForResource", f.listTagsForResource, in)
}
func (f *fakeLogs) TagResource(_ context.Context, in *cloudwatchlogs.TagResourceInput, _ ...logsOpt) (*cloudwatchlogs.TagResourceOutput, error) {
	return fakeCall(&f.calls, "TagResource", f.tagResource, in)
}
func (f *fakeLogs) UntagResource(_ context.Context, in *cloudwatchlogs.UntagResourceInput, _ ...logsOpt) (*cloudwatchlogs.UntagResourceOutput, error) {
	return fakeCall(&f.calls, "UntagResource", f.untagResource, in)
}
func (f *fakeLogs) PutRetentionPolicy(_ context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, _ ...logsOpt) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	return fakeCall(&f.calls, "PutRetentionPolicy", f.putRetentionPolicy, in)
}
func (f *fakeLogs) DeleteRetentionPolicy(_ context.Context, in *cloudwatchlogs.DeleteRetentionPolicyInput, _ ...logsOpt) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error) {
	return fakeCall(&f.calls, "DeleteRetentionPolicy", f.deleteRetentionPolicy, in)
}
func (f *fakeLogs) AssociateKmsKey(_ context.Context, in *cloudwatchlogs.AssociateKmsKeyInput, _ ...logsOpt) (*cloudwatchlogs.AssociateKmsKeyOutput, error) {
	return fakeCall(&f.calls, "AssociateKmsKey", f.associateKmsKey, in)
}
func (f *fakeLogs) DisassociateKmsKey(_ context.Context, in *cloudwatchlogs.DisassociateKmsKeyInput, _ ...logsOpt) (*cloudwatchlogs.DisassociateKmsKeyOutput, error) {
	return fakeCall(&f.calls, "DisassociateKmsKey", f.disassociateKmsKey, in)
}
func (f *fakeLogs) DeleteLogGroup(_ context.Context, in *cloudwatchlogs.DeleteLogGroupInput, _ ...logsOpt) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
	return fakeCall(&f.calls, "DeleteLogGroup", f.deleteLogGroup, in)
}

// memGroup is one log group of memLogs.
type memGroup struct {
	retention int32
	kms       string
	tags      map[string]string
}

const memLogsARN = "arn:aws:logs:us-east-1:000000000000:log-group:"

// memLogs fills every field of a fakeLogs with a small in-memory CloudWatch Logs; tests
// replace single fields to inject errors. DescribeLogGroups pages by two.
func memLogs(groups map[string]*memGroup) *fakeLogs {
	f := &fakeLogs{}
	notFound := func() error { return miscAPIErr("ResourceNotFoundException") }
	store := memStoreOf(groups, nil, func(string) error { return notFound() })
	byName := store.get
	byARN := func(arn *string) (*memGroup, error) {
		return byName(aws.String(strings.TrimPrefix(aws.ToString(arn), memLogsARN)))
	}
	f.createLogGroup = func(in *cloudwatchlogs.CreateLogGroupInput) (*cloudwatchlogs.CreateLogGroupOutput, error) {
		if _, ok := groups[aws.ToString(in.LogGroupName)]; ok {
			return nil, miscAPIErr("ResourceAlreadyExistsException")
		}
		g := &memGroup{kms: aws.ToString(in.KmsKeyId), tags: map[string]string{}}
		for k, v := range in.Tags {
			g.tags[k] = v
		}
		groups[aws.ToString(in.LogGroupName)] = g
		return &cloudwatchlogs.CreateLogGroupOutput{}, nil
	}
	f.describeLogGroups = func(in *cloudwatchlogs.DescribeLogGroupsInput) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
		var names []string
		for n := range groups {
			if strings.HasPrefix(n, aws.ToString(in.LogGroupNamePrefix)) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		page, next := memPage(names, in.NextToken)
		out := &cloudwatchlogs.DescribeLogGroupsOutput{NextToken: next}
		for _, name := range page {
			g := groups[name]
			lg := types.LogGroup{LogGroupName: aws.String(name), Arn: aws.String(memLogsARN + name + ":*"),
				LogGroupArn: aws.String(memLogsARN + name)}
			if g.retention != 0 {
				lg.RetentionInDays = aws.Int32(g.retention)
			}
			if g.kms != "" {
				lg.KmsKeyId = aws.String(g.kms)
			}
			out.LogGroups = append(out.LogGroups, lg)
		}
		return out, nil
	}
	tags := memTags(func(arn *string) (map[string]string, error) {
		if strings.HasSuffix(aws.ToString(arn), ":*") {
			return nil, miscAPIErr("InvalidParameterException") // the tagging API wants the ARN without :*
		}
		g, err := byARN(arn)
		if err != nil {
			return nil, err
		}
		return g.tags, nil
	})
	f.listTagsForResource = memListTags(tags, func(in *cloudwatchlogs.ListTagsForResourceInput) *string { return in.ResourceArn },
		func(t map[string]string) *cloudwatchlogs.ListTagsForResourceOutput {
			return &cloudwatchlogs.ListTagsForResourceOutput{Tags: t}
		})
	f.tagResource = memTag(tags, func(in *cloudwatchlogs.TagResourceInput) (*string, map[string]string) { return in.ResourceArn, in.Tags },
		&cloudwatchlogs.TagResourceOutput{})
	f.untagResource = memUntag(tags, func(in *cloudwatchlogs.UntagResourceInput) (*string, []string) { return in.ResourceArn, in.TagKeys },
		&cloudwatchlogs.UntagResourceOutput{})
	f.putRetentionPolicy = func(in *cloudwatchlogs.PutRetentionPolicyInput) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
		g, err := byName(in.LogGroupName)
		if err != nil {
			return nil, err
		}
		g.retention = aws.ToInt32(in.RetentionInDays)
		return &cloudwatchlogs.PutRetentionPolicyOutput{}, nil
	}
	f.deleteRetentionPolicy = func(in *cloudwatchlogs.DeleteRetentionPolicyInput) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error) {
		g, err := byName(in.LogGroupName)
		if err != nil {
			return nil, err
		}
		g.retention = 0
		return &cloudwatchlogs.DeleteRetentionPolicyOutput{}, nil
	}
	f.associateKmsKey = func(in *cloudwatchlogs.AssociateKmsKeyInput) (*cloudwatchlogs.AssociateKmsKeyOutput, error) {
		g, err := byName(in.LogGroupName)
		if err != nil {
			return nil, err
		}
		g.kms = aws.ToString(in.KmsKeyId)
		return &cloudwatchlogs.AssociateKmsKeyOutput{}, nil
	}
	f.disassociateKmsKey = func(in *cloudwatchlogs.DisassociateKmsKeyInput) (*cloudwatchlogs.DisassociateKmsKeyOutput, error) {
		g, err := byName(in.LogGroupName)
		if err != nil {
			return nil, err
		}
		g.kms = ""
		return &cloudwatchlogs.DisassociateKmsKeyOutput{}, nil
	}
	f.deleteLogGroup = func(in *cloudwatchlogs.DeleteLogGroupInput) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
		if err := store.remove(in.LogGroupName); err != nil {
			return nil, err
		}
		return &cloudwatchlogs.DeleteLogGroupOutput{}, nil
	}
	return f
}

func unitLogs(api LogGroupAPI) *LogGroup {
	k := NewLogGroup(api)
	k.wait = reconcile.InstantBackoff
	return k
}

func logsDefaults() *spec.LogGroup { return specDefaults[*spec.LogGroup]("logs.log_group") }

func TestLogGroupDiff(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *spec.LogGroup)
		paths  []string
	}{
		{"no change", func(*spec.LogGroup) {}, nil},
		{"retention", func(p *spec.LogGroup) { p.RetentionDays = 30 }, []string{"retention_days"}},
		{"never expire", func(p *spec.LogGroup) { p.RetentionDays = 0 }, []string{"retention_days"}},
		{"kms key", func(p *spec.LogGroup) { p.KMSKeyID = "arn:aws:kms:us-east-1:1:key/k" }, []string{"kms_key_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := logsDefaults()
			c.change(want)
			diffs := tk[spec.LogGroup](unitLogs(nil)).Diff(desired(miscOwner("g"), "/g", want), state.Resource{Props: logsDefaults()})
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.Path)
				assert.False(t, d.ForceNew, "log group properties change in place: %s", d.Path)
			}
			assert.Equal(t, c.paths, paths)
		})
	}
}

func TestLogGroupCreateNew(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention int
		kms       string
		puts      int
	}{
		{"default retention", 7, "", 1},
		{"never expire needs no policy", 0, "", 0},
		{"kms key in the create call", 14, "arn:aws:kms:us-east-1:000000000000:key/k", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			groups := map[string]*memGroup{}
			f := memLogs(groups)
			var sent *cloudwatchlogs.CreateLogGroupInput
			create := f.createLogGroup
			f.createLogGroup = func(in *cloudwatchlogs.CreateLogGroupInput) (*cloudwatchlogs.CreateLogGroupOutput, error) {
				sent = in
				return create(in)
			}
			p := &spec.LogGroup{RetentionDays: tc.retention, KMSKeyID: tc.kms}
			d := desired(miscOwner("api-logs"), "/aws/lambda/api-dev", p)

			got, err := tk[spec.LogGroup](unitLogs(f)).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Equal(t, d.Tags, sent.Tags, "ownership tags go in CreateLogGroup itself")
			assert.Equal(t, tc.kms, aws.ToString(sent.KmsKeyId))
			assert.Equal(t, tc.puts, f.calls.count("PutRetentionPolicy"))
			assert.Empty(t, tk[spec.LogGroup](unitLogs(f)).Diff(d, got))
			assert.Equal(t, map[string]string{"arn": memLogsARN + "/aws/lambda/api-dev", "name": "/aws/lambda/api-dev"}, got.Attrs)
			assert.Equal(t, "/aws/lambda/api-dev", got.ID)
			f.calls.none(t, "TagResource", "AssociateKmsKey")
			assert.Equal(t, 1, f.calls.count("DescribeLogGroups"), "one read-back, after the retention")
			assert.Equal(t, 1, f.calls.count("ListTagsForResource"))
		})
	}
}

// TestLogGroupCreateReadBack: a new group missing from the API for a moment is waited for, by
// the retention write and the read-back alike; an endpoint that drops CreateLogGroup's tags
// gets them from TagResource.
func TestLogGroupCreateReadBack(t *testing.T) {
	for _, tc := range []struct {
		name          string
		missing       int // answers of ResourceNotFoundException before the group shows
		dropTags      bool
		wantTagWrites int
	}{
		{"missing for a moment", 2, false, 0},
		{"tags dropped by the endpoint", 0, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			groups := map[string]*memGroup{}
			f := memLogs(groups)
			create, put, describe := f.createLogGroup, f.putRetentionPolicy, f.describeLogGroups
			f.createLogGroup = func(in *cloudwatchlogs.CreateLogGroupInput) (*cloudwatchlogs.CreateLogGroupOutput, error) {
				if tc.dropTags {
					c := *in
					c.Tags = nil
					in = &c
				}
				return create(in)
			}
			hidden := tc.missing
			f.putRetentionPolicy = func(in *cloudwatchlogs.PutRetentionPolicyInput) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
				if hidden > 0 {
					hidden--
					return nil, miscAPIErr("ResourceNotFoundException")
				}
				return put(in)
			}
			f.describeLogGroups = func(in *cloudwatchlogs.DescribeLogGroupsInput) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
				if hidden > 0 {
					return &cloudwatchlogs.DescribeLogGroupsOutput{}, nil
				}
				return describe(in)
			}
			d := desired(miscOwner("api-logs"), "/aws/lambda/api-dev", &spec.LogGroup{RetentionDays: 7})
			got, err := tk[spec.LogGroup](unitLogs(f)).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Equal(t, d.Tags, groups["/aws/lambda/api-dev"].tags)
			assert.Equal(t, int32(7), groups["/aws/lambda/api-dev"].retention)
			assert.Equal(t, d.Tags, got.Tags)
			assert.Equal(t, tc.missing+1, f.calls.count("PutRetentionPolicy"))
			assert.Equal(t, tc.wantTagWrites, f.calls.count("TagResource"))
		})
	}
}

func TestLogGroupCreateExisting(t *testing.T) {
	o := miscOwner("api-logs")
	cases := []struct {
		name    string
		tags    map[string]string
		wantErr error
	}{
		{"ours is adopted", o.Tags(), nil},
		{"untagged is adopted (a Lambda made it on first invocation)", map[string]string{}, nil},
		{"user tags only is someone else's", map[string]string{"Team": "x"}, reconcile.ErrNotOwned},
		{"another owner is refused", state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags(), reconcile.ErrNotOwned},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			groups := map[string]*memGroup{"/aws/lambda/api-dev": {tags: tc.tags}} // never expires, no key
			f := memLogs(groups)
			d := desired(o, "/aws/lambda/api-dev", logsDefaults())

			got, err := tk[spec.LogGroup](unitLogs(f)).Create(context.Background(), d)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), "/aws/lambda/api-dev")
				f.calls.none(t, "PutRetentionPolicy", "TagResource", "UntagResource", "AssociateKmsKey", "DeleteLogGroup")
				assert.Equal(t, int32(0), groups["/aws/lambda/api-dev"].retention)
				return
			}
			require.NoError(t, err)
			assert.Empty(t, tk[spec.LogGroup](unitLogs(f)).Diff(d, got))
			assert.Equal(t, int32(7), groups["/aws/lambda/api-dev"].retention)
			assert.Equal(t, d.Tags, groups["/aws/lambda/api-dev"].tags, "an adopted group carries our tags")
			assert.Equal(t, d.Owner, got.Owner)
		})
	}
}

func TestLogGroupUpdate(t *testing.T) {
	o := miscOwner("api-logs")
	groups := map[string]*memGroup{"/g-dev": {retention: 30, kms: "arn:k1", tags: o.Tags()}}
	groups["/g-dev"].tags["Old"] = "1"
	f := memLogs(groups)
	k := unitLogs(f)
	live, err := k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, live, 1)
	put, aborted := f.putRetentionPolicy, 2
	f.putRetentionPolicy = func(in *cloudwatchlogs.PutRetentionPolicyInput) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
		if aborted > 0 { // another change to the same group is in flight
			aborted--
			return nil, miscAPIErr("OperationAbortedException")
		}
		return put(in)
	}

	d := desired(o, "/g-dev", &spec.LogGroup{RetentionDays: 90, KMSKeyID: "arn:k2"})
	got, err := tk[spec.LogGroup](k).Update(context.Background(), d, live[0])
	require.NoError(t, err)
	assert.Empty(t, tk[spec.LogGroup](k).Diff(d, got))
	assert.Equal(t, 3, f.calls.count("PutRetentionPolicy"), "OperationAbortedException is retried")
	assert.Equal(t, &memGroup{retention: 90, kms: "arn:k2", tags: d.Tags}, groups["/g-dev"])

	d2 := desired(o, "/g-dev", &spec.LogGroup{RetentionDays: 0})
	got, err = tk[spec.LogGroup](k).Update(context.Background(), d2, got)
	require.NoError(t, err)
	assert.Empty(t, tk[spec.LogGroup](k).Diff(d2, got))
	assert.Equal(t, 1, f.calls.count("DeleteRetentionPolicy"), "0 means never expire")
	assert.Equal(t, 1, f.calls.count("DisassociateKmsKey"))
	assert.Equal(t, &memGroup{tags: d2.Tags}, groups["/g-dev"])

	_, err = tk[spec.LogGroup](k).Update(context.Background(), d2, state.Resource{ID: "/g-dev", Props: logsDefaults(), Tags: map[string]string{}})
	require.ErrorIs(t, err, reconcile.ErrNotOwned, "Update never touches a group that is not ours")
}

func TestLogGroupList(t *testing.T) {
	o := miscOwner("api-logs")
	groups := map[string]*memGroup{
		"/a-ours-dev":         {retention: 7, tags: o.Tags()},
		"/b-other-suffix-dev": {tags: state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags()},
		"/c-untagged-dev":     {tags: map[string]string{}},
		"/d-ours-too-dev":     {tags: miscOwner("worker-logs").Tags()},
		"/e-vanishing-dev":    {tags: miscOwner("gone").Tags()},
		"/someone-elses":      {tags: map[string]string{}},
	}
	f := memLogs(groups)
	describe := f.describeLogGroups
	f.describeLogGroups = func(in *cloudwatchlogs.DescribeLogGroupsInput) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
		out, err := describe(in)
		for i := range out.LogGroups {
			out.LogGroups[i].LogGroupArn = nil // older answers carry only Arn, with ":*"
		}
		return out, err
	}
	tags := f.listTagsForResource
	f.listTagsForResource = func(in *cloudwatchlogs.ListTagsForResourceInput) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
		if strings.HasSuffix(aws.ToString(in.ResourceArn), "/e-vanishing-dev") {
			return nil, miscAPIErr("ResourceNotFoundException") // deleted since the listing
		}
		if strings.HasSuffix(aws.ToString(in.ResourceArn), "/someone-elses") {
			t.Error("a group without our suffix in its name is not read")
		}
		return tags(in)
	}

	got, err := unitLogs(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
		assert.False(t, strings.HasSuffix(r.Attrs["arn"], ":*"), r.Attrs["arn"])
	}
	assert.Equal(t, []string{"/a-ours-dev", "/d-ours-too-dev"}, names)
	assert.Equal(t, 3, f.calls.count("DescribeLogGroups"), "all pages are read")
	assert.Equal(t, &spec.LogGroup{RetentionDays: 7}, got[0].Props)
}

func TestLogGroupDelete(t *testing.T) {
	o := miscOwner("api-logs")
	live := state.Resource{Kind: "logs.log_group", Owner: o, ID: "/g", Name: "/g"}

	t.Run("deletes and waits until it is no longer listed", func(t *testing.T) {
		groups := map[string]*memGroup{"/g": {tags: o.Tags()}}
		f := memLogs(groups)
		del := f.deleteLogGroup
		var lingering int
		f.deleteLogGroup = func(in *cloudwatchlogs.DeleteLogGroupInput) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
			g := groups["/g"]
			out, err := del(in)
			groups["/g"], lingering = g, 2 // still described for two more reads
			return out, err
		}
		describe := f.describeLogGroups
		f.describeLogGroups = func(in *cloudwatchlogs.DescribeLogGroupsInput) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
			out, err := describe(in)
			if lingering > 0 {
				if lingering--; lingering == 0 {
					delete(groups, "/g")
				}
			}
			return out, err
		}
		require.NoError(t, unitLogs(f).Delete(context.Background(), live))
		assert.Empty(t, groups)
		assert.Equal(t, 4, f.calls.count("DescribeLogGroups"), "one check before, polls after")
	})
	t.Run("already gone", func(t *testing.T) {
		f := memLogs(map[string]*memGroup{})
		require.NoError(t, unitLogs(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteLogGroup")
	})
	t.Run("gone between the check and the delete", func(t *testing.T) {
		groups := map[string]*memGroup{"/g": {tags: o.Tags()}}
		f := memLogs(groups)
		f.deleteLogGroup = func(*cloudwatchlogs.DeleteLogGroupInput) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
			delete(groups, "/g")
			return nil, miscAPIErr("ResourceNotFoundException")
		}
		require.NoError(t, unitLogs(f).Delete(context.Background(), live))
	})
	t.Run("refuses when the tags are no longer ours", func(t *testing.T) {
		groups := map[string]*memGroup{"/g": {tags: map[string]string{}}}
		f := memLogs(groups)
		err := unitLogs(f).Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteLogGroup")
		assert.Contains(t, groups, "/g")
	})
}

// ---- integration tests against the emulator ----

// moto has no AssociateKmsKey/DisassociateKmsKey, so KMS changes are covered by unit tests
// only; the integration tests leave kms_key_id empty.
func integrationLogs(t *testing.T) (*LogGroup, *cloudwatchlogs.Client) {
	t.Helper()
	client := cloudwatchlogs.NewFromConfig(emuConfig(t))
	return NewLogGroup(client), client
}

func TestLogGroupLifecycle(t *testing.T) {
	k, _ := integrationLogs(t)
	o := testOwner(t, "api-logs")
	d := desired(o, "/kindtest/"+o.Suffix+"/api", logsDefaults())
	checkLifecycle(t, tk[spec.LogGroup](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = &spec.LogGroup{RetentionDays: 0}
		return d
	})
}

func TestLogGroupAdoptsUntagged(t *testing.T) {
	emutest.SkipOnLocalStack(t, "4.14.0 silently drops TagResource on a log group created without tags (AWS applies it)")
	k, client := integrationLogs(t)
	ctx := context.Background()
	o := testOwner(t, "api-logs")
	name := "/aws/lambda/kindtest-" + o.Suffix
	// What Lambda does on a function's first invocation when no log group exists.
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	require.NoError(t, err)
	d := desired(o, name, logsDefaults())

	got, err := tk[spec.LogGroup](k).Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), got) })
	assert.Empty(t, tk[spec.LogGroup](k).Diff(d, got))
	assert.Equal(t, d.Tags, got.Tags)
	listed := findOne(t, tk[spec.LogGroup](k), state.Selector{Stack: o.Stack, Suffix: o.Suffix}, o.ID)
	assert.Equal(t, 7, listed.Props.(*spec.LogGroup).RetentionDays)
}

func TestLogGroupRefusesForeignAndListsBySuffix(t *testing.T) {
	k, client := integrationLogs(t)
	ctx := context.Background()
	o := testOwner(t, "api-logs")
	foreign := "/kindtest/" + o.Suffix + "/foreign"
	_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(foreign),
		Tags: map[string]string{"Team": "someone-else"}})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteLogGroup(context.Background(), &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(foreign)})
	})

	_, err = tk[spec.LogGroup](k).Create(ctx, desired(o, foreign, logsDefaults()))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	out, err := client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(foreign)})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	assert.Nil(t, out.LogGroups[0].RetentionInDays, "the foreign group is left untouched")
	tags, err := client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(logsARN(out.LogGroups[0]))})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Team": "someone-else"}, tags.Tags)

	ours, err := tk[spec.LogGroup](k).Create(ctx, desired(o, "/kindtest/"+o.Suffix+"/ours", logsDefaults()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), ours) })
	other, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")
	mine, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1, "the foreign group is not listed")
	assert.Equal(t, ours.Attrs, mine[0].Attrs)
}
