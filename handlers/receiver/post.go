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

// MaxBodyBytes is the largest webhook body accepted. It keeps the stored item well under
// DynamoDB's 400 KB item limit, with room for the other attributes.
const MaxBodyBytes = 256 << 10

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

// postWebhook validates one delivery and stores it once. Checks run in this order: signature
// (when a secret is configured), content type, body size, JSON, required fields.
func (h *handler) postWebhook(ctx context.Context, log *zap.Logger, req events.APIGatewayProxyRequest) events.APIGatewayProxyResponse {
	ev, err := h.accept(ctx, req)
	if err != nil {
		return reject(log, err)
	}
	return h.store(ctx, log.With(zap.String("event_id", ev.ID), zap.String("provider", ev.Provider)), ev)
}

// accept turns a request into the event to store, or says why it cannot.
func (h *handler) accept(ctx context.Context, req events.APIGatewayProxyRequest) (webhook.Event, error) {
	body, err := requestBody(req)
	if err != nil {
		return webhook.Event{}, err
	}
	if err := h.verify(ctx, req, body); err != nil {
		return webhook.Event{}, err
	}
	if err := checkContentType(header(req, headerContentType)); err != nil {
		return webhook.Event{}, err
	}
	if len(body) == 0 {
		return webhook.Event{}, badRequest("empty body")
	}
	if len(body) > MaxBodyBytes {
		return webhook.Event{}, badRequest("body larger than %d bytes", MaxBodyBytes)
	}
	ev, err := parseEvent(body, header(req, headerIdempotencyKey))
	if err != nil {
		return webhook.Event{}, err
	}
	ev.Provider = header(req, headerProvider)
	switch {
	case ev.Provider == "":
		ev.Provider = "unknown"
	case !webhook.ValidID(ev.Provider):
		return webhook.Event{}, badRequest("%s must be 1 to %d characters of A-Z a-z 0-9 . _ : -", headerProvider, webhook.MaxIDLength)
	}
	ev.Status = webhook.StatusReceived
	ev.ReceivedAt = h.now().UTC().Truncate(time.Millisecond) // as stored
	return ev, nil
}

// requestBody returns the body's bytes. API Gateway base64-encodes bodies of binary media
// types; a signature covers the bytes the provider sent, so it is checked on the decoded body.
func requestBody(req events.APIGatewayProxyRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	if len(req.Body) > base64.StdEncoding.EncodedLen(MaxBodyBytes) {
		return nil, badRequest("body larger than %d bytes", MaxBodyBytes)
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, badRequest("body is marked base64 but does not decode")
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

// parseEvent checks that body is a JSON object with the fields an event needs: a string
// "type", and an id, from the body's "id" or else from the Idempotency-Key header.
func parseEvent(body []byte, idempotencyKey string) (webhook.Event, error) {
	if !utf8.Valid(body) {
		return webhook.Event{}, badRequest("body is not UTF-8")
	}
	var f struct {
		ID   *string `json:"id"`
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return webhook.Event{}, jsonError(err)
	}
	id := idempotencyKey
	if f.ID != nil {
		id = *f.ID
	}
	switch {
	case id == "":
		return webhook.Event{}, badRequest(`missing event id: no "id" field and no %s header`, headerIdempotencyKey)
	case !webhook.ValidID(id):
		return webhook.Event{}, badRequest("event id must be 1 to %d characters of A-Z a-z 0-9 . _ : -", webhook.MaxIDLength)
	case f.Type == nil || *f.Type == "":
		return webhook.Event{}, badRequest(`missing "type" field`)
	case len(*f.Type) > maxTypeLength:
		return webhook.Event{}, badRequest(`"type" longer than %d bytes`, maxTypeLength)
	}
	return webhook.Event{ID: id, Type: *f.Type, Payload: body}, nil
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

// store writes the event unless one with its id is already stored. The conditional write makes
// a provider's retry of the same delivery an acknowledged no-op instead of a second item.
func (h *handler) store(ctx context.Context, log *zap.Logger, ev webhook.Event) events.APIGatewayProxyResponse {
	_, err := h.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(h.table),
		Item:                                ev.Item(),
		ConditionExpression:                 aws.String("attribute_not_exists(" + webhook.AttrEventID + ")"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	switch {
	case err == nil:
		log.Info("webhook stored", zap.String("event_type", ev.Type))
		return jsonResponse(http.StatusAccepted, ackBody{EventID: ev.ID})
	case webhook.IsConditionFailed(err):
		logDuplicate(log, ev, err)
		return jsonResponse(http.StatusOK, ackBody{EventID: ev.ID, Duplicate: true})
	case webhook.Transient(err):
		log.Error("webhook not stored; asking the provider to retry", zap.Error(err))
		return unavailable("event store busy; retry later")
	default:
		log.Error("webhook not stored", zap.Error(err))
		return errorResponse(http.StatusInternalServerError, "event not stored")
	}
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
