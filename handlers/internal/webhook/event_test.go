package webhook

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var received = time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)

func TestEventItemRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		ev   Event
	}{
		{"received", Event{ID: "evt_1", Provider: "stripe", Type: "charge.succeeded", Status: StatusReceived, ReceivedAt: received, Payload: json.RawMessage(`{"id":"evt_1", "type":"charge.succeeded"}`)}},
		{"processed", Event{ID: "evt_2", Provider: "unknown", Type: "t", Status: StatusProcessed, ReceivedAt: received, ProcessedAt: received.Add(time.Second), ArchiveKey: "events/2026/03/04/evt_2.json", Payload: json.RawMessage(`{}`)}},
		{"failed", Event{ID: "evt_3", Provider: "p", Type: "t", Status: StatusFailed, ReceivedAt: received, FailedAt: received.Add(time.Minute), DeadLetterKey: "dead-letters/2026/03/04/ab.json", Payload: json.RawMessage(`[]`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := tt.ev.Item()
			got, err := EventFromItem(item)
			require.NoError(t, err)
			assert.Equal(t, tt.ev, got)

			image := map[string]events.DynamoDBAttributeValue{}
			for k, v := range item {
				image[k] = events.NewStringAttribute(v.(*types.AttributeValueMemberS).Value)
			}
			got, err = EventFromImage(image)
			require.NoError(t, err)
			assert.Equal(t, tt.ev, got)
		})
	}
}

func TestEventItemLayout(t *testing.T) {
	ev := Event{ID: "evt_1", Provider: "stripe", Type: "charge", Status: StatusReceived, ReceivedAt: received, Payload: json.RawMessage(`{"a": 1}`)}
	want := map[string]types.AttributeValue{
		"event_id":    &types.AttributeValueMemberS{Value: "evt_1"},
		"provider":    &types.AttributeValueMemberS{Value: "stripe"},
		"event_type":  &types.AttributeValueMemberS{Value: "charge"},
		"status":      &types.AttributeValueMemberS{Value: "received"},
		"received_at": &types.AttributeValueMemberS{Value: "2026-03-04T05:06:07.891Z"},
		"payload":     &types.AttributeValueMemberS{Value: `{"a": 1}`}, // byte for byte, spaces kept
	}
	assert.Equal(t, want, ev.Item())
}

func TestEventFromItemErrors(t *testing.T) {
	full := func() map[string]types.AttributeValue {
		return Event{ID: "e1", Status: StatusReceived, ReceivedAt: received, Payload: json.RawMessage(`{}`)}.Item()
	}
	tests := []struct {
		name   string
		change func(map[string]types.AttributeValue)
		want   string
	}{
		{"no id", func(m map[string]types.AttributeValue) { delete(m, AttrEventID) }, "attribute event_id is missing"},
		{"no status", func(m map[string]types.AttributeValue) { delete(m, AttrStatus) }, "attribute status is missing"},
		{"no payload", func(m map[string]types.AttributeValue) { delete(m, AttrPayload) }, "attribute payload is missing"},
		{"no receipt time", func(m map[string]types.AttributeValue) { delete(m, AttrReceivedAt) }, "attribute received_at is missing"},
		{"bad receipt time", func(m map[string]types.AttributeValue) {
			m[AttrReceivedAt] = &types.AttributeValueMemberS{Value: "yesterday"}
		}, "attribute received_at"},
		{"id of the wrong type", func(m map[string]types.AttributeValue) { m[AttrEventID] = &types.AttributeValueMemberN{Value: "1"} }, "attribute event_id is missing"},
		{"bad processed time", func(m map[string]types.AttributeValue) {
			m[AttrProcessedAt] = &types.AttributeValueMemberS{Value: "soon"}
		}, "attribute processed_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := full()
			tt.change(item)
			_, err := EventFromItem(item)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"evt_1NG8Du2eZvKYlo2CUI79vXWy", true},
		{"3f2b9a1e-7c4d-4f7a-9a51-2d1c8b0e6f11", true},
		{"a", true},
		{"ns:kind.v1", true},
		{"", false},
		{"_leading", false},
		{"../etc", false},
		{"a/b", false},
		{"with space", false},
		{"é", false},
		{string(make([]byte, MaxIDLength+1)), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ValidID(tt.id), "ValidID(%q)", tt.id)
	}
	long := []byte{}
	for range MaxIDLength {
		long = append(long, 'x')
	}
	assert.True(t, ValidID(string(long)))
}

func TestKeys(t *testing.T) {
	// A receipt time late in the day in another zone is filed by its UTC date.
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600))
	assert.Equal(t, "events/2027/01/01/evt_1.json", ArchiveKey(at, "evt_1"))
	assert.Equal(t, "dead-letters/2027/01/01/abc.json", DeadLetterKey(at, "abc"))
}
