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
	log           *zap.Logger
	now           func() time.Time
}

// Handle processes one batch of stream records and reports the records it could not process
// by sequence number (the mapping needs FunctionResponseTypes ReportBatchItemFailures).
//
// Every record is tried, even after one fails. Lambda resumes the shard at the lowest reported
// sequence number, so the records after a failure come again anyway; but when the failing one
// is poison, its retries end with the whole batch range sent to the on-failure destination,
// and records after it must by then have been processed rather than only reported. Each step
// is idempotent, so the records that come again cost a rewrite, not a duplicate.
func (h *handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := webhook.WithRequest(ctx, h.log)
	var resp events.DynamoDBEventResponse
	for _, r := range ev.Records {
		rlog := log.With(zap.String("sequence_number", r.Change.SequenceNumber))
		if err := h.process(ctx, rlog, r); err != nil {
			rlog.Error("stream record not processed; reported for retry", zap.Error(err))
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
		}
	}
	return resp, nil
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
	if err := webhook.PutJSON(ctx, h.s3, h.bucket, key, ev.Payload, archiveMetadata(ev)); err != nil {
		return err
	}
	moved, err := webhook.Transition(ctx, h.db, h.table, ev.ID, webhook.StatusReceived, webhook.StatusProcessed, map[string]string{
		webhook.AttrProcessedAt: webhook.FormatTime(h.now()),
		webhook.AttrArchiveKey:  key,
	})
	if err != nil {
		return err
	}
	log.Info("event archived", zap.String("archive_key", key), zap.Bool("marked_processed", moved))
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
