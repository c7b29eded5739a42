package webhook

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Status is where an event is in the pipeline.
type Status string

// An event is received (stored by the receiver), then processed (archived by the processor),
// or failed (its stream record reached the dead-letter handler first).
const (
	StatusReceived  Status = "received"
	StatusProcessed Status = "processed"
	StatusFailed    Status = "failed"
)

// Attribute names of an event item. The table's partition key is AttrEventID (type S).
const (
	AttrEventID       = "event_id"
	AttrProvider      = "provider"
	AttrEventType     = "event_type"
	AttrStatus        = "status"
	AttrReceivedAt    = "received_at"
	AttrOccurredAt    = "occurred_at" // when the provider says the event happened, when it says
	AttrPayload       = "payload"
	AttrProcessedAt   = "processed_at"
	AttrArchiveKey    = "archive_key"
	AttrFailedAt      = "failed_at"
	AttrDeadLetterKey = "dead_letter_key"
)

// TimeLayout is how times are stored: UTC, fixed width, so that stored times sort as strings.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Event is one webhook delivery as stored in the events table.
type Event struct {
	ID            string          `json:"event_id"`
	Provider      string          `json:"provider"`
	Type          string          `json:"event_type"`
	Status        Status          `json:"status"`
	ReceivedAt    time.Time       `json:"received_at"`
	OccurredAt    time.Time       `json:"occurred_at,omitzero"`
	ProcessedAt   time.Time       `json:"processed_at,omitzero"`
	ArchiveKey    string          `json:"archive_key,omitempty"`
	FailedAt      time.Time       `json:"failed_at,omitzero"`
	DeadLetterKey string          `json:"dead_letter_key,omitempty"`
	Payload       json.RawMessage `json:"payload"` // the request body, byte for byte
}

// FormatTime renders t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Item is the DynamoDB item for e. The payload is kept as a string, not a map, so that the
// stored bytes are exactly the bytes the provider signed.
func (e Event) Item() map[string]types.AttributeValue {
	item := make(map[string]types.AttributeValue, 12)
	put := func(name, v string) {
		if v != "" {
			item[name] = &types.AttributeValueMemberS{Value: v}
		}
	}
	put(AttrEventID, e.ID)
	put(AttrProvider, e.Provider)
	put(AttrEventType, e.Type)
	put(AttrStatus, string(e.Status))
	put(AttrReceivedAt, formatNonZero(e.ReceivedAt))
	put(AttrOccurredAt, formatNonZero(e.OccurredAt))
	put(AttrPayload, string(e.Payload))
	put(AttrProcessedAt, formatNonZero(e.ProcessedAt))
	put(AttrArchiveKey, e.ArchiveKey)
	put(AttrFailedAt, formatNonZero(e.FailedAt))
	put(AttrDeadLetterKey, e.DeadLetterKey)
	return item
}

func formatNonZero(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t)
}

// EventFromItem decodes a DynamoDB item.
func EventFromItem(item map[string]types.AttributeValue) (Event, error) {
	return decodeEvent(func(name string) string {
		if s, ok := item[name].(*types.AttributeValueMemberS); ok {
			return s.Value
		}
		return ""
	})
}

// EventFromImage decodes a DynamoDB stream image as Lambda delivers it.
func EventFromImage(image map[string]events.DynamoDBAttributeValue) (Event, error) {
	return decodeEvent(func(name string) string {
		if v, ok := image[name]; ok && v.DataType() == events.DataTypeString {
			return v.String()
		}
		return ""
	})
}

// decodeEvent builds an Event from string attributes. An item without its id, status, receipt
// time or payload cannot be processed and is an error, so that it is never silently skipped.
func decodeEvent(get func(name string) string) (Event, error) {
	e := Event{
		ID:            get(AttrEventID),
		Provider:      get(AttrProvider),
		Type:          get(AttrEventType),
		Status:        Status(get(AttrStatus)),
		ArchiveKey:    get(AttrArchiveKey),
		DeadLetterKey: get(AttrDeadLetterKey),
		Payload:       json.RawMessage(get(AttrPayload)),
	}
	for _, required := range []struct{ name, value string }{
		{AttrEventID, e.ID}, {AttrStatus, string(e.Status)}, {AttrPayload, string(e.Payload)},
	} {
		if required.value == "" {
			return Event{}, fmt.Errorf("decode event %q: attribute %s is missing", e.ID, required.name)
		}
	}
	var err error
	if e.ReceivedAt, err = parseTime(get, AttrReceivedAt, true); err != nil {
		return Event{}, fmt.Errorf("decode event %q: %w", e.ID, err)
	}
	if e.OccurredAt, err = parseTime(get, AttrOccurredAt, false); err != nil {
		return Event{}, fmt.Errorf("decode event %q: %w", e.ID, err)
	}
	if e.ProcessedAt, err = parseTime(get, AttrProcessedAt, false); err != nil {
		return Event{}, fmt.Errorf("decode event %q: %w", e.ID, err)
	}
	if e.FailedAt, err = parseTime(get, AttrFailedAt, false); err != nil {
		return Event{}, fmt.Errorf("decode event %q: %w", e.ID, err)
	}
	return e, nil
}

func parseTime(get func(string) string, name string, required bool) (time.Time, error) {
	s := get(name)
	if s == "" {
		if required {
			return time.Time{}, fmt.Errorf("attribute %s is missing", name)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("attribute %s: %w", name, err)
	}
	return t.UTC(), nil
}

// MaxIDLength bounds event ids; providers' ids and idempotency keys (UUIDs) are far shorter.
const MaxIDLength = 128

// ValidID reports whether id can name an event: 1 to MaxIDLength characters from
// [A-Za-z0-9._:-], starting with a letter or digit. The id becomes part of an S3 key, so
// anything that could climb out of the key's folder ("/", "..") or need escaping is refused.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength || !isAlnum(id[0]) {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// ArchiveKey is the S3 key of an archived event: events/yyyy/mm/dd/<event_id>.json by the
// receipt time's UTC date. It depends only on the stored event, so a retried archive write
// overwrites the object it wrote before instead of adding a second one.
func ArchiveKey(receivedAt time.Time, id string) string {
	return datedKey("events", receivedAt, id)
}

// DeadLetterKey is the S3 key of an archived failure notice:
// dead-letters/yyyy/mm/dd/<name>.json.
func DeadLetterKey(at time.Time, name string) string {
	return datedKey("dead-letters", at, name)
}

func datedKey(prefix string, t time.Time, name string) string {
	t = t.UTC()
	return fmt.Sprintf("%s/%04d/%02d/%02d/%s.json", prefix, t.Year(), t.Month(), t.Day(), name)
}
