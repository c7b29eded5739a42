package kinds

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// fakeCloudWatch is MetricAlarmAPI with one function field per operation; a nil field fails
// the call.
type fakeCloudWatch struct {
	calls    fakeCalls
	put      func(*cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error)
	describe func(*cloudwatch.DescribeAlarmsInput) (*cloudwatch.DescribeAlarmsOutput, error)
	del      func(*cloudwatch.DeleteAlarmsInput) (*cloudwatch.DeleteAlarmsOutput, error)
	listTags func(*cloudwatch.ListTagsForResourceInput) (*cloudwatch.ListTagsForResourceOutput, error)
	tag      func(*cloudwatch.TagResourceInput) (*cloudwatch.TagResourceOutput, error)
	untag    func(*cloudwatch.UntagResourceInput) (*cloudwatch.UntagResourceOutput, error)
}

func (f *fakeCloudWatch) PutMetricAlarm(_ context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	return fakeCall(&f.calls, "PutMetricAlarm", f.put, in)
}
func (f *fakeCloudWatch) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return fakeCall(&f.calls, "DescribeAlarms", f.describe, in)
}
func (f *fakeCloudWatch) DeleteAlarms(_ context.Context, in *cloudwatch.DeleteAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error) {
	return fakeCall(&f.calls, "DeleteAlarms", f.del, in)
}
func (f *fakeCloudWatch) ListTagsForResource(_ context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	return fakeCall(&f.calls, "ListTagsForResource", f.listTags, in)
}
func (f *fakeCloudWatch) TagResource(_ context.Context, in *cloudwatch.TagResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error) {
	return fakeCall(&f.calls, "TagResource", f.tag, in)
}
func (f *fakeCloudWatch) UntagResource(_ context.Context, in *cloudwatch.UntagResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.UntagResourceOutput, error) {
	return fakeCall(&f.calls, "UntagResource", f.untag, in)
}

const memAlarmArn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:"

// memAlarm is one alarm of memCloudWatch.
type memAlarm struct {
	alarm types.MetricAlarm
	tags  map[string]string
}

// memCloudWatch fills every field of a fakeCloudWatch with a small in-memory CloudWatch; tests
// replace single fields to inject errors. DescribeAlarms pages by two, to exercise NextToken.
func memCloudWatch(alarms map[string]*memAlarm) *fakeCloudWatch {
	f := &fakeCloudWatch{}
	byArn := func(arn *string) (*memAlarm, error) {
		for _, a := range alarms {
			if aws.ToString(a.alarm.AlarmArn) == aws.ToString(arn) {
				return a, nil
			}
		}
		return nil, miscAPIErr("ResourceNotFoundException")
	}
	f.put = func(in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		name := aws.ToString(in.AlarmName)
		a, ok := alarms[name]
		if !ok {
			a = &memAlarm{tags: map[string]string{}}
			for _, t := range in.Tags {
				a.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			alarms[name] = a
		}
		a.alarm = types.MetricAlarm{
			AlarmName: in.AlarmName, AlarmArn: aws.String(memAlarmArn + name), AlarmDescription: in.AlarmDescription,
			ComparisonOperator: in.ComparisonOperator, Threshold: in.Threshold, EvaluationPeriods: in.EvaluationPeriods,
			DatapointsToAlarm: in.DatapointsToAlarm, TreatMissingData: in.TreatMissingData, Metrics: in.Metrics,
			AlarmActions: in.AlarmActions, ActionsEnabled: in.ActionsEnabled,
		}
		return &cloudwatch.PutMetricAlarmOutput{}, nil
	}
	f.describe = func(in *cloudwatch.DescribeAlarmsInput) (*cloudwatch.DescribeAlarmsOutput, error) {
		var all []types.MetricAlarm
		for _, name := range slices.Sorted(maps.Keys(alarms)) {
			if len(in.AlarmNames) == 0 || slices.Contains(in.AlarmNames, name) {
				all = append(all, alarms[name].alarm)
			}
		}
		page, next := memPage(all, in.NextToken)
		return &cloudwatch.DescribeAlarmsOutput{MetricAlarms: page, NextToken: next}, nil
	}
	f.del = func(in *cloudwatch.DeleteAlarmsInput) (*cloudwatch.DeleteAlarmsOutput, error) {
		for _, n := range in.AlarmNames {
			if _, ok := alarms[n]; !ok {
				return nil, miscAPIErr("ResourceNotFound")
			}
			delete(alarms, n)
		}
		return &cloudwatch.DeleteAlarmsOutput{}, nil
	}
	tags := memTagsOf(byArn, func(a *memAlarm) map[string]string { return a.tags })
	f.listTags = memListTags(tags, func(in *cloudwatch.ListTagsForResourceInput) *string { return in.ResourceARN },
		func(t map[string]string) *cloudwatch.ListTagsForResourceOutput {
			return &cloudwatch.ListTagsForResourceOutput{Tags: awscall.TagList(t, cwTag)}
		})
	f.tag = memTag(tags, func(in *cloudwatch.TagResourceInput) (*string, map[string]string) {
		return in.ResourceARN, awscall.TagMap(in.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	}, &cloudwatch.TagResourceOutput{})
	f.untag = memUntag(tags, func(in *cloudwatch.UntagResourceInput) (*string, []string) { return in.ResourceARN, in.TagKeys },
		&cloudwatch.UntagResourceOutput{})
	return f
}

func alarmDefaults() *spec.MetricAlarm {
	return specDefaults[*spec.MetricAlarm]("cloudwatch.metric_alarm")
}

func unitAlarm(api MetricAlarmAPI) *MetricAlarm {
	k := NewMetricAlarm(api)
	k.wait = reconcile.InstantBackoff
	return k
}

// ourAlarm is an alarm put from p under name, carrying o's tags and the Project user tag.
func ourAlarm(name string, o state.Owner, p *spec.MetricAlarm) *memAlarm {
	tags := o.Tags()
	tags["Project"] = "kindtest"
	a := &memAlarm{alarm: types.MetricAlarm{}, tags: tags}
	in := cwPutInput(name, p, nil)
	a.alarm = types.MetricAlarm{
		AlarmName: in.AlarmName, AlarmArn: aws.String(memAlarmArn + name), AlarmDescription: in.AlarmDescription,
		ComparisonOperator: in.ComparisonOperator, Threshold: in.Threshold, EvaluationPeriods: in.EvaluationPeriods,
		DatapointsToAlarm: in.DatapointsToAlarm, TreatMissingData: in.TreatMissingData, Metrics: in.Metrics, AlarmActions: in.AlarmActions,
	}
	return a
}

func TestMetricAlarmDiff(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *spec.MetricAlarm)
		paths  []string
	}{
		{name: "no change", change: func(*spec.MetricAlarm) {}},
		{name: "metric order and action order do not count", change: func(p *spec.MetricAlarm) {
			slices.Reverse(p.Metrics)
			p.AlarmActions = []string{"arn:b", "arn:a"}
		}},
		{name: "description", change: func(p *spec.MetricAlarm) { p.Description = "x" }, paths: []string{"description"}},
		{name: "operator", change: func(p *spec.MetricAlarm) { p.ComparisonOperator = "LessThanThreshold" }, paths: []string{"comparison_operator"}},
		{name: "threshold", change: func(p *spec.MetricAlarm) { p.Threshold = 2.5 }, paths: []string{"threshold"}},
		{name: "evaluation periods", change: func(p *spec.MetricAlarm) { p.EvaluationPeriods = 5 }, paths: []string{"evaluation_periods"}},
		{name: "datapoints", change: func(p *spec.MetricAlarm) { p.DatapointsToAlarm = 1 }, paths: []string{"datapoints_to_alarm"}},
		{name: "missing data", change: func(p *spec.MetricAlarm) { p.TreatMissingData = "breaching" }, paths: []string{"treat_missing_data"}},
		{name: "expression", change: func(p *spec.MetricAlarm) { p.Metrics[0].Expression = "errors * 100" }, paths: []string{"metrics[2]"}},
		{name: "dimension", change: func(p *spec.MetricAlarm) { p.Metrics[1].Metric.Dimensions = map[string]string{"FunctionName": "y"} },
			paths: []string{"metrics[0]"}},
		{name: "stat", change: func(p *spec.MetricAlarm) { p.Metrics[2].Metric.Stat = "Maximum" }, paths: []string{"metrics[1]"}},
		{name: "a query more", change: func(p *spec.MetricAlarm) { p.Metrics = append(p.Metrics, spec.MetricQuery{ID: "z", Expression: "1"}) },
			paths: []string{"metrics"}},
		{name: "actions", change: func(p *spec.MetricAlarm) { p.AlarmActions = []string{"arn:c"} }, paths: []string{"alarm_actions"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, live := cwErrorRate("fn"), cwErrorRate("fn")
			live.AlarmActions = []string{"arn:a", "arn:b"}
			want.AlarmActions = []string{"arn:a", "arn:b"}
			c.change(want)
			var paths []string
			for _, d := range tk[spec.MetricAlarm](unitAlarm(nil)).Diff(desired(miscOwner("a"), "a", want), state.Resource{Props: live}) {
				paths = append(paths, d.Path)
				assert.False(t, d.ForceNew, "every alarm field changes in place: %s", d.Path)
			}
			assert.Equal(t, c.paths, paths)
		})
	}
}

func TestMetricAlarmObservedNormalised(t *testing.T) {
	a := types.MetricAlarm{
		AlarmName: aws.String("a"), AlarmArn: aws.String(memAlarmArn + "a"), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		Threshold: aws.Float64(1), EvaluationPeriods: aws.Int32(1), AlarmActions: []string{"arn:b", "arn:a"},
		Metrics: []types.MetricDataQuery{
			{Id: aws.String("m"), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
				Metric: &types.Metric{Namespace: aws.String("NS"), MetricName: aws.String("N"), Dimensions: []types.Dimension{
					{Name: aws.String("B"), Value: aws.String("2")}, {Name: aws.String("A"), Value: aws.String("1")}}}}},
			{Id: aws.String("e"), Expression: aws.String("m * 2")},
		},
	}
	r := cwResource(a, miscOwner("a").Tags())
	p := r.Props.(*spec.MetricAlarm)
	assert.Equal(t, "missing", p.TreatMissingData, "unset reads as the spec default")
	assert.Equal(t, []string{"arn:a", "arn:b"}, p.AlarmActions)
	require.Len(t, p.Metrics, 2)
	assert.Equal(t, "e", p.Metrics[0].ID, "queries in id order")
	assert.True(t, p.Metrics[0].ReturnData, "an absent ReturnData is CloudWatch's default, true")
	assert.False(t, p.Metrics[1].ReturnData)
	assert.Equal(t, map[string]string{"A": "1", "B": "2"}, p.Metrics[1].Metric.Dimensions)
	assert.Equal(t, map[string]string{"arn": memAlarmArn + "a", "name": "a"}, r.Attrs)
	assert.Equal(t, miscOwner("a"), r.Owner)
}

func TestMetricAlarmCreateNewTagsInPut(t *testing.T) {
	alarms := map[string]*memAlarm{}
	f := memCloudWatch(alarms)
	var sent *cloudwatch.PutMetricAlarmInput
	put := f.put
	f.put = func(in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		sent = in
		return put(in)
	}
	o := miscOwner("errors")
	p := cwErrorRate("fn")
	p.Description = ""
	d := desired(o, "errors-dev", p)

	got, err := tk[spec.MetricAlarm](unitAlarm(f)).Create(context.Background(), d)
	require.NoError(t, err)
	require.NotNil(t, sent)
	assert.Equal(t, awscall.TagList(d.Tags, cwTag), sent.Tags, "every tag goes in the put itself")
	assert.Nil(t, sent.AlarmDescription, "an empty description is left out")
	assert.Nil(t, sent.DatapointsToAlarm, "unset datapoints are left out")
	for _, q := range sent.Metrics {
		assert.NotNil(t, q.ReturnData, "ReturnData is explicit on every query: %s", aws.ToString(q.Id))
	}
	dims := sent.Metrics[1].MetricStat.Metric.Dimensions
	assert.Equal(t, []string{"FunctionName", "Resource"}, []string{aws.ToString(dims[0].Name), aws.ToString(dims[1].Name)})
	assert.Empty(t, tk[spec.MetricAlarm](unitAlarm(f)).Diff(d, got))
	assert.Equal(t, d.Tags, got.Tags)
	assert.Equal(t, "errors-dev", got.ID)
	f.calls.none(t, "TagResource", "UntagResource")
}

// TestMetricAlarmCreateTagsWhatThePutDropped: LocalStack 4.14.0 stores none of PutMetricAlarm's
// Tags (AWS ignores them when the alarm exists); the tags that do not read back go on with
// TagResource, so the new alarm is ours.
func TestMetricAlarmCreateTagsWhatThePutDropped(t *testing.T) {
	alarms := map[string]*memAlarm{}
	f := memCloudWatch(alarms)
	put := f.put
	f.put = func(in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		dropped := *in
		dropped.Tags = nil
		return put(&dropped)
	}
	var tagged []types.Tag
	tag := f.tag
	f.tag = func(in *cloudwatch.TagResourceInput) (*cloudwatch.TagResourceOutput, error) {
		tagged = append(tagged, in.Tags...)
		return tag(in)
	}
	o := miscOwner("errors")
	d := desired(o, "errors-dev", cwErrorRate("fn"))

	got, err := tk[spec.MetricAlarm](unitAlarm(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, d.Tags, got.Tags)
	assert.Equal(t, d.Tags, alarms["errors-dev"].tags)
	assert.ElementsMatch(t, awscall.TagList(d.Tags, cwTag), tagged, "every dropped tag is applied by TagResource")
	f.calls.none(t, "UntagResource")
}

// ctxCloudWatch refuses every call whose context is done, as the SDK does.
type ctxCloudWatch struct{ *fakeCloudWatch }

func (f ctxCloudWatch) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, o ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return f.fakeCloudWatch.ListTagsForResource(ctx, in, o...)
}
func (f ctxCloudWatch) TagResource(ctx context.Context, in *cloudwatch.TagResourceInput, o ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return f.fakeCloudWatch.TagResource(ctx, in, o...)
}

// TestMetricAlarmCreateInterruptedStillTags: Ctrl-C arrives while the put is under way on an
// endpoint that drops the put's tags (LocalStack 4.14.0); the alarm still gets its ownership
// tags, so the next apply adopts it and destroy finds it.
func TestMetricAlarmCreateInterruptedStillTags(t *testing.T) {
	alarms := map[string]*memAlarm{}
	f := memCloudWatch(alarms)
	ctx, interrupt := context.WithCancel(context.Background())
	put := f.put
	f.put = func(in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		interrupt()
		dropped := *in
		dropped.Tags = nil
		return put(&dropped)
	}
	o := miscOwner("errors")
	d := desired(o, "errors-dev", cwErrorRate("fn"))

	_, err := tk[spec.MetricAlarm](unitAlarm(ctxCloudWatch{f})).Create(ctx, d)
	require.ErrorIs(t, err, context.Canceled, "the create reports the interruption")
	require.Contains(t, alarms, "errors-dev")
	assert.Equal(t, d.Tags, alarms["errors-dev"].tags, "the alarm it put carries our tags")
}

func TestMetricAlarmCreateAdoptsOurs(t *testing.T) {
	o := miscOwner("errors")
	old := cwErrorRate("fn")
	old.Threshold = 9
	alarms := map[string]*memAlarm{"errors-dev": ourAlarm("errors-dev", o, old)}
	alarms["errors-dev"].tags["Stale"] = "yes"
	f := memCloudWatch(alarms)
	var sent *cloudwatch.PutMetricAlarmInput
	put := f.put
	f.put = func(in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		sent = in
		return put(in)
	}
	d := desired(o, "errors-dev", cwErrorRate("fn"))

	got, err := tk[spec.MetricAlarm](unitAlarm(f)).Create(context.Background(), d)
	require.NoError(t, err)
	require.NotNil(t, sent)
	assert.Nil(t, sent.Tags, "an update's put carries no tags (PutMetricAlarm ignores them)")
	assert.Equal(t, 1.0, aws.ToFloat64(sent.Threshold))
	assert.Empty(t, tk[spec.MetricAlarm](unitAlarm(f)).Diff(d, got))
	assert.Equal(t, d.Tags, alarms["errors-dev"].tags, "stale tag removed")
}

func TestMetricAlarmCreateAdoptsSettledWithoutWrites(t *testing.T) {
	o := miscOwner("errors")
	f := memCloudWatch(map[string]*memAlarm{"errors-dev": ourAlarm("errors-dev", o, cwErrorRate("fn"))})
	_, err := tk[spec.MetricAlarm](unitAlarm(f)).Create(context.Background(), desired(o, "errors-dev", cwErrorRate("fn")))
	require.NoError(t, err)
	f.calls.none(t, "PutMetricAlarm", "TagResource", "UntagResource")
}

func TestMetricAlarmCreateRefusesForeign(t *testing.T) {
	o := miscOwner("errors")
	for name, tags := range map[string]map[string]string{
		"untagged":     {},
		"user tags":    {"Team": "payments"},
		"other suffix": state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags(),
		"other stack":  state.Owner{Stack: "other", Suffix: o.Suffix, ID: o.ID}.Tags(),
	} {
		t.Run(name, func(t *testing.T) {
			old := cwErrorRate("fn")
			old.Threshold = 9
			a := ourAlarm("errors-dev", o, old)
			a.tags = tags
			f := memCloudWatch(map[string]*memAlarm{"errors-dev": a})
			_, err := tk[spec.MetricAlarm](unitAlarm(f)).Create(context.Background(), desired(o, "errors-dev", cwErrorRate("fn")))
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "errors-dev")
			f.calls.none(t, "PutMetricAlarm", "TagResource", "UntagResource", "DeleteAlarms")
			assert.Equal(t, 9.0, aws.ToFloat64(a.alarm.Threshold))
		})
	}
}

// Throttling on the put and ConcurrentModificationException on tagging are retried.
func TestMetricAlarmRetries(t *testing.T) {
	o := miscOwner("errors")
	alarms := map[string]*memAlarm{"errors-dev": ourAlarm("errors-dev", o, cwErrorRate("fn"))}
	alarms["errors-dev"].tags["Stale"] = "yes"
	f := memCloudWatch(alarms)
	put, puts := f.put, 0
	f.put = func(in *cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		if puts++; puts < 3 {
			return nil, miscAPIErr("Throttling")
		}
		return put(in)
	}
	untag, untags := f.untag, 0
	f.untag = func(in *cloudwatch.UntagResourceInput) (*cloudwatch.UntagResourceOutput, error) {
		if untags++; untags < 3 {
			return nil, miscAPIErr("ConcurrentModificationException")
		}
		return untag(in)
	}
	live := cwResource(alarms["errors-dev"].alarm, maps.Clone(alarms["errors-dev"].tags))
	p := cwErrorRate("fn")
	p.EvaluationPeriods = 4
	got, err := tk[spec.MetricAlarm](unitAlarm(f)).Update(context.Background(), desired(o, "errors-dev", p), live)
	require.NoError(t, err)
	assert.Equal(t, 3, puts)
	assert.Equal(t, 3, untags)
	assert.Equal(t, 4, got.Props.(*spec.MetricAlarm).EvaluationPeriods)

	f.put = func(*cloudwatch.PutMetricAlarmInput) (*cloudwatch.PutMetricAlarmOutput, error) {
		return nil, miscAPIErr("LimitExceeded")
	}
	p.EvaluationPeriods = 5
	before := f.calls.count("PutMetricAlarm")
	_, err = tk[spec.MetricAlarm](unitAlarm(f)).Update(context.Background(), desired(o, "errors-dev", p), got)
	assert.ErrorContains(t, err, "update cloudwatch alarm errors-dev")
	assert.Equal(t, before+1, f.calls.count("PutMetricAlarm"), "a quota error is not retried")
}

func TestMetricAlarmUpdateRefusesWithoutOurTags(t *testing.T) {
	f := memCloudWatch(map[string]*memAlarm{})
	live := state.Resource{ID: "a", Name: "a", Tags: map[string]string{"Team": "x"}, Props: cwErrorRate("fn")}
	_, err := tk[spec.MetricAlarm](unitAlarm(f)).Update(context.Background(), desired(miscOwner("a"), "a", cwErrorRate("fn")), live)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Empty(t, f.calls)
}

func TestMetricAlarmDelete(t *testing.T) {
	o := miscOwner("errors")
	live := state.Resource{Kind: cwAlarmKind, Owner: o, ID: "errors-dev", Name: "errors-dev"}
	t.Run("deletes and waits until gone", func(t *testing.T) {
		alarms := map[string]*memAlarm{"errors-dev": ourAlarm("errors-dev", o, cwErrorRate("fn"))}
		f := memCloudWatch(alarms)
		describe, lingering := f.describe, 0
		del := f.del
		f.del = func(in *cloudwatch.DeleteAlarmsInput) (*cloudwatch.DeleteAlarmsOutput, error) {
			lingering = 2 // a deleted alarm may still be described for a moment
			return del(in)
		}
		gone := alarms["errors-dev"].alarm
		f.describe = func(in *cloudwatch.DescribeAlarmsInput) (*cloudwatch.DescribeAlarmsOutput, error) {
			if lingering > 0 {
				lingering--
				return &cloudwatch.DescribeAlarmsOutput{MetricAlarms: []types.MetricAlarm{gone}}, nil
			}
			return describe(in)
		}
		require.NoError(t, unitAlarm(f).Delete(context.Background(), live))
		assert.Empty(t, alarms)
		assert.Equal(t, 0, lingering)
	})
	t.Run("already gone", func(t *testing.T) {
		f := memCloudWatch(map[string]*memAlarm{})
		require.NoError(t, unitAlarm(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteAlarms", "ListTagsForResource")
	})
	t.Run("gone between the check and the delete", func(t *testing.T) {
		f := memCloudWatch(map[string]*memAlarm{"errors-dev": ourAlarm("errors-dev", o, cwErrorRate("fn"))})
		f.del = func(*cloudwatch.DeleteAlarmsInput) (*cloudwatch.DeleteAlarmsOutput, error) {
			f.describe = func(*cloudwatch.DescribeAlarmsInput) (*cloudwatch.DescribeAlarmsOutput, error) {
				return &cloudwatch.DescribeAlarmsOutput{}, nil
			}
			return nil, miscAPIErr("ResourceNotFound")
		}
		require.NoError(t, unitAlarm(f).Delete(context.Background(), live))
	})
	t.Run("refuses when the tags are no longer ours", func(t *testing.T) {
		a := ourAlarm("errors-dev", o, cwErrorRate("fn"))
		a.tags = map[string]string{"Team": "x"}
		alarms := map[string]*memAlarm{"errors-dev": a}
		f := memCloudWatch(alarms)
		err := unitAlarm(f).Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteAlarms")
		assert.Contains(t, alarms, "errors-dev")
	})
}

func TestMetricAlarmListFiltersByTags(t *testing.T) {
	o := miscOwner("errors")
	foreign := ourAlarm("foreign", o, cwErrorRate("fn"))
	foreign.tags = map[string]string{"Team": "x"}
	alarms := map[string]*memAlarm{
		"a-dev":   ourAlarm("a-dev", o, cwErrorRate("fn")),
		"b-prod":  ourAlarm("b-prod", state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}, cwErrorRate("fn")),
		"c-dev":   ourAlarm("c-dev", miscOwner("depth"), cwErrorRate("fn")),
		"foreign": foreign,
		"other":   ourAlarm("other", state.Owner{Stack: "other", Suffix: "dev", ID: "x"}, cwErrorRate("fn")),
	}
	f := memCloudWatch(alarms)
	var asked [][]types.AlarmType
	describe := f.describe
	f.describe = func(in *cloudwatch.DescribeAlarmsInput) (*cloudwatch.DescribeAlarmsOutput, error) {
		asked = append(asked, in.AlarmTypes)
		return describe(in)
	}
	got, err := unitAlarm(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"a-dev", "c-dev"}, names, "another suffix, another stack and untagged alarms are not listed")
	assert.Len(t, asked, 3, "every page is read")
	assert.Equal(t, []types.AlarmType{types.AlarmTypeMetricAlarm}, asked[0])
	assert.Empty(t, tk[spec.MetricAlarm](unitAlarm(f)).Diff(desired(o, "a-dev", cwErrorRate("fn")), got[0]))
}
