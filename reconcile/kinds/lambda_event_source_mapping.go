package kinds

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// EventSourceMappingAPI is the part of the Lambda API the lambda.event_source_mapping kind
// uses; *lambda.Client satisfies it.
type EventSourceMappingAPI interface {
	CreateEventSourceMapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.CreateEventSourceMappingOutput, error)
	GetEventSourceMapping(ctx context.Context, in *lambda.GetEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error)
	ListEventSourceMappings(ctx context.Context, in *lambda.ListEventSourceMappingsInput, opts ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error)
	UpdateEventSourceMapping(ctx context.Context, in *lambda.UpdateEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error)
	DeleteEventSourceMapping(ctx context.Context, in *lambda.DeleteEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.DeleteEventSourceMappingOutput, error)
	ListTags(ctx context.Context, in *lambda.ListTagsInput, opts ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
	TagResource(ctx context.Context, in *lambda.TagResourceInput, opts ...func(*lambda.Options)) (*lambda.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *lambda.UntagResourceInput, opts ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error)
}

// EventSourceMapping implements lambda.event_source_mapping. Its ID is the mapping's UUID.
//
// A mapping has no physical name: it is identified by its function and source. The spec's
// name is kept in the mapping's Name tag (which the engine treats as the physical name, as for
// EC2), so that List reports the name the planner compares.
//
// source and starting_position force a replacement (UpdateEventSourceMapping cannot change
// them); every other field, the function included, changes in place.
type EventSourceMapping struct {
	api  EventSourceMappingAPI
	wait reconcile.Backoff
}

// NewEventSourceMapping returns the lambda.event_source_mapping kind over api (a
// *lambda.Client).
func NewEventSourceMapping(api EventSourceMappingAPI) *EventSourceMapping {
	return &EventSourceMapping{api: api, wait: reconcile.DefaultBackoff}
}

const (
	esmKind     = "lambda.event_source_mapping"
	esmNameTag  = "Name"
	esmNotFound = awscall.ResourceNotFoundException
	// esmConflict answers a create for a function and source that already have a mapping, and
	// any change while the function or the mapping is busy.
	esmConflict = awscall.ResourceConflictException
	// esmInUse answers a change while the mapping is Creating, Updating or Deleting.
	esmInUse        = awscall.ResourceInUseException
	esmInvalidParam = awscall.InvalidParameterValueException
)

// esmIAMMessages are the InvalidParameterValueException messages Lambda gives while a new role
// or a new role policy is not yet visible to it (IAM is eventually consistent): "The provided
// execution role does not have permissions to call ReceiveMessage on SQS", "Please ensure the
// role can perform the GetRecords, ... Actions on your stream", "... cannot be assumed by Lambda".
var esmIAMMessages = []string{"execution role does not have permissions", "ensure the role can perform", "cannot be assumed"}

// esmIAMNotReady reports whether err is Lambda not yet seeing the role's permissions.
func esmIAMNotReady(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != esmInvalidParam {
		return false
	}
	msg := strings.ToLower(ae.ErrorMessage())
	return slices.ContainsFunc(esmIAMMessages, func(m string) bool { return strings.Contains(msg, m) })
}

// esmRetryWrite retries throttling, a busy mapping or function, and IAM propagation.
func esmRetryWrite(err error) bool {
	return awscall.RetryCodes(esmConflict, esmInUse)(err) || esmIAMNotReady(err)
}

func (*EventSourceMapping) Kind() string { return esmKind }

// Diff compares every field; source and starting_position force a replacement. The function
// is compared by name, so a name and an ARN of one function are equal.
func (*EventSourceMapping) Diff(d reconcile.Want[*spec.EventSourceMapping], live reconcile.Have[*spec.EventSourceMapping]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("function", esmFunctionName(l.Function), esmFunctionName(w.Function))
	ds.ForceNew("source", l.Source, w.Source)
	ds.ForceNew("starting_position", l.StartingPosition, w.StartingPosition)
	ds.Field("batch_size", l.BatchSize, w.BatchSize)
	ds.Field("maximum_batching_window_seconds", l.MaximumBatchingWindowSecs, w.MaximumBatchingWindowSecs)
	ds.Field("parallelization_factor", l.ParallelizationFactor, w.ParallelizationFactor)
	ds.Field("maximum_retry_attempts", l.MaximumRetryAttempts, w.MaximumRetryAttempts)
	ds.Field("maximum_record_age_seconds", l.MaximumRecordAgeSeconds, w.MaximumRecordAgeSeconds)
	ds.Field("bisect_batch_on_function_error", l.BisectBatchOnFunctionError, w.BisectBatchOnFunctionError)
	ds.Field("report_batch_item_failures", l.ReportBatchItemFailures, w.ReportBatchItemFailures)
	ds.Field("on_failure", l.OnFailure, w.OnFailure)
	ds.Field("enabled", l.Enabled, w.Enabled)
	return ds
}

// List reads the tags of the candidate mappings (ListEventSourceMappings carries none) and
// returns the matching ones, each read again with GetEventSourceMapping (except in a hinted
// discovery, whose plan does that for the mappings it would change): LocalStack 4.14.0's
// listing answers the State the replaced poller wrote into its store after an
// UpdateEventSourceMapping (Disabling, then Disabled), and only Get answers the state of the
// poller that runs (AWS's two agree). A mapping has no name, so a candidate is one whose
// function or source is named the way the suffix's resources are: a mapping between a function
// and a source that both lie outside the stack's names is not found (in the spec the function
// is nearly always the stack's own).
func (k *EventSourceMapping) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	ms, err := k.mappings(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list lambda event source mappings: %w", err)
	}
	var candidates []types.EventSourceMappingConfiguration
	for _, m := range ms {
		if sel.MayName(fnNameOf(aws.ToString(m.FunctionArn))) || sel.MayName(esmSourceName(aws.ToString(m.EventSourceArn))) {
			candidates = append(candidates, m) // else neither end is named our way: its tags are not read
		}
	}
	// Each candidate's reads wait for nothing of another's: gathered, the stack's mappings cost
	// two rounds, not two each.
	out, err := awscall.Gather(ctx, candidates, func(ctx context.Context, m types.EventSourceMappingConfiguration) (state.Resource, bool, error) {
		return k.listed(ctx, sel, m)
	})
	if err != nil {
		return nil, fmt.Errorf("list lambda event source mappings: %w", err)
	}
	return out, nil
}

// listed reads one candidate of List: its tags, and when they are sel's, its state.
func (k *EventSourceMapping) listed(ctx context.Context, sel state.Selector, m types.EventSourceMappingConfiguration) (state.Resource, bool, error) {
	arn := aws.ToString(m.EventSourceMappingArn)
	tags, err := ownedTags(ctx, k.Kind(), arn, func(ctx context.Context) (map[string]string, error) { return k.tags(ctx, arn) })
	if awscall.Skippable(ctx, k.Kind(), aws.ToString(m.UUID), err) {
		return state.Resource{}, false, nil // deleted since the listing, or not ours to read
	}
	if err != nil || !sel.Matches(tags) {
		return state.Resource{}, false, err
	}
	if !esmMoving(m) && reconcile.Hinted(ctx, k.Kind()) {
		return esmResource(m, tags), true, nil // a plan that changes it reads it with Get first
	}
	uuid := aws.ToString(m.UUID)
	m, err = k.rested(ctx, uuid)
	if awscall.Skippable(ctx, k.Kind(), uuid, err) {
		return state.Resource{}, false, nil
	}
	if err != nil {
		return state.Resource{}, false, err
	}
	return esmResource(m, tags), true, nil
}

// rested reads the mapping of uuid, again while it moves between states: right after
// UpdateEventSourceMapping AWS answers Updating, and whether the mapping is enabled shows only
// once it rests. Read as it is, a mapping updated by hand would be planned as disabled and
// re-enabled.
func (k *EventSourceMapping) rested(ctx context.Context, uuid string) (types.EventSourceMappingConfiguration, error) {
	var m types.EventSourceMappingConfiguration
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		got, err := k.get(ctx, uuid)
		if err != nil {
			return true, err // get retried what can be retried
		}
		m = got
		if esmMoving(m) {
			return false, fmt.Errorf("lambda event source mapping %s: state %s", aws.ToString(m.UUID), aws.ToString(m.State))
		}
		return true, nil
	})
	return m, err
}

// mappings lists the mappings of one source ("" for all), every page.
func (k *EventSourceMapping) mappings(ctx context.Context, source string) ([]types.EventSourceMappingConfiguration, error) {
	in := &lambda.ListEventSourceMappingsInput{}
	if source != "" {
		in.EventSourceArn = aws.String(source)
	}
	return awscall.Pages(ctx, k.wait, awscall.RetryCodes(), in, &in.Marker, k.api.ListEventSourceMappings,
		func(o *lambda.ListEventSourceMappingsOutput) ([]types.EventSourceMappingConfiguration, *string) {
			return o.EventSourceMappings, o.NextMarker
		})
}

// existing returns the mappings from p's source to p's function. It lists by source alone and
// compares function names itself: Lambda accepts a name or an ARN for FunctionName, and moto
// filters on the string the mapping was created with (see esmFunctionName).
func (k *EventSourceMapping) existing(ctx context.Context, p *spec.EventSourceMapping) ([]types.EventSourceMappingConfiguration, error) {
	ms, err := k.mappings(ctx, p.Source)
	if err != nil {
		return nil, err
	}
	want := esmFunctionName(p.Function)
	return slices.DeleteFunc(ms, func(m types.EventSourceMappingConfiguration) bool {
		return aws.ToString(m.EventSourceArn) != p.Source || esmFunctionName(aws.ToString(m.FunctionArn)) != want
	}), nil
}

// Create looks for a mapping from d's source to d's function first and adopts it when it
// carries d's ownership tags (refuses it otherwise); else it creates one with the tags in
// CreateEventSourceMapping and waits until it is Enabled or Disabled. The look-up comes first
// because not every endpoint refuses a duplicate mapping (moto accepts one for SQS sources).
func (k *EventSourceMapping) Create(ctx context.Context, d reconcile.Want[*spec.EventSourceMapping]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) { return k.tryCreate(ctx, d) })
}

// tryCreate is one attempt of Create: adopt an earlier attempt if there is one, else send the
// create call once (awscall.Once), whose unknown outcome Settle settles by trying again.
func (k *EventSourceMapping) tryCreate(ctx context.Context, d reconcile.Want[*spec.EventSourceMapping]) (state.Resource, error) {
	p := d.Props
	found, err := k.existing(ctx, p)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda event source mapping %s: %w", d.Name, err)
	}
	if len(found) == 0 {
		var uuid string
		if uuid, found, err = k.create(ctx, d, p); err != nil {
			return state.Resource{}, fmt.Errorf("create lambda event source mapping %s: %w", d.Name, err)
		}
		if uuid != "" {
			return k.settle(ctx, d, uuid, "create")
		}
	}
	return k.adopt(ctx, d, found)
}

// create calls CreateEventSourceMapping, retrying IAM propagation and a busy function. A
// conflict that turns out to be an existing mapping (created by a racing run) is returned as
// found instead, for Create to adopt or refuse.
func (k *EventSourceMapping) create(ctx context.Context, d reconcile.Want[*spec.EventSourceMapping], p *spec.EventSourceMapping) (uuid string, found []types.EventSourceMappingConfiguration, err error) {
	in := esmCreateInput(d.Desired, p)
	start := time.Now()
	err = awscall.Within(k.wait, awscall.RoleBudget).Retry(ctx, esmRetryWrite, func(ctx context.Context) error {
		out, err := awscall.Call(awscall.Once(ctx), func(ctx context.Context) (*lambda.CreateEventSourceMappingOutput, error) {
			return k.api.CreateEventSourceMapping(ctx, in)
		})
		if esmIAMNotReady(err) {
			awscall.NoteRoleWait(ctx, start, "the role of function "+p.Function+" to Lambda's poller", err)
		}
		if err == nil {
			uuid = aws.ToString(out.UUID)
			return nil
		}
		if !awscall.Is(err, esmConflict) {
			return err
		}
		var lookErr error
		if found, lookErr = k.existing(ctx, p); lookErr != nil || len(found) > 0 {
			return lookErr
		}
		return fmt.Errorf("%w (no mapping from %s to %s is listed)", err, p.Source, p.Function)
	})
	return uuid, found, err
}

// adopt takes over the one of found that carries d's ownership tags and brings it to d; when
// none does, it refuses and names the first.
func (k *EventSourceMapping) adopt(ctx context.Context, d reconcile.Want[*spec.EventSourceMapping], found []types.EventSourceMappingConfiguration) (state.Resource, error) {
	var first map[string]string
	for _, m := range found {
		tags, err := k.tags(ctx, aws.ToString(m.EventSourceMappingArn))
		if errors.Is(err, reconcile.ErrNotFound) {
			continue
		}
		if err != nil {
			return state.Resource{}, fmt.Errorf("create lambda event source mapping %s: %w", d.Name, err)
		}
		if !d.Owner.Owns(tags) {
			if first == nil {
				first = tags
			}
			continue
		}
		live := esmResource(m, tags)
		if esmStable(m) && esmSettled(k, d, live) {
			return live, nil
		}
		return miscAdopt(ctx, k, d, live)
	}
	if first == nil {
		return state.Resource{}, fmt.Errorf("create lambda event source mapping %s: the existing mapping vanished: %w", d.Name, reconcile.ErrNotFound)
	}
	m := found[0]
	subject := fmt.Sprintf("%s (%s to %s)", aws.ToString(m.UUID), aws.ToString(m.EventSourceArn), aws.ToString(m.FunctionArn))
	return state.Resource{}, fmt.Errorf("create lambda event source mapping %s: %w", d.Name, awscall.NotOwned("lambda event source mapping", subject, first))
}

// Update sends the fields that differ, makes the tags equal d's (plus the Name tag), and waits
// until the mapping is Enabled or Disabled and shows d.
func (k *EventSourceMapping) Update(ctx context.Context, d reconcile.Want[*spec.EventSourceMapping], live reconcile.Have[*spec.EventSourceMapping], changes reconcile.Changes) (state.Resource, error) {
	w, l := d.Props, live.Props
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update lambda event source mapping %s: %w", d.Name, awscall.NotOwned("lambda event source mapping", live.ID, live.Tags))
	}
	if in, changed := esmUpdateInput(live.ID, l, w); changed {
		err := k.wait.Retry(ctx, esmRetryWrite, func(ctx context.Context) error {
			_, err := awscall.Call(ctx, func(ctx context.Context) (*lambda.UpdateEventSourceMappingOutput, error) {
				return k.api.UpdateEventSourceMapping(ctx, in)
			})
			return awscall.NotFound(err, esmNotFound)
		})
		if err != nil {
			return state.Resource{}, fmt.Errorf("update lambda event source mapping %s: %w", d.Name, err)
		}
	}
	if err := k.syncTags(ctx, live.Attrs["arn"], live.Tags, esmWantTags(d.Desired)); err != nil {
		return state.Resource{}, fmt.Errorf("update lambda event source mapping %s: tags: %w", d.Name, err)
	}
	return k.settle(ctx, d, live.ID, "update")
}

func (k *EventSourceMapping) syncTags(ctx context.Context, arn string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		return awscall.Do(ctx, k.wait, esmRetryWrite, func(ctx context.Context) error {
			_, err := k.api.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: set})
			return err
		})
	}, func(keys []string) error {
		return awscall.Do(ctx, k.wait, esmRetryWrite, func(ctx context.Context) error {
			_, err := k.api.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: keys})
			return err
		})
	})
}

// settle waits until the mapping is out of its transitional states (Creating, Updating,
// Enabling, …) and shows d, and returns it observed. Right after a create, Get may briefly not
// find it.
func (k *EventSourceMapping) settle(ctx context.Context, d reconcile.Want[*spec.EventSourceMapping], uuid, op string) (state.Resource, error) {
	var got state.Resource
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		m, err := k.get(ctx, uuid)
		if err != nil {
			return !errors.Is(err, reconcile.ErrNotFound), err
		}
		if !esmStable(m) {
			return false, fmt.Errorf("state %s", aws.ToString(m.State))
		}
		tags, err := k.tags(ctx, aws.ToString(m.EventSourceMappingArn))
		if err != nil {
			return !errors.Is(err, reconcile.ErrNotFound), err
		}
		got = esmResource(m, tags)
		if !esmSettled(k, d, got) {
			return false, errors.New("the change is not visible yet")
		}
		return true, nil
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("%s lambda event source mapping %s: wait for %s: %w", op, d.Name, uuid, err)
	}
	return got, nil
}

// Delete re-reads the mapping and its tags, deletes it only when they still are live's
// ownership tags, and waits until Get no longer finds it (it passes through Deleting).
func (k *EventSourceMapping) Delete(ctx context.Context, live state.Resource) error {
	m, err := k.get(ctx, live.ID)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete lambda event source mapping %s: %w", live.ID, err)
	}
	tags, err := k.tags(ctx, aws.ToString(m.EventSourceMappingArn))
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete lambda event source mapping %s: %w", live.ID, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete lambda event source mapping %s: %w", live.ID, awscall.NotOwned("lambda event source mapping", live.ID, tags))
	}
	if aws.ToString(m.State) != "Deleting" {
		err = awscall.Do(ctx, k.wait, esmRetryWrite, func(ctx context.Context) error {
			_, err := k.api.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(live.ID)})
			return awscall.NotFound(err, esmNotFound)
		})
		if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
			return fmt.Errorf("delete lambda event source mapping %s: %w", live.ID, err)
		}
	}
	return k.waitGone(ctx, live.ID)
}

func (k *EventSourceMapping) waitGone(ctx context.Context, uuid string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		m, err := k.get(ctx, uuid)
		switch {
		case errors.Is(err, reconcile.ErrNotFound):
			return true, nil
		case err != nil:
			return false, err
		}
		return false, fmt.Errorf("state %s", aws.ToString(m.State))
	})
	if err != nil {
		return fmt.Errorf("delete lambda event source mapping %s: wait until gone: %w", uuid, err)
	}
	return nil
}

// get reads one mapping by UUID, as the listing's type.
func (k *EventSourceMapping) get(ctx context.Context, uuid string) (types.EventSourceMappingConfiguration, error) {
	var out *lambda.GetEventSourceMappingOutput
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = k.api.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		return err
	})
	if err != nil {
		return types.EventSourceMappingConfiguration{}, awscall.NotFound(err, esmNotFound)
	}
	return types.EventSourceMappingConfiguration{
		UUID: out.UUID, EventSourceMappingArn: out.EventSourceMappingArn, FunctionArn: out.FunctionArn,
		EventSourceArn: out.EventSourceArn, State: out.State, BatchSize: out.BatchSize,
		MaximumBatchingWindowInSeconds: out.MaximumBatchingWindowInSeconds, StartingPosition: out.StartingPosition,
		ParallelizationFactor: out.ParallelizationFactor,
		MaximumRetryAttempts:  out.MaximumRetryAttempts, MaximumRecordAgeInSeconds: out.MaximumRecordAgeInSeconds,
		BisectBatchOnFunctionError: out.BisectBatchOnFunctionError, FunctionResponseTypes: out.FunctionResponseTypes,
		DestinationConfig: out.DestinationConfig,
	}, nil
}

func (k *EventSourceMapping) tags(ctx context.Context, arn string) (map[string]string, error) {
	var out *lambda.ListTagsOutput
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = k.api.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
		return err
	})
	if err != nil {
		return nil, awscall.NotFound(err, esmNotFound)
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}

// esmWantTags is d's tags plus the Name tag carrying d's name.
func esmWantTags(d reconcile.Desired) map[string]string {
	tags := maps.Clone(d.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	if d.Name != "" {
		tags[esmNameTag] = d.Name
	}
	return tags
}

// esmSettled reports whether r shows d: no property diff, and d's tags with the Name tag.
func esmSettled(k *EventSourceMapping, d reconcile.Want[*spec.EventSourceMapping], r state.Resource) bool {
	h, err := reconcile.HaveOf[spec.EventSourceMapping](k.Kind(), r)
	return err == nil && len(k.Diff(d, h)) == 0 && reconcile.Equal(r.Tags, esmWantTags(d.Desired))
}

// esmStable reports whether m is in a resting state: Enabled or Disabled.
func esmStable(m types.EventSourceMappingConfiguration) bool {
	s := aws.ToString(m.State)
	return s == "Enabled" || s == "Disabled"
}

// esmMoving reports whether m is on its way to Enabled or Disabled. Deleting is not waited
// for: the mapping is going, and Delete and destroy wait for that themselves.
func esmMoving(m types.EventSourceMappingConfiguration) bool {
	switch aws.ToString(m.State) {
	case "Creating", "Enabling", "Disabling", "Updating":
		return true
	}
	return false
}

// esmIsStream reports whether source is a stream (DynamoDB or Kinesis), which takes the
// stream-only settings; SQS refuses them.
func esmIsStream(source string) bool {
	parts := strings.SplitN(source, ":", 4)
	return len(parts) == 4 && (parts[2] == "dynamodb" || parts[2] == "kinesis")
}

// esmFunctionName reduces a function name or ARN (with an optional qualifier) to the name
// (with the qualifier): arn:aws:lambda:r:a:function:name[:q] → name[:q].
func esmFunctionName(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	parts := strings.SplitN(s, ":", 8)
	if len(parts) < 7 {
		return s
	}
	if len(parts) == 8 {
		return parts[6] + ":" + parts[7]
	}
	return parts[6]
}

// esmCreateInput sends what applies to the source type; unset optional fields are left to
// Lambda's defaults, which are the spec's.
func esmCreateInput(d reconcile.Desired, p *spec.EventSourceMapping) *lambda.CreateEventSourceMappingInput {
	in := &lambda.CreateEventSourceMappingInput{
		FunctionName:   aws.String(p.Function),
		EventSourceArn: aws.String(p.Source),
		BatchSize:      aws.Int32(int32(p.BatchSize)),
		Enabled:        aws.Bool(p.Enabled),
		Tags:           esmWantTags(d),
	}
	if p.MaximumBatchingWindowSecs > 0 {
		in.MaximumBatchingWindowInSeconds = aws.Int32(int32(p.MaximumBatchingWindowSecs))
	}
	if p.ReportBatchItemFailures {
		in.FunctionResponseTypes = []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}
	}
	if !esmIsStream(p.Source) {
		return in
	}
	in.StartingPosition = types.EventSourcePosition(p.StartingPosition)
	in.ParallelizationFactor = aws.Int32(int32(max(p.ParallelizationFactor, 1)))
	in.MaximumRetryAttempts = aws.Int32(int32(p.MaximumRetryAttempts))
	in.MaximumRecordAgeInSeconds = aws.Int32(int32(p.MaximumRecordAgeSeconds))
	in.BisectBatchOnFunctionError = aws.Bool(p.BisectBatchOnFunctionError)
	if p.OnFailure != "" {
		in.DestinationConfig = esmDestination(p.OnFailure)
	}
	return in
}

// esmUpdateInput carries the fields that differ between live and want; changed is false when
// none does. Stream-only fields go only to stream sources.
func esmUpdateInput(uuid string, live, want *spec.EventSourceMapping) (in *lambda.UpdateEventSourceMappingInput, changed bool) {
	in = &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid)}
	set := func(differs bool, apply func()) {
		if differs {
			apply()
			changed = true
		}
	}
	set(esmFunctionName(live.Function) != esmFunctionName(want.Function), func() { in.FunctionName = aws.String(want.Function) })
	set(live.BatchSize != want.BatchSize, func() { in.BatchSize = aws.Int32(int32(want.BatchSize)) })
	set(live.MaximumBatchingWindowSecs != want.MaximumBatchingWindowSecs, func() {
		in.MaximumBatchingWindowInSeconds = aws.Int32(int32(want.MaximumBatchingWindowSecs))
	})
	set(live.ReportBatchItemFailures != want.ReportBatchItemFailures, func() {
		in.FunctionResponseTypes = []types.FunctionResponseType{} // an empty list removes it
		if want.ReportBatchItemFailures {
			in.FunctionResponseTypes = append(in.FunctionResponseTypes, types.FunctionResponseTypeReportBatchItemFailures)
		}
	})
	set(live.Enabled != want.Enabled, func() { in.Enabled = aws.Bool(want.Enabled) })
	if !esmIsStream(want.Source) {
		return in, changed
	}
	set(live.ParallelizationFactor != want.ParallelizationFactor, func() {
		in.ParallelizationFactor = aws.Int32(int32(max(want.ParallelizationFactor, 1)))
	})
	set(live.MaximumRetryAttempts != want.MaximumRetryAttempts, func() { in.MaximumRetryAttempts = aws.Int32(int32(want.MaximumRetryAttempts)) })
	set(live.MaximumRecordAgeSeconds != want.MaximumRecordAgeSeconds, func() {
		in.MaximumRecordAgeInSeconds = aws.Int32(int32(want.MaximumRecordAgeSeconds))
	})
	set(live.BisectBatchOnFunctionError != want.BisectBatchOnFunctionError, func() {
		in.BisectBatchOnFunctionError = aws.Bool(want.BisectBatchOnFunctionError)
	})
	set(live.OnFailure != want.OnFailure, func() { in.DestinationConfig = esmDestination(want.OnFailure) })
	return in, changed
}

// esmDestination is the on-failure destination; an empty arn (an OnFailure without a
// destination) removes it.
func esmDestination(arn string) *types.DestinationConfig {
	onFailure := &types.OnFailure{}
	if arn != "" {
		onFailure.Destination = aws.String(arn)
	}
	return &types.DestinationConfig{OnFailure: onFailure}
}

// esmResource observes m. Unset stream-only fields read as the spec's defaults, which are
// Lambda's: -1 for retries and record age, 1 for the parallelization factor (a queue has none).
func esmResource(m types.EventSourceMappingConfiguration, tags map[string]string) state.Resource {
	owner, _ := state.OwnerOf(tags)
	uuid := aws.ToString(m.UUID)
	name := tags[esmNameTag]
	if name == "" {
		name = uuid
	}
	p := &spec.EventSourceMapping{
		Function:                   esmFunctionName(aws.ToString(m.FunctionArn)),
		Source:                     aws.ToString(m.EventSourceArn),
		BatchSize:                  int(aws.ToInt32(m.BatchSize)),
		MaximumBatchingWindowSecs:  int(aws.ToInt32(m.MaximumBatchingWindowInSeconds)),
		ParallelizationFactor:      max(int(aws.ToInt32(m.ParallelizationFactor)), 1),
		StartingPosition:           string(m.StartingPosition),
		MaximumRetryAttempts:       -1,
		MaximumRecordAgeSeconds:    -1,
		BisectBatchOnFunctionError: aws.ToBool(m.BisectBatchOnFunctionError),
		ReportBatchItemFailures:    slices.Contains(m.FunctionResponseTypes, types.FunctionResponseTypeReportBatchItemFailures),
		Enabled:                    aws.ToString(m.State) == "Enabled" || aws.ToString(m.State) == "Enabling",
	}
	if m.MaximumRetryAttempts != nil {
		p.MaximumRetryAttempts = int(*m.MaximumRetryAttempts)
	}
	if m.MaximumRecordAgeInSeconds != nil {
		p.MaximumRecordAgeSeconds = int(*m.MaximumRecordAgeInSeconds)
	}
	if m.DestinationConfig != nil && m.DestinationConfig.OnFailure != nil {
		p.OnFailure = aws.ToString(m.DestinationConfig.OnFailure.Destination)
	}
	return state.Resource{
		Kind: esmKind, Owner: owner, ID: uuid, Name: name, Tags: tags, Props: p,
		Attrs: map[string]string{"id": uuid, "arn": aws.ToString(m.EventSourceMappingArn)},
	}
}

// esmSourceName is the name part of a source ARN (a queue's name, or a table's and its
// stream's: arn:aws:dynamodb:…:table/name/stream/label).
func esmSourceName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	return parts[len(parts)-1]
}
