package kinds

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// MetricAlarmAPI is the part of the CloudWatch API the cloudwatch.metric_alarm kind uses;
// *cloudwatch.Client satisfies it.
type MetricAlarmAPI interface {
	PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DeleteAlarms(ctx context.Context, in *cloudwatch.DeleteAlarmsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
	ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *cloudwatch.TagResourceInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *cloudwatch.UntagResourceInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.UntagResourceOutput, error)
}

// NewCloudWatchClient builds the CloudWatch client every endpoint gets: one speaking the AWS
// query protocol. Recent SDK clients default to RPCv2 CBOR, which CloudWatch on AWS and
// LocalStack accept but moto does not read; every endpoint accepts query, so one code path
// serves them all.
func NewCloudWatchClient(cfg aws.Config) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
}

// MetricAlarm implements cloudwatch.metric_alarm. Its ID is the alarm name.
//
// Nothing forces a replacement: PutMetricAlarm replaces an alarm's whole definition in place.
// Because it would just as well overwrite someone else's alarm, Create and Update look the
// name up and check its tags before every put.
type MetricAlarm struct {
	api  MetricAlarmAPI
	wait reconcile.Backoff
}

// NewMetricAlarm returns the cloudwatch.metric_alarm kind over api (a *cloudwatch.Client from
// NewCloudWatchClient).
func NewMetricAlarm(api MetricAlarmAPI) *MetricAlarm {
	return &MetricAlarm{api: api, wait: reconcile.DefaultBackoff}
}

const cwAlarmKind = "cloudwatch.metric_alarm"

var (
	// cwNotFound: DeleteAlarms answers ResourceNotFound, the tagging calls
	// ResourceNotFoundException.
	cwNotFound = []string{"ResourceNotFound", awscall.ResourceNotFoundException}
	// cwRetry adds ConcurrentModificationException, CloudWatch's answer to concurrent tag
	// changes of one alarm, to throttling.
	cwRetry = awscall.RetryCodes(awscall.ConcurrentModificationException)
)

func (*MetricAlarm) Kind() string { return cwAlarmKind }

// Diff compares every field; all change in place. Metrics are compared in id order with
// dimensions as maps, alarm actions as a set.
func (*MetricAlarm) Diff(d reconcile.Want[*spec.MetricAlarm], live reconcile.Have[*spec.MetricAlarm]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("description", l.Description, w.Description)
	ds.Field("comparison_operator", l.ComparisonOperator, w.ComparisonOperator)
	ds.Field("threshold", l.Threshold, w.Threshold)
	ds.Field("evaluation_periods", l.EvaluationPeriods, w.EvaluationPeriods)
	ds.Field("datapoints_to_alarm", l.DatapointsToAlarm, w.DatapointsToAlarm)
	ds.Field("treat_missing_data", l.TreatMissingData, w.TreatMissingData)
	lm, wm := cwSortedQueries(l.Metrics), cwSortedQueries(w.Metrics)
	if len(lm) != len(wm) {
		ds.Field("metrics", lm, wm)
	} else {
		for i := range wm {
			ds.Field(reconcile.Index("metrics", i), lm[i], wm[i])
		}
	}
	ds.Set("alarm_actions", l.AlarmActions, w.AlarmActions)
	return ds
}

// List reads the tags of every metric alarm (DescribeAlarms carries none) and returns the
// matching ones.
func (k *MetricAlarm) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	alarms, err := k.describe(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list cloudwatch alarms: %w", err)
	}
	alarms = slices.DeleteFunc(alarms, func(a types.MetricAlarm) bool {
		return !sel.MayName(aws.ToString(a.AlarmName)) // not named the way we name alarms: its tags are not read
	})
	out, err := awscall.Gather(ctx, alarms, func(ctx context.Context, a types.MetricAlarm) (state.Resource, bool, error) {
		arn := aws.ToString(a.AlarmArn)
		tags, err := ownedTags(ctx, k.Kind(), arn, func(ctx context.Context) (map[string]string, error) { return k.tags(ctx, arn) })
		if awscall.Skippable(ctx, k.Kind(), aws.ToString(a.AlarmName), err) {
			return state.Resource{}, false, nil // deleted since the listing, or not ours to read
		}
		if err != nil || !sel.Matches(tags) {
			return state.Resource{}, false, err
		}
		return cwResource(a, tags), true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list cloudwatch alarms: %w", err)
	}
	return out, nil
}

// describe lists the metric alarms of those names (nil for all), every page.
func (k *MetricAlarm) describe(ctx context.Context, names []string) ([]types.MetricAlarm, error) {
	in := &cloudwatch.DescribeAlarmsInput{AlarmNames: names, AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm}}
	return awscall.Pages(ctx, k.wait, cwRetry, in, &in.NextToken, k.api.DescribeAlarms,
		func(o *cloudwatch.DescribeAlarmsOutput) ([]types.MetricAlarm, *string) {
			return o.MetricAlarms, o.NextToken
		})
}

// find returns the metric alarm of exactly that name; ErrNotFound when there is none.
func (k *MetricAlarm) find(ctx context.Context, name string) (types.MetricAlarm, error) {
	alarms, err := k.describe(ctx, []string{name})
	if err != nil {
		return types.MetricAlarm{}, err
	}
	for _, a := range alarms {
		if aws.ToString(a.AlarmName) == name {
			return a, nil
		}
	}
	return types.MetricAlarm{}, fmt.Errorf("alarm %s: %w", name, reconcile.ErrNotFound)
}

func (k *MetricAlarm) tags(ctx context.Context, arn string) (map[string]string, error) {
	var out *cloudwatch.ListTagsForResourceOutput
	err := awscall.Do(ctx, k.wait, cwRetry, func(ctx context.Context) (err error) {
		out, err = k.api.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		return err
	})
	if err != nil {
		return nil, awscall.NotFound(err, cwNotFound...)
	}
	tags := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// Create adopts an alarm of d's name that carries d's ownership tags and refuses one that does
// not, without writing to it: PutMetricAlarm on an existing name overwrites it. Otherwise it
// puts the alarm with every tag in the put itself. Between the look-up and the put another
// writer could create the name; no conditional put exists to close that window.
func (k *MetricAlarm) Create(ctx context.Context, d reconcile.Want[*spec.MetricAlarm]) (state.Resource, error) {
	p := d.Props
	a, err := k.find(ctx, d.Name)
	switch {
	case err == nil:
		return k.adopt(ctx, d, a)
	case !errors.Is(err, reconcile.ErrNotFound):
		return state.Resource{}, fmt.Errorf("create cloudwatch alarm %s: %w", d.Name, err)
	}
	// The put and the tagging that may have to follow it run to the end even when the run is
	// interrupted (Ctrl-C cancels ctx): where the put's Tags are not stored (LocalStack 4.14.0),
	// stopping between the two leaves an alarm of our name without ownership tags, which the
	// next apply refuses and destroy cannot find.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cwCreateGrace)
	defer cancel()
	if err := k.put(wctx, cwPutInput(d.Name, p, d.Tags)); err != nil {
		return state.Resource{}, fmt.Errorf("create cloudwatch alarm %s: %w", d.Name, err)
	}
	if err := k.tagUnstored(wctx, d); err != nil {
		return state.Resource{}, fmt.Errorf("create cloudwatch alarm %s: tags: %w", d.Name, err)
	}
	return k.settle(ctx, d, "create")
}

// cwCreateGrace bounds the put and tagging of a create that go on after an interruption.
const cwCreateGrace = time.Minute

// tagUnstored applies with TagResource the create's tags that do not read back. AWS ignores
// PutMetricAlarm's Tags when the alarm already exists (a concurrent put of the name), and
// LocalStack 4.14.0 never stores them; without this the alarm would wait for ownership tags
// that never come, and stay behind untagged. It only adds: nothing is removed from the alarm.
func (k *MetricAlarm) tagUnstored(ctx context.Context, d reconcile.Want[*spec.MetricAlarm]) error {
	live, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) { return k.read(ctx, d.Name) }, func(state.Resource) bool { return true },
		func(err error) bool { return errors.Is(err, reconcile.ErrNotFound) })
	if err != nil {
		return err
	}
	set, _ := awscall.TagChanges(live.Tags, d.Tags)
	if len(set) == 0 {
		return nil
	}
	return awscall.Do(ctx, k.wait, cwRetry, func(ctx context.Context) error {
		_, err := k.api.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(live.Attrs["arn"]), Tags: awscall.TagList(set, cwTag)})
		return err
	})
}

func (k *MetricAlarm) adopt(ctx context.Context, d reconcile.Want[*spec.MetricAlarm], a types.MetricAlarm) (state.Resource, error) {
	tags, err := k.tags(ctx, aws.ToString(a.AlarmArn))
	if err != nil {
		return state.Resource{}, fmt.Errorf("create cloudwatch alarm %s: %w", d.Name, err)
	}
	if !d.Owner.Owns(tags) {
		return state.Resource{}, fmt.Errorf("create cloudwatch alarm %s: %w", d.Name, awscall.NotOwned("cloudwatch alarm", d.Name, tags))
	}
	live := cwResource(a, tags)
	if miscSettled(k, d, live) {
		return live, nil
	}
	return miscAdopt(ctx, k, d, live)
}

// Update puts the whole definition again when a property differs (PutMetricAlarm ignores Tags
// for an existing alarm), then makes the tags equal d's and waits until a read shows both.
func (k *MetricAlarm) Update(ctx context.Context, d reconcile.Want[*spec.MetricAlarm], live reconcile.Have[*spec.MetricAlarm], changes reconcile.Changes) (state.Resource, error) {
	p := d.Props
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update cloudwatch alarm %s: %w", d.Name, awscall.NotOwned("cloudwatch alarm", live.Name, live.Tags))
	}
	if len(changes.Except("tags")) > 0 {
		if err := k.put(ctx, cwPutInput(live.Name, p, nil)); err != nil {
			return state.Resource{}, fmt.Errorf("update cloudwatch alarm %s: %w", d.Name, err)
		}
	}
	if err := k.syncTags(ctx, live.Attrs["arn"], live.Tags, d.Tags); err != nil {
		return state.Resource{}, fmt.Errorf("update cloudwatch alarm %s: tags: %w", d.Name, err)
	}
	return k.settle(ctx, d, "update")
}

func (k *MetricAlarm) put(ctx context.Context, in *cloudwatch.PutMetricAlarmInput) error {
	return awscall.Do(ctx, k.wait, cwRetry, func(ctx context.Context) error {
		_, err := k.api.PutMetricAlarm(ctx, in)
		return err
	})
}

func (k *MetricAlarm) syncTags(ctx context.Context, arn string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		return awscall.Do(ctx, k.wait, cwRetry, func(ctx context.Context) error {
			_, err := k.api.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: awscall.TagList(set, cwTag)})
			return err
		})
	}, func(keys []string) error {
		return awscall.Do(ctx, k.wait, cwRetry, func(ctx context.Context) error {
			_, err := k.api.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: keys})
			return err
		})
	})
}

// read is the alarm of that name with its tags.
func (k *MetricAlarm) read(ctx context.Context, name string) (state.Resource, error) {
	a, err := k.find(ctx, name)
	if err != nil {
		return state.Resource{}, err
	}
	tags, err := k.tags(ctx, aws.ToString(a.AlarmArn))
	if err != nil {
		return state.Resource{}, err
	}
	return cwResource(a, tags), nil
}

// settle re-reads the alarm until it shows d (a new alarm may briefly not be described).
func (k *MetricAlarm) settle(ctx context.Context, d reconcile.Want[*spec.MetricAlarm], op string) (state.Resource, error) {
	got, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) { return k.read(ctx, d.Name) }, func(r state.Resource) bool { return miscSettled(k, d, r) },
		func(err error) bool { return errors.Is(err, reconcile.ErrNotFound) })
	if err != nil {
		return state.Resource{}, fmt.Errorf("%s cloudwatch alarm %s: %w", op, d.Name, err)
	}
	return got, nil
}

// Delete re-reads the alarm and its tags, deletes it only when they still are live's
// ownership tags, and waits until it is no longer described. The alarm is looked up before its
// tags: moto keeps a deleted alarm's tags.
func (k *MetricAlarm) Delete(ctx context.Context, live state.Resource) error {
	a, err := k.find(ctx, live.Name)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete cloudwatch alarm %s: %w", live.Name, err)
	}
	tags, err := k.tags(ctx, aws.ToString(a.AlarmArn))
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete cloudwatch alarm %s: %w", live.Name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete cloudwatch alarm %s: %w", live.Name, awscall.NotOwned("cloudwatch alarm", live.Name, tags))
	}
	err = awscall.Do(ctx, k.wait, cwRetry, func(ctx context.Context) error {
		_, err := k.api.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{live.Name}})
		return awscall.NotFound(err, cwNotFound...)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete cloudwatch alarm %s: %w", live.Name, err)
	}
	err = k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		_, err := k.find(ctx, live.Name)
		if errors.Is(err, reconcile.ErrNotFound) {
			return true, nil
		}
		if err == nil {
			err = errors.New("the alarm is still described")
		}
		return false, err
	})
	if err != nil {
		return fmt.Errorf("delete cloudwatch alarm %s: wait until gone: %w", live.Name, err)
	}
	return nil
}

// cwPutInput is the whole alarm definition; tags only go with a create (PutMetricAlarm
// ignores them for an existing alarm). Unset optional fields are left out, which clears them.
func cwPutInput(name string, p *spec.MetricAlarm, tags map[string]string) *cloudwatch.PutMetricAlarmInput {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		ComparisonOperator: types.ComparisonOperator(p.ComparisonOperator),
		Threshold:          aws.Float64(p.Threshold),
		EvaluationPeriods:  aws.Int32(int32(p.EvaluationPeriods)),
		TreatMissingData:   aws.String(p.TreatMissingData),
		Metrics:            cwQueries(p.Metrics),
		AlarmActions:       p.AlarmActions,
		ActionsEnabled:     aws.Bool(true),
	}
	if p.Description != "" {
		in.AlarmDescription = aws.String(p.Description)
	}
	if p.DatapointsToAlarm > 0 {
		in.DatapointsToAlarm = aws.Int32(int32(p.DatapointsToAlarm))
	}
	if len(tags) > 0 {
		in.Tags = awscall.TagList(tags, cwTag)
	}
	return in
}

// cwQueries renders the metric queries; ReturnData is always sent, because PutMetricAlarm
// wants it false on every query but the one compared with the threshold.
func cwQueries(qs []spec.MetricQuery) []types.MetricDataQuery {
	out := make([]types.MetricDataQuery, 0, len(qs))
	for _, q := range qs {
		mq := types.MetricDataQuery{Id: aws.String(q.ID), ReturnData: aws.Bool(q.ReturnData)}
		if q.Expression != "" {
			mq.Expression = aws.String(q.Expression)
		}
		if q.Label != "" {
			mq.Label = aws.String(q.Label)
		}
		if m := q.Metric; m != nil {
			mq.MetricStat = &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String(m.Namespace), MetricName: aws.String(m.Name), Dimensions: cwDimensions(m.Dimensions)},
				Period: aws.Int32(int32(m.Period)),
				Stat:   aws.String(m.Stat),
			}
		}
		out = append(out, mq)
	}
	return out
}

// cwDimensions renders a dimension map in name order.
func cwDimensions(dims map[string]string) []types.Dimension {
	var out []types.Dimension
	for _, name := range slices.Sorted(maps.Keys(dims)) {
		out = append(out, types.Dimension{Name: aws.String(name), Value: aws.String(dims[name])})
	}
	return out
}

// cwTag builds one of the service's tags, for awscall.TagList.
func cwTag(key, value *string) types.Tag { return types.Tag{Key: key, Value: value} }

// cwSortedQueries is qs in id order, so that the order a listing returns does not matter.
func cwSortedQueries(qs []spec.MetricQuery) []spec.MetricQuery {
	out := slices.Clone(qs)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// cwResource observes a. Absent values read as the spec's defaults: TreatMissingData as
// "missing" (CloudWatch's behaviour when it is unset), a missing ReturnData as true (its
// documented default).
func cwResource(a types.MetricAlarm, tags map[string]string) state.Resource {
	owner, _ := state.OwnerOf(tags)
	name := aws.ToString(a.AlarmName)
	p := &spec.MetricAlarm{
		Description:        aws.ToString(a.AlarmDescription),
		ComparisonOperator: string(a.ComparisonOperator),
		Threshold:          aws.ToFloat64(a.Threshold),
		EvaluationPeriods:  int(aws.ToInt32(a.EvaluationPeriods)),
		DatapointsToAlarm:  int(aws.ToInt32(a.DatapointsToAlarm)),
		TreatMissingData:   aws.ToString(a.TreatMissingData),
		Metrics:            cwObservedQueries(a.Metrics),
		AlarmActions:       reconcile.SortedSet(a.AlarmActions),
	}
	if p.TreatMissingData == "" {
		p.TreatMissingData = "missing"
	}
	return state.Resource{
		Kind: cwAlarmKind, Owner: owner, ID: name, Name: name, Tags: tags, Props: p,
		Attrs: map[string]string{"arn": aws.ToString(a.AlarmArn), "name": name},
	}
}

func cwObservedQueries(qs []types.MetricDataQuery) []spec.MetricQuery {
	var out []spec.MetricQuery
	for _, q := range qs {
		sq := spec.MetricQuery{
			ID: aws.ToString(q.Id), Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label),
			ReturnData: q.ReturnData == nil || *q.ReturnData,
		}
		if ms := q.MetricStat; ms != nil && ms.Metric != nil {
			sq.Metric = &spec.MetricStat{
				Namespace: aws.ToString(ms.Metric.Namespace), Name: aws.ToString(ms.Metric.MetricName),
				Period: int(aws.ToInt32(ms.Period)), Stat: aws.ToString(ms.Stat),
			}
			for _, dim := range ms.Metric.Dimensions {
				if sq.Metric.Dimensions == nil {
					sq.Metric.Dimensions = map[string]string{}
				}
				sq.Metric.Dimensions[aws.ToString(dim.Name)] = aws.ToString(dim.Value)
			}
		}
		out = append(out, sq)
	}
	return cwSortedQueries(out)
}
