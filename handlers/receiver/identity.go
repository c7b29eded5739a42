package main

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// GitHub's delivery headers.
const (
	headerGitHubDelivery = "X-GitHub-Delivery"
	headerGitHubEvent    = "X-GitHub-Event"
)

// identity is where one format keeps an event's id, type and time.
type identity struct {
	id, typ *string
	created *json.RawMessage
}

// parseEvent reads one event's identity from body (or, for GitHub, from the headers) as format
// lays it out. body has been checked to be UTF-8, JSON and free of duplicate keys.
func parseEvent(format string, req events.APIGatewayProxyRequest, body []byte) (webhook.Event, error) {
	var f struct {
		ID        *string          `json:"id"`
		EventID   *string          `json:"event_id"`
		Type      *string          `json:"type"`
		EventType *string          `json:"event_type"`
		Created   *json.RawMessage `json:"created"`
		CreatedAt *json.RawMessage `json:"created_at"`
		CreateTm  *json.RawMessage `json:"create_time"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return webhook.Event{}, jsonError(err)
	}
	var id identity
	switch format {
	case formatStripe:
		id = identity{f.ID, f.Type, f.Created}
	case formatSquare:
		id = identity{f.EventID, f.Type, f.CreatedAt}
	case formatPayPal:
		id = identity{f.ID, f.EventType, f.CreateTm}
	case formatGitHub:
		d, e := header(req, headerGitHubDelivery), header(req, headerGitHubEvent)
		id = identity{id: nonEmpty(d), typ: nonEmpty(e)}
	default: // generic: "id" or the Idempotency-Key header, "type"
		id = identity{f.ID, f.Type, nil}
		if id.id == nil {
			id.id = nonEmpty(header(req, headerIdempotencyKey))
		}
	}
	return eventOf(format, id, body)
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// eventOf checks an identity and makes the event of it.
func eventOf(format string, id identity, payload []byte) (webhook.Event, error) {
	idName, typeName := identityFields(format)
	switch {
	case id.id == nil || *id.id == "":
		return webhook.Event{}, badRequest("missing event id (%s)", idName)
	case !webhook.ValidID(*id.id):
		return webhook.Event{}, badRequest("event id (%s) must be 1 to %d characters of A-Z a-z 0-9 . _ : -", idName, webhook.MaxIDLength)
	case id.typ == nil || *id.typ == "":
		return webhook.Event{}, badRequest("missing event type (%s)", typeName)
	case len(*id.typ) > maxTypeLength:
		return webhook.Event{}, badRequest("event type (%s) longer than %d bytes", typeName, maxTypeLength)
	}
	ev := webhook.Event{ID: *id.id, Type: *id.typ, Payload: payload}
	if id.created != nil {
		t, err := eventTime(*id.created)
		if err != nil {
			return webhook.Event{}, badRequest("event time: %v", err)
		}
		ev.OccurredAt = t
	}
	return ev, nil
}

// identityFields names where format keeps the id and type, for error messages.
func identityFields(format string) (string, string) {
	switch format {
	case formatSquare:
		return `"event_id"`, `"type"`
	case formatPayPal:
		return `"id"`, `"event_type"`
	case formatGitHub:
		return headerGitHubDelivery + " header", headerGitHubEvent + " header"
	case formatAdyen:
		return `"pspReference" and "eventCode"`, `"eventCode"`
	case formatGeneric:
		return `"id" or ` + headerIdempotencyKey + " header", `"type"`
	}
	return `"id"`, `"type"`
}

// eventTime reads a provider's event time: Unix seconds (Stripe's "created") or an RFC 3339
// string (Square's "created_at", PayPal's "create_time", Adyen's "eventDate").
func eventTime(raw json.RawMessage) (time.Time, error) {
	var sec int64
	if err := json.Unmarshal(raw, &sec); err == nil {
		return time.Unix(sec, 0).UTC(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, errors.New("neither Unix seconds nor an RFC 3339 string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("not an RFC 3339 time")
	}
	return t.UTC(), nil
}

// adyenItem is one NotificationRequestItem of an Adyen delivery, with the fields its HMAC
// covers.
type adyenItem struct {
	AdditionalData struct {
		HMACSignature string `json:"hmacSignature"`
	} `json:"additionalData"`
	Amount struct {
		Value    int64  `json:"value"`
		Currency string `json:"currency"`
	} `json:"amount"`
	EventCode           string `json:"eventCode"`
	EventDate           string `json:"eventDate"`
	MerchantAccountCode string `json:"merchantAccountCode"`
	MerchantReference   string `json:"merchantReference"`
	OriginalReference   string `json:"originalReference"`
	PspReference        string `json:"pspReference"`
	Success             string `json:"success"`

	raw json.RawMessage // the item as sent, stored as its event's payload
}

// parseAdyen reads the notification items of an Adyen delivery.
func parseAdyen(body []byte) ([]adyenItem, error) {
	var d struct {
		NotificationItems []struct {
			Item json.RawMessage `json:"NotificationRequestItem"`
		} `json:"notificationItems"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, jsonError(err)
	}
	if len(d.NotificationItems) == 0 {
		return nil, badRequest(`no "notificationItems"`)
	}
	items := make([]adyenItem, 0, len(d.NotificationItems))
	for i, n := range d.NotificationItems {
		var it adyenItem
		if len(n.Item) == 0 {
			return nil, badRequest("notificationItems[%d] has no NotificationRequestItem", i)
		}
		if err := json.Unmarshal(n.Item, &it); err != nil {
			return nil, jsonError(err)
		}
		it.raw = n.Item
		items = append(items, it)
	}
	return items, nil
}

// adyenEvents makes one event per item, keyed by pspReference and eventCode: Adyen sends one
// pspReference with several event codes (AUTHORISATION, then CAPTURE, REFUND…), and the same
// pair again only as a retry.
func adyenEvents(items []adyenItem) ([]webhook.Event, error) {
	evs := make([]webhook.Event, 0, len(items))
	for _, it := range items {
		var id, typ *string
		if it.PspReference != "" && it.EventCode != "" {
			s := it.PspReference + ":" + it.EventCode
			id = &s
		}
		typ = nonEmpty(it.EventCode)
		var created *json.RawMessage
		if it.EventDate != "" {
			b, _ := json.Marshal(it.EventDate) // a string always encodes
			raw := json.RawMessage(b)
			created = &raw
		}
		ev, err := eventOf(formatAdyen, identity{id, typ, created}, it.raw)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}
