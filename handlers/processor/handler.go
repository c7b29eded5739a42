package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// store is what the processor needs of DynamoDB.
type store interface {
	webhook.ItemGetter
	webhook.ItemUpdater
}

type handler struct {
	table, bucket string
	db            store
	s3            webhook.ObjectPutter
	concurrency   int           // records handled at once; at least 1
	ttl           time.Duration // an archived event's time left in the table; 0 keeps it
	ttlAttr       string        // the table's TTL attribute
	timing        webhook.Timing
	log           *zap.Logger
	now           func() time.Time
}

// Handle processes one batch of stream records and reports the records it could not process
// by sequence number (the mapping needs FunctionResponseTypes ReportBatchItemFailures).
//
// Records run concurrently, up to h.concurrency at once, except that records of the same event
// id run one after another in stream order; after one fails, the later ones of its id are not
// tried. For a stream Lambda resumes the shard at the lowest reported sequence number, and
// sends everything after it again, so every record of the batch still runs even after one
// fails: when the failing one is poison, its retries end with the whole range sent to the
// on-failure destination, and the records after it must by then have been processed rather
// than only reported. Each step is idempotent (a write-once archive, a conditional update), so
// the records that come again cost a request, not a duplicate. Every AWS call is bounded by
// the invocation's deadline less a safety margin; a record not finished or not started in
// time is reported, never the whole batch lost to a timeout.
func (h *handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := webhook.WithRequest(ctx, h.log)
	work, cancel := webhook.WithinInvocation(ctx, h.timing.Margin())
	defer cancel()
	errs := webhook.RunBatch(work, ev.Records, h.concurrency, h.timing.MinRecord(), recordKey, func(ctx context.Context, r events.DynamoDBEventRecord) error {
		return h.process(ctx, log.With(zap.String("sequence_number", r.Change.SequenceNumber)), r)
	})
	var resp events.DynamoDBEventResponse
	for i, err := range errs { // in stream order: the first reported is the one Lambda resumes at
		if err == nil {
			continue
		}
		r := ev.Records[i]
		log.Error("stream record not processed; reported for retry", zap.String("sequence_number", r.Change.SequenceNumber), zap.Error(err))
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
	}
	return resp, nil
}

// recordKey is the event id a record is about; records without one are keyed by their own
// sequence number, and so ordered against nothing.
func recordKey(r events.DynamoDBEventRecord) string {
	if id, ok := r.Change.Keys[webhook.AttrEventID]; ok && id.DataType() == events.DataTypeString {
		return "id:" + id.String()
	}
	return "seq:" + r.Change.SequenceNumber
}

// process archives one newly received event and marks it processed. Only INSERTs carry new
// events: MODIFYs are the processor's and the dead-letter handler's own status updates, and a
// REMOVE needs nothing.
func (h *handler) process(ctx context.Context, log *zap.Logger, r events.DynamoDBEventRecord) error {
	if r.EventName != string(events.DynamoDBOperationTypeInsert) {
		return nil
	}
	ev, found, err := h.event(ctx, r)
	if err != nil || !found {
		return err
	}
	log = log.With(zap.String("event_id", ev.ID))
	if ev.Status != webhook.StatusReceived {
		log.Debug("event not in status received; nothing to do", zap.String("status", string(ev.Status)))
		return nil
	}
	key := webhook.ArchiveKey(ev.ReceivedAt, ev.ID)
	written, err := webhook.PutJSONOnce(ctx, h.s3, h.bucket, key, ev.Payload, archiveMetadata(ev))
	if err != nil {
		return err
	}
	now := h.now()
	set := map[string]types.AttributeValue{
		webhook.AttrProcessedAt: webhook.S(webhook.FormatTime(now)),
		webhook.AttrArchiveKey:  webhook.S(key),
	}
	if h.ttl > 0 {
		set[h.ttlAttr] = webhook.N(now.Add(h.ttl).Unix()) // DynamoDB TTL: Unix seconds, a number
	}
	moved, err := webhook.Transition(ctx, h.db, h.table, ev.ID, webhook.StatusReceived, webhook.StatusProcessed, set)
	if err != nil {
		return err
	}
	log.Info("event archived", zap.String("archive_key", key), zap.Bool("written", written), zap.Bool("marked_processed", moved))
	return nil
}

// archiveMetadata describes the archived body, which is the provider's payload byte for byte
// (so that its signature can still be checked), with the rest of the event in S3 metadata.
// S3 metadata travels as HTTP headers and must be ASCII: the event type, the one value the
// receiver does not restrict to ASCII, is URL-escaped when it is not.
func archiveMetadata(ev webhook.Event) map[string]string {
	typ := ev.Type
	if !printableASCII(typ) {
		typ = url.QueryEscape(typ)
	}
	return map[string]string{
		"event-id":    ev.ID,
		"provider":    ev.Provider,
		"event-type":  typ,
		"received-at": webhook.FormatTime(ev.ReceivedAt),
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// event decodes the record's new image. A stream that carries keys only (KEYS_ONLY) has no
// image; the event is then read from the table. found is false when the item is gone.
func (h *handler) event(ctx context.Context, r events.DynamoDBEventRecord) (ev webhook.Event, found bool, err error) {
	if len(r.Change.NewImage) > 0 {
		ev, err = webhook.EventFromImage(r.Change.NewImage)
		return ev, err == nil, err
	}
	id, ok := r.Change.Keys[webhook.AttrEventID]
	if !ok || id.DataType() != events.DataTypeString {
		return webhook.Event{}, false, errors.New("stream record has neither a new image nor an event_id key")
	}
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(h.table),
		Key:            map[string]types.AttributeValue{webhook.AttrEventID: &types.AttributeValueMemberS{Value: id.String()}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return webhook.Event{}, false, fmt.Errorf("read event %s: %w", id.String(), err)
	}
	if out.Item == nil {
		return webhook.Event{}, false, nil
	}
	ev, err = webhook.EventFromItem(out.Item)
	return ev, err == nil, err
}
