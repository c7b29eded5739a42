package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

func integrationAlarm(t *testing.T) (*MetricAlarm, *cloudwatch.Client) {
	t.Helper()
	client := NewCloudWatchClient(emuConfig(t))
	return NewMetricAlarm(client), client
}

// cwTopicARN is an SNS topic ARN in the test account and region (no topic is created: alarm
// actions are not checked for existence).
func cwTopicARN(t *testing.T, name string) string {
	cfg := emuConfig(t)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	return "arn:aws:sns:" + cfg.Region + ":" + aws.ToString(id.Account) + ":" + name
}

// cwErrorRate is the webhook example's error-rate alarm: metric math over two Lambda metrics.
func cwErrorRate(function string) *spec.MetricAlarm {
	p := alarmDefaults()
	p.Description = "error rate above 1 %"
	p.Threshold = 1
	p.TreatMissingData = "notBreaching"
	dims := map[string]string{"FunctionName": function, "Resource": function}
	p.Metrics = []spec.MetricQuery{
		{ID: "rate", Expression: "errors / invocations * 100", Label: "error rate (%)", ReturnData: true},
		{ID: "errors", Metric: &spec.MetricStat{Namespace: "AWS/Lambda", Name: "Errors", Dimensions: dims, Period: 60, Stat: "Sum"}},
		{ID: "invocations", Metric: &spec.MetricStat{Namespace: "AWS/Lambda", Name: "Invocations", Dimensions: dims, Period: 60, Stat: "Sum"}},
	}
	return p
}

// TestMetricAlarmLifecycle also checks that an alarm with metric math round-trips: the listed
// alarm shows no diff against the spec it was put from.
func TestMetricAlarmLifecycle(t *testing.T) {
	k, _ := integrationAlarm(t)
	o := testOwner(t, "receiver-errors")
	d := desired(o, "receiver-errors-"+o.Suffix, cwErrorRate("receiver"))
	checkLifecycle(t, tk[spec.MetricAlarm](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.MetricAlarm)
		p.Threshold = 2.5
		p.EvaluationPeriods = 3
		p.DatapointsToAlarm = 2
		p.Description = ""
		p.AlarmActions = []string{cwTopicARN(t, "alerts")}
		p.Metrics = append([]spec.MetricQuery(nil), p.Metrics...)
		p.Metrics[0].Label = "errors (%)"
		d.Props = &p
		d.Tags = map[string]string{}
		for k, v := range o.Tags() {
			d.Tags[k] = v
		}
		d.Tags["Team"] = "payments"
		return d
	})
}

func TestMetricAlarmRefusesUntaggedAndListsBySuffix(t *testing.T) {
	k, client := integrationAlarm(t)
	ctx := context.Background()
	o := testOwner(t, "dlq-depth")

	foreign := "foreign-" + o.Suffix
	_, err := client.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(foreign), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold: aws.Float64(7), EvaluationPeriods: aws.Int32(1), Namespace: aws.String("AWS/SQS"),
		MetricName: aws.String("ApproximateNumberOfMessagesVisible"), Period: aws.Int32(60), Statistic: cwtypes.StatisticMaximum,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{foreign}})
	})

	_, err = tk[spec.MetricAlarm](k).Create(ctx, desired(o, foreign, cwErrorRate("x")))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Contains(t, err.Error(), foreign)
	got, err := client.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{foreign}})
	require.NoError(t, err)
	require.Len(t, got.MetricAlarms, 1)
	assert.Equal(t, 7.0, aws.ToFloat64(got.MetricAlarms[0].Threshold), "the foreign alarm is not overwritten")
	assert.Empty(t, got.MetricAlarms[0].Metrics)
	tags, err := client.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: got.MetricAlarms[0].AlarmArn})
	require.NoError(t, err)
	assert.Empty(t, tags.Tags, "the foreign alarm is not tagged")

	ours, err := tk[spec.MetricAlarm](k).Create(ctx, desired(o, "ours-"+o.Suffix, cwErrorRate("y")))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), ours) })
	assert.Equal(t, "ours-"+o.Suffix, ours.Attrs["name"])
	assert.Contains(t, ours.Attrs["arn"], ":alarm:ours-"+o.Suffix)
	other, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")
	mine, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1, "the untagged alarm is not listed")
	assert.Equal(t, ours.ID, mine[0].ID)
}
