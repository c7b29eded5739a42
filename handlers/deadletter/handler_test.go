package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

var handleNow = time.Date(2026, 3, 6, 7, 8, 9, 0, time.UTC)

func recordedNotice(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/on-failure-notice.json")
	require.NoError(t, err)
	return string(b)
}

func message(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs",
		Attributes: map[string]string{"SentTimestamp": "1772668862345", "ApproximateReceiveCount": "1"}}
}

func streamRecord(name types.OperationType, seq, id string) types.Record {
	return types.Record{EventName: name, Dynamodb: &types.StreamRecord{
		SequenceNumber: aws.String(seq),
		Keys:           map[string]types.AttributeValue{webhook.AttrEventID: &types.AttributeValueMemberS{Value: id}},
	}}
}

// shard is a fake stream shard read from a sequence number, in pages.
type shard struct {
	pages     [][]types.Record
	iterErr   error
	pageErr   error
	iterators []*dynamodbstreams.GetShardIteratorInput
	reads     int
}

func (s *shard) fake() *webhooktest.Streams {
	return &webhooktest.Streams{
		GetShardIteratorFunc: func(_ context.Context, in *dynamodbstreams.GetShardIteratorInput) (*dynamodbstreams.GetShardIteratorOutput, error) {
			s.iterators = append(s.iterators, in)
			return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String("it-0")}, s.iterErr
		},
		GetRecordsFunc: func(_ context.Context, in *dynamodbstreams.GetRecordsInput) (*dynamodbstreams.GetRecordsOutput, error) {
			s.reads++
			if s.pageErr != nil {
				return nil, s.pageErr
			}
			page, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(in.ShardIterator), "it-"))
			out := &dynamodbstreams.GetRecordsOutput{NextShardIterator: aws.String("it-" + strconv.Itoa(page+1))}
			if page < len(s.pages) {
				out.Records = s.pages[page]
			}
			return out, nil
		},
	}
}

type fakes struct {
	objects webhooktest.Objects
	shard   shard
	s3Err   error
	dbErr   map[string]error
	marked  []string
	mu      sync.Mutex // messages run concurrently
	logs    bytes.Buffer
}

func (f *fakes) handler() *handler {
	return &handler{
		table: "events", bucket: "archive",
		db: &webhooktest.DynamoDB{UpdateItemFunc: func(_ context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
			id := in.Key[webhook.AttrEventID].(*dbtypes.AttributeValueMemberS).Value
			if err := f.dbErr[id]; err != nil {
				return nil, err
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.marked = append(f.marked, id)
			return &dynamodb.UpdateItemOutput{}, nil
		}},
		s3: &webhooktest.S3{PutObjectFunc: func(ctx context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error) {
			if f.s3Err != nil {
				return nil, f.s3Err
			}
			return f.objects.Put(ctx, in, body)
		}},
		streams:     f.shard.fake(),
		concurrency: 4,
		log:         webhook.NewLogger(&f.logs, "debug"),
		now:         func() time.Time { return handleNow },
	}
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestHandle(t *testing.T) {
	n := recordedNotice(t)
	key := "dead-letters/2026/03/05/" + hash(n) + ".json"
	otherTable := strings.Replace(n, "table/events/stream", "table/payments/stream", 1)
	inRange := [][]types.Record{{
		streamRecord(types.OperationTypeInsert, "100", "evt_1"),
		streamRecord(types.OperationTypeModify, "101", "evt_1"),
		streamRecord(types.OperationTypeInsert, "102", "evt_2"),
		streamRecord(types.OperationTypeInsert, "103", "evt_3"), // after the batch
	}}
	tests := []struct {
		name         string
		body         string
		receives     string
		pages        [][]types.Record
		iterErr      error
		pageErr      error
		s3Err        error
		dbErr        map[string]error
		wantFailed   bool
		wantKey      string
		wantArchived string // content, when not the body itself
		wantMarked   []string
		wantLog      string
	}{
		{name: "batch recovered and marked", body: n, pages: inRange, wantKey: key, wantMarked: []string{"evt_1", "evt_2"}},
		{name: "records over several pages", body: n, pages: [][]types.Record{{}, inRange[0][:1], inRange[0][1:]}, wantKey: key, wantMarked: []string{"evt_1", "evt_2"}},
		{name: "some already processed", body: n, pages: inRange, dbErr: map[string]error{"evt_1": &dbtypes.ConditionalCheckFailedException{}},
			wantKey: key, wantMarked: []string{"evt_2"}},
		{name: "not JSON", body: "oops", wantKey: "dead-letters/2026/03/05/" + hash("oops") + ".json",
			wantArchived: `{"unparsed_body":"oops"}`, wantLog: "names no DynamoDB stream batch"},
		{name: "no stream batch", body: `{"requestContext":{"condition":"RetryAttemptsExhausted"},"timestamp":"2026-01-02T03:04:05Z"}`,
			wantKey: "dead-letters/2026/01/02/" + hash(`{"requestContext":{"condition":"RetryAttemptsExhausted"},"timestamp":"2026-01-02T03:04:05Z"}`) + ".json",
			wantLog: "names no DynamoDB stream batch"},
		{name: "another table's stream", body: otherTable, wantKey: "dead-letters/2026/03/05/" + hash(otherTable) + ".json", wantLog: "another table"},
		{name: "archive fails", body: n, s3Err: errors.New("SlowDown"), wantFailed: true},
		{name: "stream throttled", body: n, pageErr: &types.LimitExceededException{}, wantFailed: true, wantKey: key},
		{name: "stream throttled, delivered often enough", body: n, receives: "5", pageErr: &types.LimitExceededException{},
			wantKey: key, wantLog: "not recoverable"},
		{name: "records trimmed", body: n, iterErr: &types.TrimmedDataAccessException{}, wantKey: key, wantLog: "not recoverable"},
		{name: "stream gone", body: n, iterErr: &types.ResourceNotFoundException{}, wantKey: key, wantLog: "not recoverable"},
		{name: "marking throttled", body: n, pages: inRange, dbErr: map[string]error{"evt_2": &dbtypes.ProvisionedThroughputExceededException{}},
			wantFailed: true, wantKey: key, wantMarked: []string{"evt_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakes{shard: shard{pages: tt.pages, iterErr: tt.iterErr, pageErr: tt.pageErr}, s3Err: tt.s3Err, dbErr: tt.dbErr}
			m := message("m-1", tt.body)
			if tt.receives != "" {
				m.Attributes["ApproximateReceiveCount"] = tt.receives
			}
			resp, err := f.handler().Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
			require.NoError(t, err)

			if tt.wantFailed {
				assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m-1"}}, resp.BatchItemFailures)
			} else {
				assert.Empty(t, resp.BatchItemFailures)
			}
			if tt.wantKey == "" {
				assert.Empty(t, f.objects.Keys())
			} else {
				assert.Equal(t, []string{tt.wantKey}, f.objects.Keys())
				got, _ := f.objects.Get(tt.wantKey)
				want := tt.wantArchived
				if want == "" {
					want = tt.body
				}
				assert.Equal(t, want, string(got))
			}
			assert.Equal(t, tt.wantMarked, f.marked)
			assert.Contains(t, f.logs.String(), tt.wantLog)
		})
	}
}

func TestHandleReadsFromTheBatchStart(t *testing.T) {
	f := &fakes{shard: shard{pages: [][]types.Record{{streamRecord(types.OperationTypeInsert, "102", "evt_2")}}}}
	_, err := f.handler().Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message("m-1", recordedNotice(t))}})
	require.NoError(t, err)
	require.Len(t, f.shard.iterators, 1)
	in := f.shard.iterators[0]
	assert.Equal(t, "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-03-01T00:00:00.000", aws.ToString(in.StreamArn))
	assert.Equal(t, "shardId-00000001772600000000-abcdef12", aws.ToString(in.ShardId))
	assert.Equal(t, types.ShardIteratorTypeAtSequenceNumber, in.ShardIteratorType)
	assert.Equal(t, "100", aws.ToString(in.SequenceNumber))
	assert.Equal(t, 1, f.shard.reads, "the batch's last record ends the read")
}

func TestHandleStopsAtPageLimit(t *testing.T) {
	f := &fakes{} // an open shard with nothing in it: every page is empty
	resp, err := f.handler().Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message("m-1", recordedNotice(t))}})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Equal(t, maxPages, f.shard.reads)
	assert.Empty(t, f.marked)
}

func TestHandlePartialBatch(t *testing.T) {
	f := &fakes{shard: shard{pages: [][]types.Record{{streamRecord(types.OperationTypeInsert, "102", "evt_2")}}}}
	h := f.handler()
	failing := &webhooktest.S3{PutObjectFunc: func(ctx context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error) {
		if in.Metadata["sqs-message-id"] == "m-2" {
			return nil, errors.New("InternalError")
		}
		return f.objects.Put(ctx, in, body)
	}}
	h.s3 = failing
	batch := events.SQSEvent{Records: []events.SQSMessage{message("m-1", recordedNotice(t)), message("m-2", `{"other":1}`), message("m-3", "plain")}}
	resp, err := h.Handle(context.Background(), batch)
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m-2"}}, resp.BatchItemFailures)
	assert.Len(t, f.objects.Keys(), 2)
	assert.Equal(t, []string{"evt_2"}, f.marked)
}

// TestHandleRedelivery: the same notice delivered again, even as another message, is one
// archive object.
func TestHandleRedelivery(t *testing.T) {
	f := &fakes{shard: shard{pages: [][]types.Record{{streamRecord(types.OperationTypeInsert, "102", "evt_2")}}}}
	h := f.handler()
	for _, id := range []string{"m-1", "m-1", "m-9"} {
		m := message(id, recordedNotice(t))
		m.Attributes["SentTimestamp"] = "1999999999999" // SQS time is not what dates the key
		resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}})
		require.NoError(t, err)
		assert.Empty(t, resp.BatchItemFailures)
	}
	assert.Equal(t, 3, f.objects.Puts())
	assert.Equal(t, []string{"dead-letters/2026/03/05/" + hash(recordedNotice(t)) + ".json"}, f.objects.Keys())
}

func TestHandleOutOfTime(t *testing.T) {
	f := &fakes{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp, err := f.handler().Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{message("m-1", recordedNotice(t)), message("m-2", "x")}})
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m-1"}, {ItemIdentifier: "m-2"}}, resp.BatchItemFailures)
	assert.Empty(t, f.objects.Keys(), "nothing is started without the time to finish it")
}

func TestNoticeTime(t *testing.T) {
	tests := []struct {
		name   string
		n      notice
		sentMs string
		want   time.Time
	}{
		{"from the notice", notice{Timestamp: "2026-03-05T00:01:02.345Z"}, "1", time.Date(2026, 3, 5, 0, 1, 2, 345e6, time.UTC)},
		{"from SQS", notice{}, "1772668862345", time.UnixMilli(1772668862345)},
		{"from the clock", notice{Timestamp: "soon"}, "", handleNow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := events.SQSMessage{Attributes: map[string]string{"SentTimestamp": tt.sentMs}}
			assert.True(t, tt.want.Equal(noticeTime(tt.n, m, func() time.Time { return handleNow })))
		})
	}
}

func TestCmpSeq(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"9", "10", -1},
		{"10", "9", 1},
		{"0010", "10", 0},
		{"4421584700000000017450439093", "4421584700000000017450439093", 0},
		{"4421584700000000017450439093", "4421584700000000017450439100", -1},
		{"100000000000000000000000000000000000000", "99999999999999999999999999999999999999", 1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, cmpSeq(tt.a, tt.b), "cmpSeq(%s, %s)", tt.a, tt.b)
	}
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
	assert.NotNil(t, h.streams)
}

// TestHandleHungArchive: one notice's archive write hangs; the other messages are handled and
// only the hung one is reported when the invocation's time less the margin is up.
func TestHandleHungArchive(t *testing.T) {
	f := &fakes{}
	h := f.handler()
	h.timing = webhook.Timing{SafetyMargin: 50 * time.Millisecond, MinRecordTime: time.Millisecond}
	h.s3 = &webhooktest.S3{PutObjectFunc: func(ctx context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error) {
		if in.Metadata["sqs-message-id"] == "m-hung" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return f.objects.Put(ctx, in, body)
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	resp, err := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{message("m-1", "not json 1"), message("m-hung", "not json 2"), message("m-3", "not json 3")}})
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m-hung"}}, resp.BatchItemFailures)
	assert.Len(t, f.objects.Keys(), 2)
}
