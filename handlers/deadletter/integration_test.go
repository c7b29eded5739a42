package main

import (
	"encoding/json"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

// TestPoisonRecordReachesTheDeadLetterPath plays what Lambda does with a poison stream record
// once the processor's retries are exhausted: it sends an on-failure notice naming the failed
// batch to the queue. The handler receives it from the real queue, archives it, reads the
// batch back from the real stream, and marks the poison event failed while the event processed
// before it in the same batch stays processed. Delivering the notice again changes nothing.
func TestPoisonRecordReachesTheDeadLetterPath(t *testing.T) {
	emutest.SkipOnLocalStack(t, "4.14.0 DynamoDB Streams (kinesis-local 0.5.2, host mode) yields only the first of several records written, from TRIM_HORIZON, however long one waits")
	cfg := emutest.Config(t)
	sfx := emutest.Suffix(t)
	table, bucket := webhooktest.Name("events", sfx), webhooktest.Name("archive", sfx)
	streamArn := webhooktest.CreateEventsTable(t, cfg, table)
	webhooktest.CreateBucket(t, cfg, bucket)
	queueURL, queueArn := webhooktest.CreateQueue(t, cfg, webhooktest.Name("dead-letters", sfx))
	ctx := webhooktest.Ctx(t)
	db := dynamodb.NewFromConfig(cfg)

	good := webhook.Event{ID: "evt_good", Provider: "stripe", Type: "t", Status: webhook.StatusReceived, ReceivedAt: time.Now(), Payload: json.RawMessage(`{}`)}
	webhooktest.PutItem(t, cfg, table, good.Item())
	poison := good
	poison.ID = "evt_poison"
	item := poison.Item()
	delete(item, webhook.AttrReceivedAt) // what makes the processor fail it, every time
	webhooktest.PutItem(t, cfg, table, item)
	moved, err := webhook.Transition(ctx, db, table, "evt_good", webhook.StatusReceived, webhook.StatusProcessed, nil)
	require.NoError(t, err)
	require.True(t, moved)

	batch := webhooktest.StreamEvent(t, cfg, streamArn)
	require.GreaterOrEqual(t, len(batch.Records), 2)
	shards := webhooktest.ShardIDs(t, cfg, streamArn)
	require.Len(t, shards, 1)
	body := onFailureNotice(t, streamArn, shards[0], batch.Records[0], batch.Records[1])
	webhooktest.SendMessage(t, cfg, queueURL, body)

	h := &handler{table: table, bucket: bucket, db: db, s3: webhook.NewS3Client(cfg), streams: dynamodbstreams.NewFromConfig(cfg),
		log: webhook.NewLogger(io.Discard, "info"), now: time.Now}
	delivery := webhooktest.ReceiveSQSEvent(t, cfg, queueURL, queueArn)
	require.Len(t, delivery.Records, 1)
	for range 2 {
		resp, err := h.Handle(ctx, delivery)
		require.NoError(t, err)
		assert.Empty(t, resp.BatchItemFailures)
	}

	keys := webhooktest.ListKeys(t, cfg, bucket, "dead-letters/")
	require.Len(t, keys, 1)
	assert.Regexp(t, `^dead-letters/\d{4}/\d{2}/\d{2}/[0-9a-f]{64}\.json$`, keys[0])
	assert.JSONEq(t, body, string(webhooktest.GetObject(t, cfg, bucket, keys[0])))

	p := webhooktest.GetItem(t, cfg, table, "evt_poison") // undecodable, as poison is
	assert.Equal(t, &dbtypes.AttributeValueMemberS{Value: "failed"}, p[webhook.AttrStatus])
	assert.Equal(t, &dbtypes.AttributeValueMemberS{Value: keys[0]}, p[webhook.AttrDeadLetterKey])
	assert.Contains(t, p, webhook.AttrFailedAt)
	g, _ := webhooktest.GetEvent(t, cfg, table, "evt_good")
	assert.Equal(t, webhook.StatusProcessed, g.Status)
}

// onFailureNotice is the record Lambda sends to an on-failure destination for a stream batch
// from first to last.
func onFailureNotice(t *testing.T, streamArn, shard string, first, last events.DynamoDBEventRecord) string {
	t.Helper()
	n := map[string]any{
		"requestContext": map[string]any{
			"requestId": "316aa6d0-8154-4f7a-9af7-85d5f4a6bc81", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:processor",
			"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 4,
		},
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST"},
		"version":         "1.0",
		"timestamp":       time.Now().UTC().Format(time.RFC3339Nano),
		"DDBStreamBatchInfo": map[string]any{
			"shardId": shard, "startSequenceNumber": first.Change.SequenceNumber, "endSequenceNumber": last.Change.SequenceNumber,
			"approximateArrivalOfFirstRecord": time.Now().UTC().Format(time.RFC3339), "approximateArrivalOfLastRecord": time.Now().UTC().Format(time.RFC3339),
			"batchSize": 2, "streamArn": streamArn,
		},
	}
	b, err := json.Marshal(n)
	require.NoError(t, err)
	return string(b)
}
