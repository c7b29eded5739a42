package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

const (
	// maxReceives bounds the deliveries of a notice whose stream read keeps failing transiently
	// (throttled, or no network path to DynamoDB Streams): after that it stays archived only,
	// instead of cycling until the queue's retention drops it.
	maxReceives = 5
)

type handler struct {
	table, bucket string
	db            webhook.ItemUpdater
	s3            webhook.ObjectPutter
	streams       streamReader
	concurrency   int // messages handled at once; at least 1
	timing        webhook.Timing
	log           *zap.Logger
	now           func() time.Time
}

// notice is the part of Lambda's on-failure invocation record that the handler reads.
type notice struct {
	Timestamp      string `json:"timestamp"`
	RequestContext struct {
		RequestID string `json:"requestId"`
		Condition string `json:"condition"`
	} `json:"requestContext"`
	Batch *batchInfo `json:"DDBStreamBatchInfo"`
}

// batchInfo names the stream records of the failed batch; the records themselves are not in
// the notice.
type batchInfo struct {
	ShardID             string `json:"shardId"`
	StartSequenceNumber string `json:"startSequenceNumber"`
	EndSequenceNumber   string `json:"endSequenceNumber"`
	StreamArn           string `json:"streamArn"`
	BatchSize           int    `json:"batchSize"`
}

// Handle archives and acts on each failure notice, and reports the messages to receive again
// by message id (the mapping needs FunctionResponseTypes ReportBatchItemFailures). Messages
// run concurrently, up to h.concurrency at once; messages of one FIFO message group run in
// order. Every AWS call is bounded by the invocation's deadline less a safety margin, and a
// message not finished or not started in time is reported, so that only it is delivered
// again, not the whole batch after a timeout.
func (h *handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	log := webhook.WithRequest(ctx, h.log)
	work, cancel := webhook.WithinInvocation(ctx, h.timing.Margin())
	defer cancel()
	errs := webhook.RunBatch(work, ev.Records, h.concurrency, h.timing.MinRecord(), messageKey, func(ctx context.Context, m events.SQSMessage) error {
		return h.handle(ctx, log.With(zap.String("message_id", m.MessageId)), m)
	})
	var resp events.SQSEventResponse
	for i, err := range errs {
		if err == nil {
			continue
		}
		m := ev.Records[i]
		log.Error("failure notice not handled; reported for retry", zap.String("message_id", m.MessageId), zap.Error(err))
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
	}
	return resp, nil
}

// messageKey orders the messages of one FIFO message group; a standard queue's messages have
// no order to keep.
func messageKey(m events.SQSMessage) string {
	if g := m.Attributes["MessageGroupId"]; g != "" {
		return "group:" + g
	}
	return "message:" + m.MessageId
}

// handle archives the notice first, so that it is kept whatever happens next, then marks the
// failed batch's events failed. A failed archive write or mark is returned, to have the message
// delivered again (both are idempotent). A stream read is retried so only while its error is
// transient and the message young; a notice whose events cannot be found is archived, logged,
// and done.
func (h *handler) handle(ctx context.Context, log *zap.Logger, m events.SQSMessage) error {
	var n notice
	parsed := json.Unmarshal([]byte(m.Body), &n) == nil
	key := webhook.DeadLetterKey(noticeTime(n, m, h.now), bodyHash(m.Body))
	// Write-once: the key is the notice's hash, so a notice already archived is the same notice.
	if _, err := webhook.PutJSONOnce(ctx, h.s3, h.bucket, key, archiveBody(m.Body), map[string]string{"sqs-message-id": m.MessageId}); err != nil {
		return err
	}
	log = log.With(zap.String("dead_letter_key", key), zap.String("condition", n.RequestContext.Condition))
	switch {
	case !parsed || n.Batch == nil:
		log.Warn("failure notice names no DynamoDB stream batch; archived only")
		return nil
	case !h.ownStream(n.Batch.StreamArn):
		log.Warn("failure notice is for another table's stream; archived only", zap.String("stream_arn", n.Batch.StreamArn))
		return nil
	}
	ids, err := h.recoverIDs(ctx, *n.Batch)
	if err != nil {
		if webhook.Transient(err) && receiveCount(m) < maxReceives {
			return err
		}
		log.Error("failed batch's events not recoverable from the stream; notice archived only", zap.Error(err))
		return nil
	}
	return h.markFailed(ctx, log, ids, key)
}

// receiveCount is how many times SQS has delivered m, this time included.
func receiveCount(m events.SQSMessage) int {
	n, err := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
	if err != nil {
		return 1
	}
	return n
}

// markFailed moves each event still in status received to failed. Events of the batch that
// were processed before the batch failed keep their status.
func (h *handler) markFailed(ctx context.Context, log *zap.Logger, ids []string, key string) error {
	var errs []error
	marked := 0
	for _, id := range ids {
		moved, err := webhook.Transition(ctx, h.db, h.table, id, webhook.StatusReceived, webhook.StatusFailed, map[string]types.AttributeValue{
			webhook.AttrFailedAt:      webhook.S(webhook.FormatTime(h.now())),
			webhook.AttrDeadLetterKey: webhook.S(key),
		})
		if err != nil {
			errs = append(errs, err)
		} else if moved {
			marked++
		}
	}
	log.Info("failure notice archived", zap.Strings("event_ids", ids), zap.Int("marked_failed", marked))
	return errors.Join(errs...)
}

// ownStream reports whether arn is a stream of the events table; the handler updates no other
// table.
func (h *handler) ownStream(arn string) bool {
	return strings.Contains(arn, ":table/"+h.table+"/stream/")
}

// noticeTime dates the archive key by the notice itself (then by when SQS got it), not by when
// it is handled, so that a redelivery after midnight lands on the same key.
func noticeTime(n notice, m events.SQSMessage, now func() time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, n.Timestamp); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	return now()
}

// bodyHash names the archived notice by its content: the same notice delivered twice, even as
// two SQS messages, is one object.
func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// archiveBody is the notice as received when it is JSON, and otherwise a JSON object holding
// it as a string, so that everything under dead-letters/ is JSON.
func archiveBody(body string) []byte {
	if json.Valid([]byte(body)) {
		return []byte(body)
	}
	b, _ := json.Marshal(struct {
		UnparsedBody string `json:"unparsed_body"`
	}{body}) // a struct of one string always encodes
	return b
}
