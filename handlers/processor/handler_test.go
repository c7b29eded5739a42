package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

var (
	receivedAt = time.Date(2026, 3, 4, 23, 59, 59, 999_000_000, time.UTC)
	processNow = time.Date(2026, 3, 5, 0, 0, 1, 0, time.UTC)
)

func event(id string) webhook.Event {
	return webhook.Event{ID: id, Provider: "stripe", Type: "charge.succeeded", Status: webhook.StatusReceived, ReceivedAt: receivedAt,
		Payload: json.RawMessage(`{"id":"` + id + `", "type": "charge.succeeded"}`)}
}

// image is the stream image of an item, as Lambda delivers it.
func image(item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	img := map[string]events.DynamoDBAttributeValue{}
	for k, v := range item {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			img[k] = events.NewStringAttribute(v.Value)
		case *types.AttributeValueMemberN:
			img[k] = events.NewNumberAttribute(v.Value)
		}
	}
	return img
}

func record(name events.DynamoDBOperationType, seq string, ev webhook.Event) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{
		EventName: string(name),
		Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys:           map[string]events.DynamoDBAttributeValue{webhook.AttrEventID: events.NewStringAttribute(ev.ID)},
			NewImage:       image(ev.Item()),
			StreamViewType: "NEW_IMAGE",
		},
	}
}

// fakes is a handler over fakes that archive into objects and mark with update (nil: accept).
type fakes struct {
	mu      sync.Mutex // the handler runs records concurrently
	objects webhooktest.Objects
	updates []*dynamodb.UpdateItemInput
	s3Err   map[string]error // by event id
	dbErr   map[string]error // by event id
	item    map[string]types.AttributeValue
	gets    int
	logs    bytes.Buffer
}

func (f *fakes) handler() *handler {
	return &handler{
		table: "events", bucket: "archive",
		db: &webhooktest.DynamoDB{
			UpdateItemFunc: func(_ context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.updates = append(f.updates, in)
				return &dynamodb.UpdateItemOutput{}, f.dbErr[in.Key[webhook.AttrEventID].(*types.AttributeValueMemberS).Value]
			},
			GetItemFunc: func(context.Context, *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.gets++
				return &dynamodb.GetItemOutput{Item: f.item}, f.dbErr["get"]
			},
		},
		s3: &webhooktest.S3{PutObjectFunc: func(ctx context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error) {
			if err := f.s3Err[in.Metadata["event-id"]]; err != nil {
				return nil, err
			}
			return f.objects.Put(ctx, in, body)
		}},
		concurrency: 4,
		log:         webhook.NewLogger(&f.logs, "debug"),
		now:         func() time.Time { return processNow },
	}
}

func failures(ids ...string) []events.DynamoDBBatchItemFailure {
	var out []events.DynamoDBBatchItemFailure
	for _, id := range ids {
		out = append(out, events.DynamoDBBatchItemFailure{ItemIdentifier: id})
	}
	return out
}

func TestProcess(t *testing.T) {
	processed := event("evt_p")
	processed.Status = webhook.StatusProcessed
	noTime := record(events.DynamoDBOperationTypeInsert, "300", event("evt_bad"))
	delete(noTime.Change.NewImage, webhook.AttrReceivedAt)
	keysOnly := record(events.DynamoDBOperationTypeInsert, "400", event("evt_k"))
	keysOnly.Change.NewImage = nil

	tests := []struct {
		name         string
		records      []events.DynamoDBEventRecord
		s3Err        map[string]error
		dbErr        map[string]error
		item         map[string]types.AttributeValue // GetItem's answer
		wantFailures []events.DynamoDBBatchItemFailure
		wantKeys     []string // archived objects
		wantUpdates  int
		wantGets     int
	}{
		{name: "new event", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", event("evt_1"))},
			wantKeys: []string{"events/2026/03/04/evt_1.json"}, wantUpdates: 1},
		{name: "already processed (replayed INSERT)", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", processed)}},
		{name: "own status update", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeModify, "101", processed)}},
		{name: "removal", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeRemove, "102", event("evt_1"))}},
		{name: "marked meanwhile (condition failed)", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", event("evt_1"))},
			dbErr: map[string]error{"evt_1": &types.ConditionalCheckFailedException{}}, wantKeys: []string{"events/2026/03/04/evt_1.json"}, wantUpdates: 1},
		{name: "archive fails", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", event("evt_1"))},
			s3Err: map[string]error{"evt_1": errors.New("SlowDown")}, wantFailures: failures("100")},
		{name: "mark throttled", records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", event("evt_1"))},
			dbErr: map[string]error{"evt_1": &types.ProvisionedThroughputExceededException{}}, wantFailures: failures("100"),
			wantKeys: []string{"events/2026/03/04/evt_1.json"}, wantUpdates: 1},
		{name: "poison record", records: []events.DynamoDBEventRecord{noTime}, wantFailures: failures("300")},
		{name: "keys-only stream", records: []events.DynamoDBEventRecord{keysOnly}, item: event("evt_k").Item(),
			wantKeys: []string{"events/2026/03/04/evt_k.json"}, wantUpdates: 1, wantGets: 1},
		{name: "keys-only, item gone", records: []events.DynamoDBEventRecord{keysOnly}, wantGets: 1},
		{name: "keys-only, read fails", records: []events.DynamoDBEventRecord{keysOnly}, dbErr: map[string]error{"get": &types.InternalServerError{}},
			wantFailures: failures("400"), wantGets: 1},
		{name: "one bad record in a batch", records: []events.DynamoDBEventRecord{
			record(events.DynamoDBOperationTypeInsert, "100", event("evt_1")),
			record(events.DynamoDBOperationTypeInsert, "200", event("evt_2")),
			noTime,
			record(events.DynamoDBOperationTypeModify, "301", processed),
			record(events.DynamoDBOperationTypeInsert, "500", event("evt_5")),
		}, s3Err: map[string]error{"evt_2": errors.New("boom")}, wantFailures: failures("200", "300"),
			wantKeys: []string{"events/2026/03/04/evt_1.json", "events/2026/03/04/evt_5.json"}, wantUpdates: 2},
		{name: "empty batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakes{s3Err: tt.s3Err, dbErr: tt.dbErr, item: tt.item}
			resp, err := f.handler().Handle(context.Background(), events.DynamoDBEvent{Records: tt.records})
			require.NoError(t, err)
			assert.Equal(t, tt.wantFailures, resp.BatchItemFailures)
			assert.Equal(t, tt.wantKeys, emptyNil(f.objects.Keys()))
			assert.Len(t, f.updates, tt.wantUpdates)
			assert.Equal(t, tt.wantGets, f.gets)
		})
	}
}

func emptyNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestProcessWrites(t *testing.T) {
	f := &fakes{}
	ev := event("evt_1")
	ev.Type = "paiement.réussi" // not ASCII: must not break the S3 metadata
	resp, err := f.handler().Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record(events.DynamoDBOperationTypeInsert, "100", ev),
	}})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)

	body, ok := f.objects.Get("events/2026/03/04/evt_1.json")
	require.True(t, ok)
	assert.Equal(t, string(ev.Payload), string(body), "the archive is the payload byte for byte")

	require.Len(t, f.updates, 1)
	u := f.updates[0]
	assert.Equal(t, "events", aws.ToString(u.TableName))
	assert.Equal(t, "#status = :from", aws.ToString(u.ConditionExpression))
	assert.Equal(t, &types.AttributeValueMemberS{Value: "received"}, u.ExpressionAttributeValues[":from"])
	assert.Equal(t, &types.AttributeValueMemberS{Value: "processed"}, u.ExpressionAttributeValues[":to"])
	set := map[string]string{} // the attributes set besides the status, by name
	for n, attr := range u.ExpressionAttributeNames {
		if v, ok := u.ExpressionAttributeValues[":"+n[1:]]; ok {
			set[attr] = v.(*types.AttributeValueMemberS).Value
		}
	}
	assert.Equal(t, map[string]string{
		"processed_at": "2026-03-05T00:00:01.000Z",
		"archive_key":  "events/2026/03/04/evt_1.json",
	}, set)
}

func TestArchiveMetadata(t *testing.T) {
	ev := event("evt_1")
	ev.Type = "paiement.réussi"
	assert.Equal(t, map[string]string{
		"event-id":    "evt_1",
		"provider":    "stripe",
		"event-type":  "paiement.r%C3%A9ussi",
		"received-at": "2026-03-04T23:59:59.999Z",
	}, archiveMetadata(ev))
}

// TestProcessRetryWritesOnce: a batch delivered again finds its archive written (412 to the
// conditional write) and leaves the one object as it was.
func TestProcessRetryWritesOnce(t *testing.T) {
	f := &fakes{dbErr: map[string]error{"evt_1": &types.ProvisionedThroughputExceededException{}}}
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", event("evt_1"))}}
	h := f.handler()
	first, err := h.Handle(context.Background(), batch)
	require.NoError(t, err)
	assert.Equal(t, failures("100"), first.BatchItemFailures)
	body1, _ := f.objects.Get("events/2026/03/04/evt_1.json")

	f.dbErr = nil
	second, err := h.Handle(context.Background(), batch)
	require.NoError(t, err)
	assert.Empty(t, second.BatchItemFailures)
	body2, _ := f.objects.Get("events/2026/03/04/evt_1.json")
	assert.Equal(t, 2, f.objects.Puts())
	assert.Equal(t, []string{"events/2026/03/04/evt_1.json"}, f.objects.Keys())
	assert.Equal(t, body1, body2)
}

func TestNewHandler(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	var logs bytes.Buffer
	_, err := newHandler(context.Background(), func(string) string { return "" }, &logs)
	assert.EqualError(t, err, "environment variable EVENTS_TABLE is not set\nenvironment variable ARCHIVE_BUCKET is not set")
	env := map[string]string{"EVENTS_TABLE": "t", "ARCHIVE_BUCKET": "b"}
	h, err := newHandler(context.Background(), func(k string) string { return env[k] }, &logs)
	require.NoError(t, err)
	assert.Equal(t, "t", h.table)
	assert.Equal(t, "b", h.bucket)
}

// TestRecordedBatch drives the handler with a stream batch in the JSON Lambda delivers: a new
// event, the processor's own update, and a record whose receipt time has the wrong type.
func TestRecordedBatch(t *testing.T) {
	b, err := os.ReadFile("testdata/stream-batch.json")
	require.NoError(t, err)
	var batch events.DynamoDBEvent
	require.NoError(t, json.Unmarshal(b, &batch))

	f := &fakes{}
	resp, err := f.handler().Handle(context.Background(), batch)
	require.NoError(t, err)
	assert.Equal(t, failures("4421584700000000017450439093"), resp.BatchItemFailures)
	body, ok := f.objects.Get("events/2026/03/04/evt_1NG8Du2eZvKYlo2CUI79vXWy.json")
	require.True(t, ok)
	assert.Equal(t, `{"id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "type": "payment_intent.succeeded"}`, string(body))
	assert.Len(t, f.updates, 1)
	assert.Contains(t, f.logs.String(), `"msg":"stream record not processed; reported for retry"`)
}

func TestProcessSetsExpiry(t *testing.T) {
	f := &fakes{}
	h := f.handler()
	h.ttl, h.ttlAttr = 30*24*time.Hour, "expires_at"
	_, err := h.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record(events.DynamoDBOperationTypeInsert, "100", event("evt_1"))}})
	require.NoError(t, err)
	require.Len(t, f.updates, 1)
	u := f.updates[0]
	var got types.AttributeValue
	for n, attr := range u.ExpressionAttributeNames {
		if attr == "expires_at" {
			got = u.ExpressionAttributeValues[":"+n[1:]]
		}
	}
	assert.Equal(t, &types.AttributeValueMemberN{Value: strconv.FormatInt(processNow.Add(30*24*time.Hour).Unix(), 10)}, got,
		"TTL in Unix seconds, as a number, set when the event is archived")
}

// TestProcessHungDependency: one record's archive write never answers. The others are
// processed, and the hung one is reported when the invocation's time (less the margin) runs
// out, instead of the whole batch timing out.
func TestProcessHungDependency(t *testing.T) {
	f := &fakes{}
	h := f.handler()
	h.timing = webhook.Timing{SafetyMargin: 50 * time.Millisecond, MinRecordTime: time.Millisecond}
	inner := h.s3.(*webhooktest.S3).PutObjectFunc
	h.s3 = &webhooktest.S3{PutObjectFunc: func(ctx context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error) {
		if in.Metadata["event-id"] == "evt_hung" {
			<-ctx.Done() // a call that hangs until its deadline
			return nil, ctx.Err()
		}
		return inner(ctx, in, body)
	}}
	var records []events.DynamoDBEventRecord
	for i := range 10 {
		id := "evt_" + strconv.Itoa(i)
		if i == 3 {
			id = "evt_hung"
		}
		records = append(records, record(events.DynamoDBOperationTypeInsert, strconv.Itoa(100+i), event(id)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	resp, err := h.Handle(ctx, events.DynamoDBEvent{Records: records})
	require.NoError(t, err)
	assert.Equal(t, failures("103"), resp.BatchItemFailures)
	assert.Len(t, f.objects.Keys(), 9)
	assert.Contains(t, f.logs.String(), "context deadline exceeded")
}

// TestProcessOutOfTime: a batch that arrives with less time left than a record needs is
// reported whole, record by record, without a call.
func TestProcessOutOfTime(t *testing.T) {
	f := &fakes{}
	h := f.handler()
	h.s3 = &webhooktest.S3{} // any call would panic
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp, err := h.Handle(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record(events.DynamoDBOperationTypeInsert, "100", event("evt_1")),
		record(events.DynamoDBOperationTypeInsert, "101", event("evt_2")),
	}})
	require.NoError(t, err)
	assert.Equal(t, failures("100", "101"), resp.BatchItemFailures)
}

// TestProcessOrderPerEvent: two records of one event id in one batch (an INSERT, then a
// re-INSERT after a TTL removal, say): the second waits for the first and is not tried when
// the first failed, while other events go on. Lambda resumes at the lowest reported number.
func TestProcessOrderPerEvent(t *testing.T) {
	f := &fakes{s3Err: map[string]error{"evt_1": errors.New("SlowDown")}}
	resp, err := f.handler().Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record(events.DynamoDBOperationTypeInsert, "100", event("evt_1")),
		record(events.DynamoDBOperationTypeInsert, "101", event("evt_2")),
		record(events.DynamoDBOperationTypeInsert, "102", event("evt_1")),
	}})
	require.NoError(t, err)
	assert.Equal(t, failures("100", "102"), resp.BatchItemFailures)
	assert.Equal(t, []string{"events/2026/03/04/evt_2.json"}, f.objects.Keys())
	assert.Contains(t, f.logs.String(), "an earlier record with the same key failed")
}
