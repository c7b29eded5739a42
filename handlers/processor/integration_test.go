package main

import (
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

// TestProcessorAgainstEmulator feeds the handler the table's real stream: the received event
// is archived and marked processed, the poison one is reported by its sequence number, and a
// replay of the whole stream (now with the processor's own update in it) changes nothing.
func TestProcessorAgainstEmulator(t *testing.T) {
	emutest.SkipOnLocalStack(t, "4.14.0 DynamoDB Streams (kinesis-local 0.5.2, host mode) yields only the first of several records written, from TRIM_HORIZON, however long one waits")
	cfg := emutest.Config(t)
	sfx := emutest.Suffix(t)
	table, bucket := webhooktest.Name("events", sfx), webhooktest.Name("archive", sfx)
	streamArn := webhooktest.CreateEventsTable(t, cfg, table)
	webhooktest.CreateBucket(t, cfg, bucket)
	webhooktest.EnableVersioning(t, cfg, bucket)

	good := event("evt_good")
	webhooktest.PutItem(t, cfg, table, good.Item())
	poison := event("evt_poison").Item()
	delete(poison, webhook.AttrReceivedAt)
	webhooktest.PutItem(t, cfg, table, poison)

	h := &handler{table: table, bucket: bucket, db: dynamodb.NewFromConfig(cfg), s3: webhook.NewS3Client(cfg),
		concurrency: 4, ttl: 30 * 24 * time.Hour, ttlAttr: "expires_at", log: webhook.NewLogger(io.Discard, "info"), now: time.Now}
	ctx := webhooktest.Ctx(t)

	batch := webhooktest.StreamEvent(t, cfg, streamArn)
	require.Len(t, batch.Records, 2)
	var poisonSeq string
	for _, r := range batch.Records {
		if r.Change.Keys[webhook.AttrEventID].String() == "evt_poison" {
			poisonSeq = r.Change.SequenceNumber
		}
	}
	require.NotEmpty(t, poisonSeq)
	resp, err := h.Handle(ctx, batch)
	require.NoError(t, err)
	assert.Equal(t, failures(poisonSeq), resp.BatchItemFailures)

	key := "events/2026/03/04/evt_good.json"
	assert.Equal(t, string(good.Payload), string(webhooktest.GetObject(t, cfg, bucket, key)))
	got, ok := webhooktest.GetEvent(t, cfg, table, "evt_good")
	require.True(t, ok)
	assert.Equal(t, webhook.StatusProcessed, got.Status)
	assert.Equal(t, key, got.ArchiveKey)
	assert.WithinDuration(t, time.Now(), got.ProcessedAt, time.Minute)

	replay := webhooktest.StreamEvent(t, cfg, streamArn)
	require.Len(t, replay.Records, 3, "two inserts and the processor's update")
	resp, err = h.Handle(ctx, replay)
	require.NoError(t, err)
	assert.Equal(t, failures(poisonSeq), resp.BatchItemFailures)
	assert.Equal(t, []string{key}, webhooktest.ListKeys(t, cfg, bucket, "events/"))
	assert.Equal(t, 1, webhooktest.Versions(t, cfg, bucket, key), "the replay's conditional write added no version")
	item := webhooktest.GetItem(t, cfg, table, "evt_good")
	expires, ok := item["expires_at"].(*dbtypes.AttributeValueMemberN)
	require.True(t, ok, "the archived event has a TTL")
	sec, err := strconv.ParseInt(expires.Value, 10, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(30*24*time.Hour), time.Unix(sec, 0), time.Hour)
	again, _ := webhooktest.GetEvent(t, cfg, table, "evt_good")
	assert.Equal(t, got, again, "a replay leaves the event as it was")
}
