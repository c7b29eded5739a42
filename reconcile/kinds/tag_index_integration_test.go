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

	"github.com/provisioner-dev/provisioner/localstack"
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

	// Per resource: the index holds it (its tags come from there, and its kind reads none) or
	// not (LocalStack's index holds none of these: its own providers keep their tags apart).
	indexed, err := NewTagIndex(NewTagIndexClient(cfg)).OwnedTags(ctx, sel)
	if err != nil {
		t.Logf("the index cannot be read (%v): every kind reads its own tags", err)
	}
	var held []string
	for _, r := range direct.Resources {
		tagOp := tagReadOps[r.Kind]
		if _, ok := indexed[r.Attrs["arn"]]; ok {
			held = append(held, r.Kind)
			assert.Zero(t, countOf(hintedCalls, tagOp), "%s: tags from the index\n%s", r.Kind, strings.Join(hintedCalls, "\n"))
		} else {
			assert.Equal(t, 1, countOf(hintedCalls, tagOp), "%s: not indexed, so read", r.Kind)
		}
		assert.Equal(t, 1, countOf(directCalls, tagOp), "%s: without the index its tags are read", r.Kind)
	}
	sort.Strings(held)
	assert.Equal(t, held, hinted.Hinted)
	assert.Equal(t, len(directCalls)-len(held)+1, len(hintedCalls), "one GetResources instead of a tag read each")
	if emutest.Flavor() == localstack.Moto {
		assert.Len(t, held, len(made), "moto's index holds every one of them")
	}
	t.Logf("the index held %d of %d: %v", len(held), len(made), held)
}

// tagReadOps is each kind's own tag read, as the recorder names it.
var tagReadOps = map[string]string{"logs.log_group": "CloudWatch Logs:ListTagsForResource", "sqs.queue": "SQS:ListQueueTags",
	"ssm.parameter": "SSM:ListTagsForResource", "s3.bucket": "S3:GetBucketTagging", "dynamodb.table": "DynamoDB:ListTagsOfResource"}

func countOf(calls []string, op string) int {
	n := 0
	for _, c := range calls {
		if c == op {
			n++
		}
	}
	return n
}

func with(o state.Owner, id string) state.Owner { o.ID = id; return o }

func byAddress(rs []state.Resource) []state.Resource {
	out := append([]state.Resource(nil), rs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Address() < out[j].Address() })
	return out
}
