package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// MaxBodyBytes is the largest webhook body accepted unless MAX_BODY_BYTES says otherwise. It
// keeps the stored item well under DynamoDB's 400 KB item limit, with room for the other
// attributes; docs/capacity.md sizes the table by the configured limit.
const MaxBodyBytes = 256 << 10

// maxBodyCeiling is the largest MAX_BODY_BYTES allowed: above it an item could exceed 400 KB.
const maxBodyCeiling = 350 << 10

// maxTypeLength bounds the event type, which is stored and indexed by people reading logs.
const maxTypeLength = 256

// Request headers the receiver reads.
const (
	headerContentType    = "Content-Type"
	headerSignature      = "X-Webhook-Signature"
	headerProvider       = "X-Webhook-Provider"
	headerIdempotencyKey = "Idempotency-Key"
)

// requestError is a request the receiver refuses; nothing is written for it.
type requestError struct {
	status int
	msg    string
	cause  error // for the log only; may be nil
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// postWebhook validates one delivery and stores its events once each. Checks run in this
// order: the provider, the body's size, the signature (when the provider's scheme has one),
// content type, JSON, duplicate keys, the provider's identity fields.
func (h *handler) postWebhook(ctx context.Context, log *zap.Logger, req events.APIGatewayProxyRequest, name string) events.APIGatewayProxyResponse {
	p, ok := h.provider(name)
	if !ok {
		return errorResponse(http.StatusNotFound, "no such provider")
	}
	evs, err := h.accept(ctx, req, p)
	if err != nil {
		return reject(log, err)
	}
	if name == "" {
		name = "legacy"
	}
	log = log.With(zap.String("provider", name))
	if p.Format == formatAdyen {
		return h.storeAll(ctx, log, evs)
	}
	return h.store(ctx, log.With(zap.String("event_id", evs[0].ID)), evs[0])
}

// provider finds the configuration of the provider called name; "" is the legacy route.
func (h *handler) provider(name string) (providerConfig, bool) {
	if name == "" {
		if h.legacy == nil {
			return providerConfig{}, false
		}
		return *h.legacy, true
	}
	c, ok := h.providers[name]
	return c, ok
}

// accept turns a request into the events to store, or says why it cannot.
func (h *handler) accept(ctx context.Context, req events.APIGatewayProxyRequest, p providerConfig) ([]webhook.Event, error) {
	body, err := h.requestBody(req)
	if err != nil {
		return nil, err
	}
	key, err := h.verify(ctx, req, p, body)
	if err != nil {
		return nil, err
	}
	if err := checkContentType(header(req, headerContentType)); err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, badRequest("empty body")
	}
	if !utf8.Valid(body) {
		return nil, badRequest("body is not UTF-8")
	}
	if !json.Valid(body) {
		return nil, badRequest("body is not valid JSON")
	}
	if dup, first := duplicateKey(body); dup != "" {
		return nil, badRequest("duplicate key %q (repeats %q; keys are matched in any letter case)", dup, first)
	}
	evs, err := h.events(req, p, key, body)
	if err != nil {
		return nil, err
	}
	at := h.now().UTC().Truncate(time.Millisecond) // as stored
	for i := range evs {
		evs[i].Provider = h.providerName(req, p)
		evs[i].Status = webhook.StatusReceived
		evs[i].ReceivedAt = at
	}
	if evs[0].Provider == "" {
		return nil, badRequest("%s must be 1 to %d characters of A-Z a-z 0-9 . _ : -", headerProvider, webhook.MaxIDLength)
	}
	return evs, nil
}

// events reads the delivery's events; an Adyen delivery's items are verified here, since
// Adyen signs each item rather than the body.
func (h *handler) events(req events.APIGatewayProxyRequest, p providerConfig, key, body []byte) ([]webhook.Event, error) {
	if p.Format != formatAdyen {
		ev, err := parseEvent(p.Format, req, body)
		if err != nil {
			return nil, err
		}
		return []webhook.Event{ev}, nil
	}
	items, err := parseAdyen(body)
	if err != nil {
		return nil, err
	}
	if p.Scheme == schemeAdyen {
		if err := verifyAdyen(key, items); err != nil {
			return nil, signatureError(err)
		}
	}
	return adyenEvents(items)
}

// providerName is the stored provider: the route's, or on the legacy route the
// X-Webhook-Provider header ("unknown" when absent, "" when invalid).
func (h *handler) providerName(req events.APIGatewayProxyRequest, p providerConfig) string {
	if p.name != "" {
		return p.name
	}
	v := header(req, headerProvider)
	switch {
	case v == "":
		return "unknown"
	case !webhook.ValidID(v):
		return ""
	}
	return v
}

// requestBody returns the body's bytes. API Gateway base64-encodes bodies of binary media
// types; a signature covers the bytes the provider sent, so it is checked on the decoded body.
func (h *handler) requestBody(req events.APIGatewayProxyRequest) ([]byte, error) {
	tooLarge := &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body larger than %d bytes", h.maxBody)}
	if !req.IsBase64Encoded {
		if len(req.Body) > h.maxBody {
			return nil, tooLarge
		}
		return []byte(req.Body), nil
	}
	if len(req.Body) > base64.StdEncoding.EncodedLen(h.maxBody) {
		return nil, tooLarge
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, badRequest("body is marked base64 but does not decode")
	}
	if len(b) > h.maxBody {
		return nil, tooLarge
	}
	return b, nil
}

// checkContentType accepts application/json with at most a UTF-8 charset: JSON is UTF-8
// (RFC 8259), and the payload is stored as a DynamoDB string, which must be UTF-8 too.
func checkContentType(v string) error {
	if v == "" {
		return badRequest("missing Content-Type; want application/json")
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != "application/json" {
		return badRequest("Content-Type %q is not application/json", v)
	}
	for k, p := range params {
		if k != "charset" || !strings.EqualFold(p, "utf-8") {
			return badRequest("Content-Type parameter %s=%s is not supported; only charset=utf-8", k, p)
		}
	}
	return nil
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" {
			return badRequest("field %q must be a string", typeErr.Field)
		}
		return badRequest("body must be a JSON object")
	}
	return badRequest("body is not valid JSON")
}

// reject answers a refused request and logs why, without the body or any signature.
func reject(log *zap.Logger, err error) events.APIGatewayProxyResponse {
	var re *requestError
	if !errors.As(err, &re) {
		log.Error("webhook not stored", zap.Error(err))
		return errorResponse(http.StatusInternalServerError, "event not stored")
	}
	fields := []zap.Field{zap.Int("status", re.status), zap.String("reason", re.msg)}
	if re.cause != nil {
		fields = append(fields, zap.NamedError("cause", re.cause))
	}
	if re.status == http.StatusServiceUnavailable {
		log.Error("webhook not stored", fields...)
		return unavailable(re.msg)
	}
	log.Warn("webhook rejected", fields...)
	return errorResponse(re.status, re.msg)
}

// outcome is what became of one event's write.
type outcome int

const (
	stored outcome = iota
	duplicate
	retryLater // transient: the provider should send the delivery again
	failed
)

// put writes the event unless one with its id is already stored. The conditional write makes
// a provider's retry of the same delivery an acknowledged no-op instead of a second item.
func (h *handler) put(ctx context.Context, log *zap.Logger, ev webhook.Event) outcome {
	ctx, cancel := webhook.WithinInvocation(ctx, webhook.SafetyMargin)
	defer cancel()
	_, err := h.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(h.table),
		Item:                                ev.Item(),
		ConditionExpression:                 aws.String("attribute_not_exists(" + webhook.AttrEventID + ")"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	switch {
	case err == nil:
		log.Info("webhook stored", zap.String("event_type", ev.Type))
		return stored
	case webhook.IsConditionFailed(err):
		logDuplicate(log, ev, err)
		return duplicate
	case webhook.Transient(err):
		log.Error("webhook not stored; asking the provider to retry", zap.Error(err))
		return retryLater
	default:
		log.Error("webhook not stored", zap.Error(err))
		return failed
	}
}

// store writes one event and answers for it.
func (h *handler) store(ctx context.Context, log *zap.Logger, ev webhook.Event) events.APIGatewayProxyResponse {
	switch h.put(ctx, log, ev) {
	case stored:
		return jsonResponse(http.StatusAccepted, ackBody{EventID: ev.ID})
	case duplicate:
		return jsonResponse(http.StatusOK, ackBody{EventID: ev.ID, Duplicate: true})
	case retryLater:
		return unavailable("event store busy; retry later")
	}
	return errorResponse(http.StatusInternalServerError, "event not stored")
}

// storeAll writes an Adyen delivery's events, one item each, and answers "[accepted]" only
// when every one is stored: otherwise Adyen sends the whole delivery again, and the items
// already stored come back as duplicates.
func (h *handler) storeAll(ctx context.Context, log *zap.Logger, evs []webhook.Event) events.APIGatewayProxyResponse {
	worst := stored
	for _, ev := range evs {
		worst = max(worst, h.put(ctx, log.With(zap.String("event_id", ev.ID)), ev))
	}
	switch worst {
	case stored, duplicate:
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Headers: map[string]string{"Content-Type": "text/plain"}, Body: "[accepted]"}
	case retryLater:
		return unavailable("event store busy; retry later")
	}
	return errorResponse(http.StatusInternalServerError, "event not stored")
}

// logDuplicate notes a repeated delivery, and warns when the repeat's body differs from the
// stored one: the first body is kept, and a person should know.
func logDuplicate(log *zap.Logger, ev webhook.Event, err error) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if old, ok := ccf.Item[webhook.AttrPayload].(*types.AttributeValueMemberS); ok && old.Value != string(ev.Payload) {
			log.Warn("duplicate event id with a different body; the stored body is kept")
			return
		}
	}
	log.Info("duplicate delivery acknowledged")
}
