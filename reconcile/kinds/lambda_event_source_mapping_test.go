package kinds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// fakeLambdaESM is EventSourceMappingAPI with one function field per operation; a nil field
// fails the call.
type fakeLambdaESM struct {
	calls    fakeCalls
	create   func(*lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error)
	get      func(*lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error)
	list     func(*lambda.ListEventSourceMappingsInput) (*lambda.ListEventSourceMappingsOutput, error)
	update   func(*lambda.UpdateEventSourceMappingInput) (*lambda.UpdateEventSourceMappingOutput, error)
	del      func(*lambda.DeleteEventSourceMappingInput) (*lambda.DeleteEventSourceMappingOutput, error)
	listTags func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error)
	tag      func(*lambda.TagResourceInput) (*lambda.TagResourceOutput, error)
	untag    func(*lambda.UntagResourceInput) (*lambda.UntagResourceOutput, error)
}

func (f *fakeLambdaESM) CreateEventSourceMapping(_ context.Context, in *lambda.CreateEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.CreateEventSourceMappingOutput, error) {
	return fakeCall(&f.calls, "CreateEventSourceMapping", f.create, in)
}
func (f *fakeLambdaESM) GetEventSourceMapping(_ context.Context, in *lambda.GetEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error) {
	return fakeCall(&f.calls, "GetEventSourceMapping", f.get, in)
}
func (f *fakeLambdaESM) ListEventSourceMappings(_ context.Context, in *lambda.ListEventSourceMappingsInput, _ ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error) {
	return fakeCall(&f.calls, "ListEventSourceMappings", f.list, in)
}
func (f *fakeLambdaESM) UpdateEventSourceMapping(_ context.Context, in *lambda.UpdateEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error) {
	return fakeCall(&f.calls, "UpdateEventSourceMapping", f.update, in)
}
func (f *fakeLambdaESM) DeleteEventSourceMapping(_ context.Context, in *lambda.DeleteEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.DeleteEventSourceMappingOutput, error) {
	return fakeCall(&f.calls, "DeleteEventSourceMapping", f.del, in)
}
func (f *fakeLambdaESM) ListTags(_ context.Context, in *lambda.ListTagsInput, _ ...func(*lambda.Options)) (*lambda.ListTagsOutput, error) {
	return fakeCall(&f.calls, "ListTags", f.listTags, in)
}
func (f *fakeLambdaESM) TagResource(_ context.Context, in *lambda.TagResourceInput, _ ...func(*lambda.Options)) (*lambda.TagResourceOutput, error) {
	return fakeCall(&f.calls, "TagResource", f.tag, in)
}
func (f *fakeLambdaESM) UntagResource(_ context.Context, in *lambda.UntagResourceInput, _ ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error) {
	return fakeCall(&f.calls, "UntagResource", f.untag, in)
}

const (
	memESMArn   = "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"
	memFnArn    = "arn:aws:lambda:us-east-1:000000000000:function:"
	memQueueArn = "arn:aws:sqs:us-east-1:000000000000:jobs"
	memStream   = "arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/2026-01-01T00:00:00.000"
)

// memMapping is one mapping of memLambdaESM.
type memMapping struct {
	cfg  types.EventSourceMappingConfiguration
	tags map[string]string
}

// memLambdaESM fills every field of a fakeLambdaESM with a small in-memory Lambda; tests
// replace single fields to inject errors. Listing pages by two, to exercise NextMarker.
func memLambdaESM(ms map[string]*memMapping) *fakeLambdaESM {
	f := &fakeLambdaESM{}
	store := memStoreOf(ms, nil, memMissing("ResourceNotFoundException"))
	get := store.get
	byArn := func(arn *string) (*memMapping, error) {
		return get(aws.String(strings.TrimPrefix(aws.ToString(arn), memESMArn)))
	}
	f.create = func(in *lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
		uuid := fmt.Sprintf("uuid-%d", len(ms)+1)
		c := types.EventSourceMappingConfiguration{
			UUID: aws.String(uuid), EventSourceMappingArn: aws.String(memESMArn + uuid),
			FunctionArn: aws.String(memFnArn + esmFunctionName(aws.ToString(in.FunctionName))), EventSourceArn: in.EventSourceArn,
			BatchSize: in.BatchSize, MaximumBatchingWindowInSeconds: aws.Int32(aws.ToInt32(in.MaximumBatchingWindowInSeconds)),
			StartingPosition: in.StartingPosition, MaximumRetryAttempts: in.MaximumRetryAttempts,
			MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds, BisectBatchOnFunctionError: in.BisectBatchOnFunctionError,
			FunctionResponseTypes: in.FunctionResponseTypes, DestinationConfig: in.DestinationConfig,
			ParallelizationFactor: in.ParallelizationFactor,
			State:                 aws.String(map[bool]string{true: "Enabled", false: "Disabled"}[aws.ToBool(in.Enabled)]),
		}
		ms[uuid] = &memMapping{cfg: c, tags: maps.Clone(in.Tags)}
		return &lambda.CreateEventSourceMappingOutput{UUID: aws.String(uuid), State: aws.String("Creating")}, nil
	}
	f.get = func(in *lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error) {
		m, err := get(in.UUID)
		if err != nil {
			return nil, err
		}
		return memGetOutput(m.cfg), nil
	}
	f.list = func(in *lambda.ListEventSourceMappingsInput) (*lambda.ListEventSourceMappingsOutput, error) {
		var all []types.EventSourceMappingConfiguration
		for _, uuid := range slices.Sorted(maps.Keys(ms)) {
			if in.EventSourceArn == nil || aws.ToString(ms[uuid].cfg.EventSourceArn) == aws.ToString(in.EventSourceArn) {
				all = append(all, ms[uuid].cfg)
			}
		}
		page, next := memPage(all, in.Marker)
		return &lambda.ListEventSourceMappingsOutput{EventSourceMappings: page, NextMarker: next}, nil
	}
	f.update = func(in *lambda.UpdateEventSourceMappingInput) (*lambda.UpdateEventSourceMappingOutput, error) {
		m, err := get(in.UUID)
		if err != nil {
			return nil, err
		}
		memApplyUpdate(&m.cfg, in)
		return &lambda.UpdateEventSourceMappingOutput{UUID: in.UUID, State: aws.String("Updating")}, nil
	}
	f.del = func(in *lambda.DeleteEventSourceMappingInput) (*lambda.DeleteEventSourceMappingOutput, error) {
		if err := store.remove(in.UUID); err != nil {
			return nil, err
		}
		return &lambda.DeleteEventSourceMappingOutput{UUID: in.UUID, State: aws.String("Deleting")}, nil
	}
	f.listTags = func(in *lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
		m, err := byArn(in.Resource)
		if err != nil {
			return nil, err
		}
		return &lambda.ListTagsOutput{Tags: maps.Clone(m.tags)}, nil
	}
	f.tag = func(in *lambda.TagResourceInput) (*lambda.TagResourceOutput, error) {
		m, err := byArn(in.Resource)
		if err != nil {
			return nil, err
		}
		maps.Copy(m.tags, in.Tags)
		return &lambda.TagResourceOutput{}, nil
	}
	f.untag = func(in *lambda.UntagResourceInput) (*lambda.UntagResourceOutput, error) {
		m, err := byArn(in.Resource)
		if err != nil {
			return nil, err
		}
		for _, k := range in.TagKeys {
			delete(m.tags, k)
		}
		return &lambda.UntagResourceOutput{}, nil
	}
	return f
}

func memGetOutput(c types.EventSourceMappingConfiguration) *lambda.GetEventSourceMappingOutput {
	return &lambda.GetEventSourceMappingOutput{
		UUID: c.UUID, EventSourceMappingArn: c.EventSourceMappingArn, FunctionArn: c.FunctionArn, EventSourceArn: c.EventSourceArn,
		State: c.State, BatchSize: c.BatchSize, MaximumBatchingWindowInSeconds: c.MaximumBatchingWindowInSeconds,
		StartingPosition: c.StartingPosition, MaximumRetryAttempts: c.MaximumRetryAttempts,
		MaximumRecordAgeInSeconds: c.MaximumRecordAgeInSeconds, BisectBatchOnFunctionError: c.BisectBatchOnFunctionError,
		FunctionResponseTypes: c.FunctionResponseTypes, DestinationConfig: c.DestinationConfig,
		ParallelizationFactor: c.ParallelizationFactor,
	}
}

func memApplyUpdate(c *types.EventSourceMappingConfiguration, in *lambda.UpdateEventSourceMappingInput) {
	if in.FunctionName != nil {
		c.FunctionArn = aws.String(memFnArn + esmFunctionName(*in.FunctionName))
	}
	for dst, src := range map[**int32]*int32{&c.BatchSize: in.BatchSize, &c.MaximumBatchingWindowInSeconds: in.MaximumBatchingWindowInSeconds,
		&c.MaximumRetryAttempts: in.MaximumRetryAttempts, &c.MaximumRecordAgeInSeconds: in.MaximumRecordAgeInSeconds,
		&c.ParallelizationFactor: in.ParallelizationFactor} {
		if src != nil {
			*dst = src
		}
	}
	if in.BisectBatchOnFunctionError != nil {
		c.BisectBatchOnFunctionError = in.BisectBatchOnFunctionError
	}
	if in.FunctionResponseTypes != nil {
		c.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.DestinationConfig != nil {
		c.DestinationConfig = in.DestinationConfig
	}
	if in.Enabled != nil {
		c.State = aws.String(map[bool]string{true: "Enabled", false: "Disabled"}[*in.Enabled])
	}
}

// ourMapping is a memMapping from memQueueArn to the function "worker" carrying o's tags.
func ourMapping(uuid string, o state.Owner, source string) *memMapping {
	tags := o.Tags()
	tags["Name"] = "jobs-dev"
	return &memMapping{tags: tags, cfg: types.EventSourceMappingConfiguration{
		UUID: aws.String(uuid), EventSourceMappingArn: aws.String(memESMArn + uuid), FunctionArn: aws.String(memFnArn + "worker"),
		EventSourceArn: aws.String(source), BatchSize: aws.Int32(10), MaximumBatchingWindowInSeconds: aws.Int32(0),
		State: aws.String("Enabled"),
	}}
}

func esmDefaults() *spec.EventSourceMapping {
	return specDefaults[*spec.EventSourceMapping]("lambda.event_source_mapping")
}

// esmQueueProps maps memQueueArn to "worker" (given as an ARN, as the spec's ${fn.arn} does).
func esmQueueProps() *spec.EventSourceMapping {
	p := esmDefaults()
	p.Function, p.Source, p.BatchSize = memFnArn+"worker", memQueueArn, 10
	return p
}

func unitESM(api EventSourceMappingAPI) *EventSourceMapping {
	k := NewEventSourceMapping(api)
	k.wait = reconcile.InstantBackoff
	return k
}

func TestEventSourceMappingDiff(t *testing.T) {
	cases := []struct {
		name     string
		change   func(p *spec.EventSourceMapping)
		path     string
		forceNew bool
	}{
		{name: "no change", change: func(*spec.EventSourceMapping) {}},
		{name: "function by name equals its ARN", change: func(p *spec.EventSourceMapping) { p.Function = "worker" }},
		{name: "function", change: func(p *spec.EventSourceMapping) { p.Function = "other" }, path: "function"},
		{name: "batch size", change: func(p *spec.EventSourceMapping) { p.BatchSize = 5 }, path: "batch_size"},
		{name: "batching window", change: func(p *spec.EventSourceMapping) { p.MaximumBatchingWindowSecs = 5 }, path: "maximum_batching_window_seconds"},
		{name: "parallelization factor", change: func(p *spec.EventSourceMapping) { p.ParallelizationFactor = 4 }, path: "parallelization_factor"},
		{name: "retries", change: func(p *spec.EventSourceMapping) { p.MaximumRetryAttempts = 2 }, path: "maximum_retry_attempts"},
		{name: "record age", change: func(p *spec.EventSourceMapping) { p.MaximumRecordAgeSeconds = 60 }, path: "maximum_record_age_seconds"},
		{name: "bisect", change: func(p *spec.EventSourceMapping) { p.BisectBatchOnFunctionError = true }, path: "bisect_batch_on_function_error"},
		{name: "report failures", change: func(p *spec.EventSourceMapping) { p.ReportBatchItemFailures = true }, path: "report_batch_item_failures"},
		{name: "on failure", change: func(p *spec.EventSourceMapping) { p.OnFailure = "arn:aws:sqs:us-east-1:0:dlq" }, path: "on_failure"},
		{name: "enabled", change: func(p *spec.EventSourceMapping) { p.Enabled = false }, path: "enabled"},
		{name: "source", change: func(p *spec.EventSourceMapping) { p.Source = memStream }, path: "source", forceNew: true},
		{name: "starting position", change: func(p *spec.EventSourceMapping) { p.StartingPosition = "LATEST" }, path: "starting_position", forceNew: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, live := esmQueueProps(), esmQueueProps()
			live.Function = "worker" // observed: the name
			c.change(want)
			diffs := tk[spec.EventSourceMapping](unitESM(nil)).Diff(desired(miscOwner("m"), "m", want), state.Resource{Props: live})
			if c.path == "" {
				assert.Empty(t, diffs)
				return
			}
			require.Len(t, diffs, 1)
			assert.Equal(t, c.path, diffs[0].Path)
			assert.Equal(t, c.forceNew, diffs[0].ForceNew)
		})
	}
	// Properties of another kind are a wiring mistake: an error, never a diff that could replace.
	diffs, err := tk[spec.EventSourceMapping](unitESM(nil)).Kind.Diff(desired(miscOwner("m"), "m", esmQueueProps()), state.Resource{ID: "u-1", Props: &spec.SQSQueue{}})
	assert.EqualError(t, err, "diff lambda.event_source_mapping u-1: properties are *spec.SQSQueue, want *spec.EventSourceMapping")
	assert.Nil(t, diffs)
}

func TestEventSourceMappingFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"worker":                           "worker",
		"worker:live":                      "worker:live",
		memFnArn + "worker":                "worker",
		memFnArn + "worker:live":           "worker:live",
		"arn:aws:lambda:us-east-1:0:bogus": "arn:aws:lambda:us-east-1:0:bogus",
	} {
		assert.Equal(t, want, esmFunctionName(in), in)
	}
}

func TestEventSourceMappingCreateQueueSendsWhatApplies(t *testing.T) {
	ms := map[string]*memMapping{}
	f := memLambdaESM(ms)
	var sent *lambda.CreateEventSourceMappingInput
	create := f.create
	f.create = func(in *lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
		sent = in
		return create(in)
	}
	gets := 0
	get := f.get
	f.get = func(in *lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error) {
		out, err := get(in)
		if gets++; gets < 3 && err == nil {
			out.State = aws.String("Creating") // Lambda creates asynchronously
		}
		return out, err
	}
	o := miscOwner("jobs")
	p := esmQueueProps()
	p.ReportBatchItemFailures = true
	d := desired(o, "jobs-dev", p)

	got, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), d)
	require.NoError(t, err)
	require.NotNil(t, sent)
	wantTags := maps.Clone(d.Tags)
	wantTags["Name"] = "jobs-dev"
	assert.Equal(t, wantTags, sent.Tags, "ownership, user and Name tags go in the create call")
	assert.Nil(t, sent.MaximumRetryAttempts, "SQS takes no stream-only settings")
	assert.Nil(t, sent.MaximumRecordAgeInSeconds)
	assert.Nil(t, sent.BisectBatchOnFunctionError)
	assert.Nil(t, sent.DestinationConfig)
	assert.Empty(t, sent.StartingPosition)
	assert.Nil(t, sent.MaximumBatchingWindowInSeconds, "a zero window is left to the default")
	assert.Nil(t, sent.ParallelizationFactor, "a queue takes no parallelization factor")
	assert.Equal(t, []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}, sent.FunctionResponseTypes)
	assert.Equal(t, 3, gets, "waits until the mapping leaves Creating")
	assert.Empty(t, tk[spec.EventSourceMapping](unitESM(f)).Diff(d, got))
	assert.Equal(t, "uuid-1", got.ID)
	assert.Equal(t, "jobs-dev", got.Name)
	assert.Equal(t, map[string]string{"id": "uuid-1", "arn": memESMArn + "uuid-1"}, got.Attrs)
	assert.Equal(t, o, got.Owner)
	f.calls.none(t, "UpdateEventSourceMapping", "TagResource", "UntagResource")
}

func TestEventSourceMappingCreateStreamSendsStreamSettings(t *testing.T) {
	f := memLambdaESM(map[string]*memMapping{})
	var sent *lambda.CreateEventSourceMappingInput
	create := f.create
	f.create = func(in *lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
		sent = in
		return create(in)
	}
	p := esmDefaults()
	p.Function, p.Source, p.StartingPosition = "worker", memStream, "LATEST"
	p.MaximumRetryAttempts, p.BisectBatchOnFunctionError, p.OnFailure = 3, true, memQueueArn
	p.ParallelizationFactor, p.MaximumBatchingWindowSecs = 2, 1
	d := desired(miscOwner("events"), "events-dev", p)

	got, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, types.EventSourcePositionLatest, sent.StartingPosition)
	assert.Equal(t, int32(2), aws.ToInt32(sent.ParallelizationFactor))
	assert.Equal(t, int32(1), aws.ToInt32(sent.MaximumBatchingWindowInSeconds))
	assert.Equal(t, int32(3), aws.ToInt32(sent.MaximumRetryAttempts))
	assert.Equal(t, int32(-1), aws.ToInt32(sent.MaximumRecordAgeInSeconds))
	assert.True(t, aws.ToBool(sent.BisectBatchOnFunctionError))
	assert.Equal(t, memQueueArn, aws.ToString(sent.DestinationConfig.OnFailure.Destination))
	assert.Empty(t, tk[spec.EventSourceMapping](unitESM(f)).Diff(d, got))
}

// IAM is eventually consistent: until the role's new policy is visible, Lambda refuses the
// mapping with InvalidParameterValueException naming the role's permissions.
func TestEventSourceMappingCreateRetriesIAMPropagation(t *testing.T) {
	for _, msg := range []string{
		"The provided execution role does not have permissions to call ReceiveMessage on SQS",
		"Cannot access stream arn:x. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
	} {
		f := memLambdaESM(map[string]*memMapping{})
		create, tries := f.create, 0
		f.create = func(in *lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
			if tries++; tries < 3 {
				return nil, &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: msg}
			}
			return create(in)
		}
		_, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), desired(miscOwner("jobs"), "jobs-dev", esmQueueProps()))
		require.NoError(t, err, msg)
		assert.Equal(t, 3, tries)
	}
}

func TestEventSourceMappingCreateDoesNotRetryOtherInvalidParameters(t *testing.T) {
	f := memLambdaESM(map[string]*memMapping{})
	f.create = func(*lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "BatchSize 20000 exceeds the max of 10000"}
	}
	_, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), desired(miscOwner("jobs"), "jobs-dev", esmQueueProps()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "create lambda event source mapping jobs-dev")
	assert.Equal(t, 1, f.calls.count("CreateEventSourceMapping"))
}

// ResourceConflictException without a mapping to show for it means the function is busy
// (being updated): wait and retry. With a mapping, a racing run created it: decide by its tags.
func TestEventSourceMappingCreateConflict(t *testing.T) {
	o := miscOwner("jobs")
	t.Run("busy function is retried", func(t *testing.T) {
		f := memLambdaESM(map[string]*memMapping{})
		create, tries := f.create, 0
		f.create = func(in *lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
			if tries++; tries < 3 {
				return nil, miscAPIErr("ResourceConflictException")
			}
			return create(in)
		}
		_, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), desired(o, "jobs-dev", esmQueueProps()))
		require.NoError(t, err)
		assert.Equal(t, 3, tries)
	})
	for _, tc := range []struct {
		name    string
		tags    map[string]string
		wantErr error
	}{{"racing run of ours is adopted", o.Tags(), nil}, {"someone else's is refused", map[string]string{}, reconcile.ErrNotOwned}} {
		t.Run(tc.name, func(t *testing.T) {
			ms := map[string]*memMapping{}
			f := memLambdaESM(ms)
			f.create = func(*lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
				m := ourMapping("uuid-9", o, memQueueArn)
				m.tags = tc.tags
				ms["uuid-9"] = m
				return nil, &smithy.GenericAPIError{Code: "ResourceConflictException", Message: "The resource already exists."}
			}
			got, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), desired(o, "jobs-dev", esmQueueProps()))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), "uuid-9")
				f.calls.none(t, "UpdateEventSourceMapping", "TagResource", "UntagResource")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "uuid-9", got.ID)
			assert.Equal(t, 1, f.calls.count("CreateEventSourceMapping"))
		})
	}
}

func TestEventSourceMappingCreateAdoptsOurs(t *testing.T) {
	o := miscOwner("jobs")
	ms := map[string]*memMapping{
		"uuid-1": ourMapping("uuid-1", o, memQueueArn),
		"uuid-2": ourMapping("uuid-2", miscOwner("other"), memStream), // another source
	}
	ms["uuid-1"].cfg.BatchSize = aws.Int32(5)
	ms["uuid-1"].tags["Stale"] = "yes"
	f := memLambdaESM(ms)
	var sent *lambda.UpdateEventSourceMappingInput
	update := f.update
	f.update = func(in *lambda.UpdateEventSourceMappingInput) (*lambda.UpdateEventSourceMappingOutput, error) {
		sent = in
		return update(in)
	}
	d := desired(o, "jobs-dev", esmQueueProps())

	got, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), d)
	require.NoError(t, err)
	f.calls.none(t, "CreateEventSourceMapping")
	assert.Equal(t, "uuid-1", got.ID)
	require.NotNil(t, sent)
	assert.Equal(t, &lambda.UpdateEventSourceMappingInput{UUID: aws.String("uuid-1"), BatchSize: aws.Int32(10)}, sent, "only what differs is sent")
	assert.Empty(t, tk[spec.EventSourceMapping](unitESM(f)).Diff(d, got))
	assert.NotContains(t, ms["uuid-1"].tags, "Stale")
	assert.Equal(t, "kindtest", ms["uuid-1"].tags["Project"])
}

func TestEventSourceMappingCreateRefusesForeign(t *testing.T) {
	o := miscOwner("jobs")
	for name, tags := range map[string]map[string]string{
		"untagged":     {},
		"other suffix": state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags(),
		"other id":     state.Owner{Stack: o.Stack, Suffix: o.Suffix, ID: "mail"}.Tags(),
	} {
		t.Run(name, func(t *testing.T) {
			m := ourMapping("uuid-1", o, memQueueArn)
			m.tags = tags
			m.cfg.BatchSize = aws.Int32(3)
			f := memLambdaESM(map[string]*memMapping{"uuid-1": m})
			_, err := tk[spec.EventSourceMapping](unitESM(f)).Create(context.Background(), desired(o, "jobs-dev", esmQueueProps()))
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "uuid-1")
			f.calls.none(t, "CreateEventSourceMapping", "UpdateEventSourceMapping", "TagResource", "UntagResource", "DeleteEventSourceMapping")
			assert.Equal(t, int32(3), aws.ToInt32(m.cfg.BatchSize))
			assert.Equal(t, tags, m.tags)
		})
	}
}

// A mapping is busy while Creating, Updating or Deleting: ResourceInUseException and
// ResourceConflictException on update mean wait and retry.
func TestEventSourceMappingUpdateRetriesBusy(t *testing.T) {
	for _, code := range []string{"ResourceInUseException", "ResourceConflictException", "TooManyRequestsException"} {
		t.Run(code, func(t *testing.T) {
			o := miscOwner("jobs")
			ms := map[string]*memMapping{"uuid-1": ourMapping("uuid-1", o, memQueueArn)}
			ms["uuid-1"].tags["Project"] = "kindtest"
			f := memLambdaESM(ms)
			update, tries := f.update, 0
			f.update = func(in *lambda.UpdateEventSourceMappingInput) (*lambda.UpdateEventSourceMappingOutput, error) {
				if tries++; tries < 3 {
					return nil, miscAPIErr(code)
				}
				return update(in)
			}
			live := esmResource(ms["uuid-1"].cfg, maps.Clone(ms["uuid-1"].tags))
			p := esmQueueProps()
			p.BatchSize = 7
			got, err := tk[spec.EventSourceMapping](unitESM(f)).Update(context.Background(), desired(o, "jobs-dev", p), live)
			require.NoError(t, err)
			assert.Equal(t, 3, tries)
			assert.Equal(t, 7, got.Props.(*spec.EventSourceMapping).BatchSize)
		})
	}
}

func TestEventSourceMappingUpdateRemovals(t *testing.T) {
	o := miscOwner("events")
	m := ourMapping("uuid-1", o, memStream)
	m.tags["Project"] = "kindtest"
	m.tags["Name"] = "events-dev"
	m.cfg.FunctionResponseTypes = []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}
	m.cfg.DestinationConfig = esmDestination(memQueueArn)
	m.cfg.StartingPosition = types.EventSourcePositionLatest
	ms := map[string]*memMapping{"uuid-1": m}
	f := memLambdaESM(ms)
	var sent *lambda.UpdateEventSourceMappingInput
	update := f.update
	f.update = func(in *lambda.UpdateEventSourceMappingInput) (*lambda.UpdateEventSourceMappingOutput, error) {
		sent = in
		return update(in)
	}
	live := esmResource(m.cfg, maps.Clone(m.tags))
	p := *live.Props.(*spec.EventSourceMapping)
	p.ReportBatchItemFailures, p.OnFailure, p.Function = false, "", memFnArn+"other"
	p.ParallelizationFactor = 3
	got, err := tk[spec.EventSourceMapping](unitESM(f)).Update(context.Background(), desired(o, "events-dev", &p), live)
	require.NoError(t, err)
	assert.NotNil(t, sent.FunctionResponseTypes, "an empty list, not an absent one, removes the response type")
	assert.Empty(t, sent.FunctionResponseTypes)
	assert.Nil(t, sent.DestinationConfig.OnFailure.Destination, "an OnFailure without destination removes it")
	assert.Equal(t, memFnArn+"other", aws.ToString(sent.FunctionName))
	assert.Equal(t, int32(3), aws.ToInt32(sent.ParallelizationFactor))
	assert.Nil(t, sent.BatchSize, "only what differs is sent")
	assert.Empty(t, tk[spec.EventSourceMapping](unitESM(f)).Diff(desired(o, "events-dev", &p), got))
}

func TestEventSourceMappingUpdateRefusesWithoutOurTags(t *testing.T) {
	f := memLambdaESM(map[string]*memMapping{})
	live := state.Resource{ID: "uuid-1", Tags: map[string]string{}, Props: esmQueueProps()}
	_, err := tk[spec.EventSourceMapping](unitESM(f)).Update(context.Background(), desired(miscOwner("jobs"), "jobs-dev", esmQueueProps()), live)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Empty(t, f.calls)
}

func TestEventSourceMappingDelete(t *testing.T) {
	o := miscOwner("jobs")
	live := state.Resource{Kind: esmKind, Owner: o, ID: "uuid-1", Attrs: map[string]string{"arn": memESMArn + "uuid-1"}}
	t.Run("deletes and waits until gone", func(t *testing.T) {
		ms := map[string]*memMapping{"uuid-1": ourMapping("uuid-1", o, memQueueArn)}
		f := memLambdaESM(ms)
		del := f.del
		deleting := 0
		f.del = func(in *lambda.DeleteEventSourceMappingInput) (*lambda.DeleteEventSourceMappingOutput, error) {
			deleting = 3 // Lambda answers Get with Deleting for a while
			return del(in)
		}
		get := f.get
		f.get = func(in *lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error) {
			if deleting > 0 {
				deleting--
				return &lambda.GetEventSourceMappingOutput{UUID: in.UUID, State: aws.String("Deleting")}, nil
			}
			return get(in)
		}
		require.NoError(t, unitESM(f).Delete(context.Background(), live))
		assert.Empty(t, ms)
		assert.Equal(t, 0, deleting)
	})
	t.Run("already gone", func(t *testing.T) {
		f := memLambdaESM(map[string]*memMapping{})
		require.NoError(t, unitESM(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteEventSourceMapping")
	})
	t.Run("gone between the check and the delete", func(t *testing.T) {
		f := memLambdaESM(map[string]*memMapping{"uuid-1": ourMapping("uuid-1", o, memQueueArn)})
		f.del = func(*lambda.DeleteEventSourceMappingInput) (*lambda.DeleteEventSourceMappingOutput, error) {
			return nil, miscAPIErr("ResourceNotFoundException")
		}
		f.get = func(*lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error) {
			if f.calls.count("GetEventSourceMapping") == 1 {
				return memGetOutput(ourMapping("uuid-1", o, memQueueArn).cfg), nil
			}
			return nil, miscAPIErr("ResourceNotFoundException")
		}
		require.NoError(t, unitESM(f).Delete(context.Background(), live))
	})
	t.Run("busy mapping is retried", func(t *testing.T) {
		ms := map[string]*memMapping{"uuid-1": ourMapping("uuid-1", o, memQueueArn)}
		f := memLambdaESM(ms)
		del, tries := f.del, 0
		f.del = func(in *lambda.DeleteEventSourceMappingInput) (*lambda.DeleteEventSourceMappingOutput, error) {
			if tries++; tries < 3 {
				return nil, miscAPIErr("ResourceInUseException")
			}
			return del(in)
		}
		require.NoError(t, unitESM(f).Delete(context.Background(), live))
		assert.Equal(t, 3, tries)
		assert.Empty(t, ms)
	})
	t.Run("refuses when the tags are no longer ours", func(t *testing.T) {
		m := ourMapping("uuid-1", o, memQueueArn)
		m.tags = map[string]string{"Team": "x"}
		ms := map[string]*memMapping{"uuid-1": m}
		f := memLambdaESM(ms)
		err := unitESM(f).Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteEventSourceMapping")
		assert.Contains(t, ms, "uuid-1")
	})
	t.Run("other errors surface", func(t *testing.T) {
		f := memLambdaESM(map[string]*memMapping{"uuid-1": ourMapping("uuid-1", o, memQueueArn)})
		f.del = func(*lambda.DeleteEventSourceMappingInput) (*lambda.DeleteEventSourceMappingOutput, error) {
			return nil, miscAPIErr("AccessDeniedException")
		}
		err := unitESM(f).Delete(context.Background(), live)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "delete lambda event source mapping uuid-1")
	})
}

func TestEventSourceMappingListFiltersByTags(t *testing.T) {
	o := miscOwner("jobs")
	ms := map[string]*memMapping{
		"uuid-1": ourMapping("uuid-1", o, memQueueArn),
		"uuid-2": ourMapping("uuid-2", state.Owner{Stack: o.Stack, Suffix: "prod", ID: "jobs"}, memQueueArn),
		"uuid-3": ourMapping("uuid-3", miscOwner("events"), memStream),
		"uuid-4": {tags: map[string]string{"Team": "x"}, cfg: ourMapping("uuid-4", o, memQueueArn).cfg},
		"uuid-5": {tags: map[string]string{state.TagStack: "shop", state.TagSuffix: "dev"}, cfg: ourMapping("uuid-5", o, memQueueArn).cfg},
		"uuid-6": ourMapping("uuid-6", o, "arn:aws:sqs:us-east-1:000000000000:legacy-jobs"), // tagged ours, named neither way
	}
	for id, m := range ms { // our functions are named with the suffix; the sources are not, but for one
		if id != "uuid-6" {
			m.cfg.FunctionArn = aws.String(memFnArn + "worker-dev")
		}
	}
	ms["uuid-3"].cfg.FunctionArn = aws.String(memFnArn + "legacy")
	ms["uuid-3"].cfg.EventSourceArn = aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/events-dev/stream/2026-01-01T00:00:00.000")
	ms["uuid-6"].cfg.FunctionArn = aws.String(memFnArn + "legacy")
	f := memLambdaESM(ms)
	got, err := unitESM(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		assert.Equal(t, esmKind, r.Kind)
		assert.NotEmpty(t, r.Attrs["arn"])
	}
	assert.Equal(t, []string{"uuid-1", "uuid-3"}, ids, "other suffixes, untagged and partly tagged mappings are not listed")
	assert.Equal(t, 3, f.calls.count("ListEventSourceMappings"), "every page is read")
	assert.Equal(t, 5, f.calls.count("ListTags"), "a mapping whose function and source both lack the suffix is not read")
	assert.Equal(t, "worker-dev", got[0].Props.(*spec.EventSourceMapping).Function)
	assert.Equal(t, -1, got[0].Props.(*spec.EventSourceMapping).MaximumRetryAttempts, "absent stream settings read as the spec's defaults")
}

func TestEventSourceMappingListSkipsVanished(t *testing.T) {
	o := miscOwner("jobs")
	f := memLambdaESM(map[string]*memMapping{"uuid-1": ourMapping("uuid-1", o, memQueueArn+"-dev")})
	f.listTags = func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
		return nil, miscAPIErr("ResourceNotFoundException")
	}
	got, err := unitESM(f).List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	assert.Empty(t, got)

	f.listTags = func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
		return nil, miscAPIErr("AccessDeniedException")
	}
	got, err = unitESM(f).List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err, "a mapping we may not read is not ours: skipped, and counted by discovery")
	assert.Empty(t, got)

	f.listTags = func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
		return nil, miscAPIErr("ServiceException")
	}
	_, err = unitESM(f).List(context.Background(), state.Selector{Suffix: "dev"})
	assert.ErrorContains(t, err, "list lambda event source mappings")
}

// A mapping updated by hand answers Updating on AWS (Creating on LocalStack 4.14.0 while it
// starts a new poller) before it rests at Enabled: List reads it once it rests, not as a
// disabled mapping.
func TestEventSourceMappingListWaitsWhileUpdating(t *testing.T) {
	o := miscOwner("jobs")
	m := ourMapping("uuid-1", o, memQueueArn+"-dev") // named the way discovery looks for
	f := memLambdaESM(map[string]*memMapping{"uuid-1": m})
	moving := []string{"Updating", "Creating"}
	m.cfg.State = aws.String(moving[0])
	get := f.get
	f.get = func(in *lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error) {
		moving = moving[1:]
		m.cfg.State = aws.String(append(moving, "Enabled")[0])
		return get(in)
	}
	got, err := unitESM(f).List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, got[0].Props.(*spec.EventSourceMapping).Enabled, "read once it rests")
	assert.Equal(t, 2, f.calls.count("GetEventSourceMapping"), "read until it rests")

	m.cfg.State = aws.String("Updating")
	f.get = func(*lambda.GetEventSourceMappingInput) (*lambda.GetEventSourceMappingOutput, error) {
		return nil, miscAPIErr("ResourceNotFoundException")
	}
	got, err = unitESM(f).List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	assert.Empty(t, got, "deleted while it was read: not listed")
}
