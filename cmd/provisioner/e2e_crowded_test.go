package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile/kinds"
)

// crowdSlack is how many more reads discovery may make in the crowded account: the extra
// pages of the listings (log groups come 50 a page, tables and roles 100), never a read per
// resource that is not ours.
const crowdSlack = 10

// TestDriftCostFollowsOurResources counts the AWS reads of a no-op drift of the webhook stack,
// then fills the account with 240 resources that are not ours (queues, log groups, roles,
// tables, alarms) and counts again: discovery reads tags only of names carrying our suffix,
// so the count grows by the listings' extra pages alone.
func TestDriftCostFollowsOurResources(t *testing.T) {
	c, sfx, spec := webhookCLI(t)
	c.must(0, "apply", spec, "--suffix", sfx)

	clean := driftReads(c, spec, sfx)
	crowd(t, "crowd"+sfx[len(sfx)-4:], 60, 60, 60, 40, 20)
	crowded := driftReads(c, spec, sfx)

	t.Logf("no-op drift of the webhook stack: %d reads clean, %d among 240 resources not ours", len(clean), len(crowded))
	assert.LessOrEqual(t, len(crowded), len(clean)+crowdSlack, "crowded:\n%s", strings.Join(crowded, "\n"))
}

// driftReads runs a no-op drift and returns its AWS calls, every one of them a read.
func driftReads(c *cli, spec, sfx string) []string {
	c.rec.Reset()
	c.must(0, "drift", spec, "--suffix", sfx)
	assert.Empty(c.t, c.rec.Mutating(), "drift only reads")
	return c.rec.Calls()
}

// crowd creates resources that are not ours, named with prefix, as another team's would be.
func crowd(t *testing.T, prefix string, queues, groups, roles, tables, alarms int) {
	cfg := emutest.Config(t)
	ctx := ctxT()
	sq, lg, im, db, cw := sqs.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg), iam.NewFromConfig(cfg),
		dynamodb.NewFromConfig(cfg), kinds.NewCloudWatchClient(cfg)
	name := func(kind string, i int) *string { return aws.String(fmt.Sprintf("%s-%s-%03d", prefix, kind, i)) }
	for i := range queues {
		_, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: name("queue", i), Tags: map[string]string{"team": "other"}})
		require.NoError(t, err)
	}
	for i := range groups {
		_, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: name("/other/logs", i)})
		require.NoError(t, emutest.Resent(err, "ResourceAlreadyExistsException"))
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for i := range roles {
		_, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: name("role", i), AssumeRolePolicyDocument: aws.String(trust)})
		require.NoError(t, emutest.Resent(err, "EntityAlreadyExists"))
	}
	for i := range tables {
		_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: name("table", i), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
		require.NoError(t, emutest.Resent(err, "ResourceInUseException"))
	}
	for i := range alarms {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: name("alarm", i), Namespace: aws.String("AWS/SQS"),
			MetricName: aws.String("ApproximateNumberOfMessagesVisible"), Statistic: cwtypes.StatisticMaximum, Period: aws.Int32(60),
			EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold})
		require.NoError(t, err)
	}
}
