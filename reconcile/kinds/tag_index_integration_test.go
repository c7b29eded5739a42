package kinds

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// TestHintedDiscoveryMatchesDirect makes one resource of each kind that reads its tags one call
// per resource, then discovers them with and without the tag index: the same resources come
// back, and with the index no kind reads a tag itself. It also proves that the ARNs the kinds
// look up are the ones the index answers with.
func TestHintedDiscoveryMatchesDirect(t *testing.T) {
	cfg := emuConfig(t)
	rec := &emutest.Recorder{}
	rec.Attach(&cfg)
	ctx := context.Background()
	_, _, account := integrationAPIGW(t)
	o := testOwner(t, "x")
	sel := state.Selector{Stack: o.Stack, Suffix: o.Suffix}
	logs, queues := NewLogGroup(cloudwatchlogs.NewFromConfig(cfg)), NewSQSQueue(sqs.NewFromConfig(cfg), cfg.Region)
	params := NewSSMParameter(ssm.NewFromConfig(cfg), nil, cfg.Region, account)
	buckets := NewS3Bucket(s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), cfg.Region)
	tables := NewDynamoDBTable(dynamodb.NewFromConfig(cfg))
	reg := reconcile.Registry{reconcile.Adapt[spec.LogGroup](logs), reconcile.Adapt[spec.SQSQueue](queues), reconcile.Adapt[spec.SSMParameter](params),
		reconcile.Adapt[spec.S3Bucket](buckets), reconcile.Adapt[spec.DynamoDBTable](tables)}
	table := specDefaults[*spec.DynamoDBTable]("dynamodb.table")
	table.HashKey = spec.Key{Name: "id", Type: "S"}
	made := []struct {
		k reconcile.Kind
		d reconcile.Desired
	}{
		{reg[0], desired(with(o, "logs"), "/kindtest/"+o.Suffix+"/logs", logsDefaults())},
		{reg[1], desired(with(o, "queue"), "kindtest-queue-"+o.Suffix, sqsDefaults())},
		{reg[2], desired(with(o, "param"), "/kindtest/"+o.Suffix+"/param", ssmDefaults())},
		{reg[3], desired(with(o, "bucket"), "kindtest-bucket-"+strings.ToLower(o.Suffix), s3Defaults())},
		{reg[4], desired(with(o, "table"), "kindtest-table-"+o.Suffix, table)},
	}
	for _, m := range made {
		live, err := m.k.Create(ctx, m.d)
		require.NoError(t, err, m.d.Name)
		t.Cleanup(func() { _ = m.k.Delete(context.Background(), live) })
	}

	rec.Reset()
	direct, err := reconcile.Discover(ctx, reg, sel)
	require.NoError(t, err)
	directCalls := rec.Calls()
	rec.Reset()
	hinted, err := reconcile.Discover(reconcile.WithTagHints(ctx, NewTagIndex(NewTagIndexClient(cfg))), reg, sel)
	require.NoError(t, err)
	hintedCalls := rec.Calls()

	require.Len(t, direct.Resources, len(made))
	assert.Empty(t, cmp.Diff(byAddress(direct.Resources), byAddress(hinted.Resources)), "the index changes nothing that is found")
	assert.Equal(t, []string{"dynamodb.table", "logs.log_group", "s3.bucket", "sqs.queue", "ssm.parameter"}, hinted.Hinted)
	tagRead := func(c string) bool {
		return strings.Contains(c, "ListTagsForResource") || strings.Contains(c, "ListQueueTags") ||
			strings.Contains(c, "ListTagsOfResource") || strings.Contains(c, "GetBucketTagging")
	}
	assert.Equal(t, len(made), countMatching(directCalls, tagRead), "without the index: one tag read each\n%s", strings.Join(directCalls, "\n"))
	assert.Zero(t, countMatching(hintedCalls, tagRead), "with it: none\n%s", strings.Join(hintedCalls, "\n"))
	assert.Equal(t, len(directCalls)-len(made)+1, len(hintedCalls), "one GetResources instead")
}

func with(o state.Owner, id string) state.Owner { o.ID = id; return o }

func byAddress(rs []state.Resource) []state.Resource {
	out := append([]state.Resource(nil), rs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Address() < out[j].Address() })
	return out
}

func countMatching(calls []string, f func(string) bool) int {
	n := 0
	for _, c := range calls {
		if f(c) {
			n++
		}
	}
	return n
}

