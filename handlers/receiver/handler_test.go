package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.UTC)

const testSecret = "whsec_test_0123456789"

// newTestHandler returns a handler over db serving the legacy route, with the logs it writes:
// X-Webhook-Signature is checked when secret is not nil.
func newTestHandler(db store, secret secretSource) (*handler, *bytes.Buffer) {
	var logs bytes.Buffer
	legacy := &providerConfig{Scheme: schemeNone, Format: formatGeneric}
	if secret != nil {
		legacy = &providerConfig{Scheme: schemeHexHMAC, Format: formatGeneric, Header: headerSignature, Prefix: "sha256=", SecretParam: "/webhook/secret"}
	}
	return &handler{
		table:   "events",
		db:      db,
		legacy:  legacy,
		secrets: secret,
		maxBody: MaxBodyBytes,
		log:     webhook.NewLogger(&logs, "debug"),
		now:     func() time.Time { return testNow },
	}, &logs
}

func postReq(body string, headers map[string]string) events.APIGatewayProxyRequest {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		if v == "" {
			delete(h, k)
			continue
		}
		h[k] = v
	}
	return events.APIGatewayProxyRequest{Resource: "/webhook", Path: "/webhook", HTTPMethod: http.MethodPost, Headers: h, Body: body}
}

func sign(body string) string {
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// recordingDB accepts every write and keeps the last one; answer, when set, decides instead.
func recordingDB(t *testing.T, answer error) (*webhooktest.DynamoDB, *[]*dynamodb.PutItemInput) {
	var puts []*dynamodb.PutItemInput
	return &webhooktest.DynamoDB{
		PutItemFunc: func(_ context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
			puts = append(puts, in)
			return &dynamodb.PutItemOutput{}, answer
		},
		GetItemFunc: func(context.Context, *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			t.Error("unexpected GetItem")
			return nil, errors.New("unexpected")
		},
	}, &puts
}

// ssmAnswering is a fake SSM whose GetParameter answers value(name).
func ssmAnswering(value func(name string) (string, error)) *webhooktest.SSM {
	return &webhooktest.SSM{GetParameterFunc: func(_ context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
		v, err := value(aws.ToString(in.Name))
		if err != nil {
			return nil, err
		}
		return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
	}}
}

const goodBody = `{"id":"evt_1","type":"charge.succeeded","data":{"amount":100}}`

func TestPostWebhook(t *testing.T) {
	big := `{"id":"evt_big","type":"t","pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	exact := `{"id":"evt_max","type":"t","pad":"` + strings.Repeat("x", MaxBodyBytes-len(`{"id":"evt_max","type":"t","pad":""}`)) + `"}`
	tests := []struct {
		name       string
		req        events.APIGatewayProxyRequest
		dbErr      error
		wantStatus int
		wantID     string // the event id stored and answered
		wantBody   string // substring of the answer
		wantHeader map[string]string
	}{
		{name: "stored", req: postReq(goodBody, nil), wantStatus: 202, wantID: "evt_1", wantBody: `{"event_id":"evt_1"}`},
		{name: "charset utf-8", req: postReq(goodBody, map[string]string{"Content-Type": "application/json; charset=UTF-8"}), wantStatus: 202, wantID: "evt_1"},
		{name: "lower-case header name", req: postReq(goodBody, map[string]string{"Content-Type": "", "content-type": "application/json"}), wantStatus: 202, wantID: "evt_1"},
		{name: "id from Idempotency-Key", req: postReq(`{"type":"t"}`, map[string]string{"Idempotency-Key": "3f2b9a1e-7c4d-4f7a-9a51-2d1c8b0e6f11"}), wantStatus: 202, wantID: "3f2b9a1e-7c4d-4f7a-9a51-2d1c8b0e6f11"},
		{name: "body id wins over Idempotency-Key", req: postReq(goodBody, map[string]string{"Idempotency-Key": "other"}), wantStatus: 202, wantID: "evt_1"},
		{name: "base64 body", req: func() events.APIGatewayProxyRequest {
			r := postReq(base64.StdEncoding.EncodeToString([]byte(goodBody)), nil)
			r.IsBase64Encoded = true
			return r
		}(), wantStatus: 202, wantID: "evt_1"},
		{name: "exactly the size limit", req: postReq(exact, nil), wantStatus: 202, wantID: "evt_max"},
		{name: "duplicate delivery", req: postReq(goodBody, nil), dbErr: &types.ConditionalCheckFailedException{}, wantStatus: 200, wantID: "evt_1", wantBody: `{"event_id":"evt_1","duplicate":true}`},
		{name: "throttled", req: postReq(goodBody, nil), dbErr: &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}, wantStatus: 503, wantID: "evt_1", wantHeader: map[string]string{"Retry-After": "5"}},
		{name: "server error", req: postReq(goodBody, nil), dbErr: &types.InternalServerError{}, wantStatus: 503, wantID: "evt_1", wantHeader: map[string]string{"Retry-After": "5"}},
		{name: "table missing", req: postReq(goodBody, nil), dbErr: &types.ResourceNotFoundException{}, wantStatus: 500, wantID: "evt_1", wantBody: "event not stored"},

		{name: "malformed JSON", req: postReq(`{"id":"evt_1",`, nil), wantStatus: 400, wantBody: "not valid JSON"},
		{name: "trailing garbage", req: postReq(goodBody+"x", nil), wantStatus: 400, wantBody: "not valid JSON"},
		{name: "empty body", req: postReq("", nil), wantStatus: 400, wantBody: "empty body"},
		{name: "over the size limit", req: postReq(big, nil), wantStatus: 413, wantBody: "larger than 262144 bytes"},
		{name: "base64 over the size limit", req: func() events.APIGatewayProxyRequest {
			r := postReq(base64.StdEncoding.EncodeToString([]byte(big)), nil)
			r.IsBase64Encoded = true
			return r
		}(), wantStatus: 413, wantBody: "larger than"},
		{name: "bad base64", req: func() events.APIGatewayProxyRequest {
			r := postReq("!!!", nil)
			r.IsBase64Encoded = true
			return r
		}(), wantStatus: 400, wantBody: "base64"},
		{name: "no content type", req: postReq(goodBody, map[string]string{"Content-Type": ""}), wantStatus: 400, wantBody: "missing Content-Type"},
		{name: "text/plain", req: postReq(goodBody, map[string]string{"Content-Type": "text/plain"}), wantStatus: 400, wantBody: "not application/json"},
		{name: "form", req: postReq("id=evt_1", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), wantStatus: 400, wantBody: "not application/json"},
		{name: "latin1 charset", req: postReq(goodBody, map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}), wantStatus: 400, wantBody: "charset=utf-8"},
		{name: "unparsable content type", req: postReq(goodBody, map[string]string{"Content-Type": "application/json; ;"}), wantStatus: 400, wantBody: "not application/json"},
		{name: "array", req: postReq(`[{"id":"evt_1"}]`, nil), wantStatus: 400, wantBody: "must be a JSON object"},
		{name: "id not a string", req: postReq(`{"id":42,"type":"t"}`, nil), wantStatus: 400, wantBody: `field \"id\" must be a string`},
		{name: "id twice in two cases", req: postReq(`{"id":"A","ID":"B","type":"t"}`, nil), wantStatus: 400, wantBody: `duplicate key \"ID\" (repeats \"id\"`},
		{name: "nested duplicate", req: postReq(`{"id":"A","type":"t","data":{"x":1,"X":2}}`, nil), wantStatus: 400, wantBody: `duplicate key \"X\"`},
		{name: "no id, no header", req: postReq(`{"type":"t"}`, nil), wantStatus: 400, wantBody: "missing event id"},
		{name: "empty id", req: postReq(`{"id":"","type":"t"}`, nil), wantStatus: 400, wantBody: "missing event id"},
		{name: "id with a slash", req: postReq(`{"id":"../../x","type":"t"}`, nil), wantStatus: 400, wantBody: "event id (\\\"id\\\" or Idempotency-Key header) must be"},
		{name: "no type", req: postReq(`{"id":"evt_1"}`, nil), wantStatus: 400, wantBody: `missing event type (\"type\")`},
		{name: "type too long", req: postReq(`{"id":"evt_1","type":"`+strings.Repeat("t", 257)+`"}`, nil), wantStatus: 400, wantBody: "longer than 256"},
		{name: "not UTF-8", req: postReq("{\"id\":\"evt_1\",\"type\":\"\xff\"}", nil), wantStatus: 400, wantBody: "not UTF-8"},
		{name: "bad provider header", req: postReq(goodBody, map[string]string{"X-Webhook-Provider": "a b"}), wantStatus: 400, wantBody: "X-Webhook-Provider must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, puts := recordingDB(t, tt.dbErr)
			h, _ := newTestHandler(db, nil)
			resp, err := h.Handle(context.Background(), tt.req)
			require.NoError(t, err)

			assert.Equal(t, tt.wantStatus, resp.StatusCode, resp.Body)
			assert.Equal(t, "application/json", resp.Headers["Content-Type"])
			assert.True(t, json.Valid([]byte(resp.Body)), "answer is not JSON: %s", resp.Body)
			assert.Contains(t, resp.Body, tt.wantBody)
			for k, v := range tt.wantHeader {
				assert.Equal(t, v, resp.Headers[k], k)
			}
			if tt.wantID == "" {
				assert.Empty(t, *puts, "a refused request wrote something")
				assert.Contains(t, resp.Body, `"error"`)
				return
			}
			require.Len(t, *puts, 1)
			assert.Equal(t, tt.wantID, (*puts)[0].Item[webhook.AttrEventID].(*types.AttributeValueMemberS).Value)
			if tt.wantStatus < 300 {
				assert.Contains(t, resp.Body, `"event_id":"`+tt.wantID+`"`)
			}
		})
	}
}

func TestPostWebhookWritesTheItemOnce(t *testing.T) {
	db, puts := recordingDB(t, nil)
	h, _ := newTestHandler(db, nil)
	body := "{\n  \"id\": \"evt_1\",  \"type\": \"charge.succeeded\"\n}"
	resp, err := h.Handle(context.Background(), postReq(body, map[string]string{"X-Webhook-Provider": "stripe"}))
	require.NoError(t, err)
	require.Equal(t, 202, resp.StatusCode)
	require.Len(t, *puts, 1)
	in := (*puts)[0]
	assert.Equal(t, "events", aws.ToString(in.TableName))
	assert.Equal(t, "attribute_not_exists(event_id)", aws.ToString(in.ConditionExpression))
	assert.Equal(t, map[string]types.AttributeValue{
		"event_id":    &types.AttributeValueMemberS{Value: "evt_1"},
		"provider":    &types.AttributeValueMemberS{Value: "stripe"},
		"event_type":  &types.AttributeValueMemberS{Value: "charge.succeeded"},
		"status":      &types.AttributeValueMemberS{Value: "received"},
		"received_at": &types.AttributeValueMemberS{Value: "2026-03-04T05:06:07.891Z"},
		"payload":     &types.AttributeValueMemberS{Value: body}, // the bytes as sent
	}, in.Item)
}

func TestPostWebhookDefaultProvider(t *testing.T) {
	db, puts := recordingDB(t, nil)
	h, _ := newTestHandler(db, nil)
	_, err := h.Handle(context.Background(), postReq(goodBody, nil))
	require.NoError(t, err)
	require.Len(t, *puts, 1)
	assert.Equal(t, &types.AttributeValueMemberS{Value: "unknown"}, (*puts)[0].Item[webhook.AttrProvider])
}

func TestDuplicateWithDifferentBodyIsLogged(t *testing.T) {
	stored := storedItem(`{"id":"evt_1","type":"charge.succeeded","data":{"amount":999}}`)
	db, _ := recordingDB(t, &types.ConditionalCheckFailedException{Item: stored})
	h, logs := newTestHandler(db, nil)
	resp, err := h.Handle(context.Background(), postReq(goodBody, nil))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, logs.String(), "duplicate event id with a different body")
}

// storedItem is the item the receiver writes for body.
func storedItem(body string) map[string]types.AttributeValue {
	return webhook.Event{ID: "evt_1", Provider: "unknown", Type: "charge.succeeded", Status: webhook.StatusReceived, ReceivedAt: testNow, Payload: json.RawMessage(body)}.Item()
}

func TestSignature(t *testing.T) {
	tests := []struct {
		name       string
		sig        string
		wantStatus int
		wantBody   string
	}{
		{name: "valid", sig: sign(goodBody), wantStatus: 202},
		{name: "missing", sig: "", wantStatus: 401, wantBody: "missing X-Webhook-Signature"},
		{name: "other body's", sig: sign(goodBody + " "), wantStatus: 401, wantBody: "does not match"},
		{name: "no sha256= prefix", sig: strings.TrimPrefix(sign(goodBody), "sha256="), wantStatus: 401, wantBody: "does not match"},
		{name: "not hex", sig: "sha256=zz", wantStatus: 401, wantBody: "does not match"},
		{name: "truncated", sig: sign(goodBody)[:20], wantStatus: 401, wantBody: "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, puts := recordingDB(t, nil)
			h, logs := newTestHandler(db, staticSecret(testSecret))
			resp, err := h.Handle(context.Background(), postReq(goodBody, map[string]string{"X-Webhook-Signature": tt.sig}))
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, resp.Body)
			assert.Contains(t, resp.Body, tt.wantBody)
			if tt.wantStatus == 202 {
				assert.Len(t, *puts, 1)
			} else {
				assert.Empty(t, *puts)
			}
			assert.NotContains(t, logs.String(), testSecret)
			if tt.sig != "" {
				assert.NotContains(t, logs.String(), strings.TrimPrefix(tt.sig, "sha256="))
			}
		})
	}
}

// TestSignatureCheckedBeforeContent: an unsigned request learns nothing about its body.
func TestSignatureCheckedBeforeContent(t *testing.T) {
	db, puts := recordingDB(t, nil)
	h, _ := newTestHandler(db, staticSecret(testSecret))
	resp, err := h.Handle(context.Background(), postReq("not json", map[string]string{"Content-Type": "text/plain"}))
	require.NoError(t, err)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Empty(t, *puts)
}

func TestSSMSecret(t *testing.T) {
	calls := 0
	answers := []error{errors.New("ssm unreachable"), nil}
	fake := &webhooktest.SSM{GetParameterFunc: func(_ context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
		assert.Equal(t, "/webhook/secret", aws.ToString(in.Name))
		assert.True(t, aws.ToBool(in.WithDecryption), "SecureString read without decryption")
		err := answers[min(calls, len(answers)-1)]
		calls++
		if err != nil {
			return nil, err
		}
		return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(testSecret)}}, nil
	}}
	db, puts := recordingDB(t, nil)
	h, logs := newTestHandler(db, &webhook.SecretCache{Client: fake})
	req := postReq(goodBody, map[string]string{"X-Webhook-Signature": sign(goodBody)})

	wantStatus := []int{503, 202, 200}
	for i, want := range wantStatus {
		if i == 2 { // the third delivery finds the event stored
			db.PutItemFunc = func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
				return nil, &types.ConditionalCheckFailedException{}
			}
		}
		resp, err := h.Handle(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, want, resp.StatusCode, "request %d: %s", i+1, resp.Body)
	}
	assert.Equal(t, 2, calls, "the secret is fetched until it is had, then kept")
	assert.Len(t, *puts, 1)
	assert.NotContains(t, logs.String(), testSecret)
}

func TestSSMSecretEmpty(t *testing.T) {
	fake := &webhooktest.SSM{GetParameterFunc: func(context.Context, *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
		return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String("")}}, nil
	}}
	_, err := (&webhook.SecretCache{Client: fake}).Get(context.Background(), "p")
	assert.EqualError(t, err, "get parameter p: empty value")
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name       string
		req        events.APIGatewayProxyRequest
		wantStatus int
		wantAllow  string
	}{
		{"unknown path", events.APIGatewayProxyRequest{Path: "/nope", HTTPMethod: "POST"}, 404, ""},
		{"root", events.APIGatewayProxyRequest{Resource: "/", Path: "/", HTTPMethod: "GET"}, 404, ""},
		{"events without id", events.APIGatewayProxyRequest{Path: "/events/", HTTPMethod: "GET"}, 404, ""},
		{"nested path", events.APIGatewayProxyRequest{Path: "/events/a/b", HTTPMethod: "GET"}, 404, ""},
		{"GET /webhook", events.APIGatewayProxyRequest{Resource: "/webhook", Path: "/webhook", HTTPMethod: "GET"}, 405, "POST"},
		{"PUT /webhook by path", events.APIGatewayProxyRequest{Path: "/webhook/", HTTPMethod: "PUT"}, 405, "POST"},
		{"POST /events/{id}", events.APIGatewayProxyRequest{Resource: "/events/{eventId}", Path: "/events/e1", HTTPMethod: "POST", PathParameters: map[string]string{"eventId": "e1"}}, 405, "GET"},
		{"DELETE /events/{id} by path", events.APIGatewayProxyRequest{Path: "/events/e1", HTTPMethod: "DELETE"}, 405, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newTestHandler(&webhooktest.DynamoDB{}, nil) // any AWS call would panic
			resp, err := h.Handle(context.Background(), tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantAllow, resp.Headers["Allow"])
			assert.Contains(t, resp.Body, `"error"`)
		})
	}
}

func TestGetEvent(t *testing.T) {
	stored := webhook.Event{ID: "evt_1", Provider: "stripe", Type: "charge", Status: webhook.StatusProcessed, ReceivedAt: testNow.Truncate(time.Millisecond),
		ProcessedAt: testNow.Add(time.Second).Truncate(time.Millisecond), ArchiveKey: "events/2026/03/04/evt_1.json", Payload: json.RawMessage(`{"id":"evt_1","type":"charge"}`)}
	malformed := stored.Item()
	delete(malformed, webhook.AttrReceivedAt)
	tests := []struct {
		name       string
		id         string
		item       map[string]types.AttributeValue
		err        error
		wantStatus int
		wantBody   string
	}{
		{name: "found", id: "evt_1", item: stored.Item(), wantStatus: 200,
			wantBody: `{"event_id":"evt_1","provider":"stripe","event_type":"charge","status":"processed","received_at":"2026-03-04T05:06:07.891Z","processed_at":"2026-03-04T05:06:08.891Z","archive_key":"events/2026/03/04/evt_1.json","payload":{"id":"evt_1","type":"charge"}}`},
		{name: "unknown", id: "evt_2", wantStatus: 404, wantBody: `{"error":"event not found"}`},
		{name: "throttled", id: "evt_1", err: &types.RequestLimitExceeded{}, wantStatus: 503},
		{name: "access denied", id: "evt_1", err: errors.New("AccessDeniedException"), wantStatus: 500},
		{name: "malformed item", id: "evt_1", item: malformed, wantStatus: 500, wantBody: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &webhooktest.DynamoDB{GetItemFunc: func(_ context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				assert.Equal(t, &types.AttributeValueMemberS{Value: tt.id}, in.Key[webhook.AttrEventID])
				assert.True(t, aws.ToBool(in.ConsistentRead))
				return &dynamodb.GetItemOutput{Item: tt.item}, tt.err
			}}
			h, _ := newTestHandler(db, nil)
			req := events.APIGatewayProxyRequest{Resource: "/events/{eventId}", HTTPMethod: "GET", PathParameters: map[string]string{"eventId": tt.id}}
			resp, err := h.Handle(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, resp.Body)
			if tt.wantStatus == 200 || tt.wantStatus == 404 {
				assert.JSONEq(t, tt.wantBody, resp.Body)
			} else {
				assert.Contains(t, resp.Body, tt.wantBody)
			}
		})
	}
}

func TestGetEventInvalidIDIsNotLookedUp(t *testing.T) {
	h, _ := newTestHandler(&webhooktest.DynamoDB{}, nil) // GetItem would panic
	req := events.APIGatewayProxyRequest{Path: "/events/bad%20id", HTTPMethod: "GET"}
	resp, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, 404, resp.StatusCode)
}

// TestRecordedEvents drives the handler with API Gateway events as Lambda delivers them.
func TestRecordedEvents(t *testing.T) {
	var stored map[string]types.AttributeValue
	db := &webhooktest.DynamoDB{
		PutItemFunc: func(_ context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
			stored = in.Item
			return &dynamodb.PutItemOutput{}, nil
		},
		GetItemFunc: func(context.Context, *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
			return &dynamodb.GetItemOutput{Item: stored}, nil
		},
	}
	h, _ := newTestHandler(db, nil)
	for _, tc := range []struct {
		file   string
		status int
	}{{"testdata/post-webhook.json", 202}, {"testdata/get-event.json", 200}} {
		var req events.APIGatewayProxyRequest
		b, err := os.ReadFile(tc.file)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &req))
		resp, err := h.Handle(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, tc.status, resp.StatusCode, "%s: %s", tc.file, resp.Body)
		assert.Contains(t, resp.Body, `"event_id":"evt_1NG8Du2eZvKYlo2CUI79vXWy"`)
	}
	assert.Equal(t, &types.AttributeValueMemberS{Value: "stripe"}, stored[webhook.AttrProvider])
	assert.Equal(t, &types.AttributeValueMemberS{Value: "payment_intent.succeeded"}, stored[webhook.AttrEventType])
}

func TestNewHandler(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantErr    string
		wantSecret string // type of the secret source, "" for none
	}{
		{name: "no table", env: map[string]string{}, wantErr: "environment variable EVENTS_TABLE is not set"},
		{name: "two secrets", env: map[string]string{"EVENTS_TABLE": "t", "WEBHOOK_SECRET": "s", "WEBHOOK_SECRET_PARAM": "/p"}, wantErr: "not both"},
		{name: "no secret", env: map[string]string{"EVENTS_TABLE": "t"}},
		{name: "secret", env: map[string]string{"EVENTS_TABLE": "t", "WEBHOOK_SECRET": "s"}, wantSecret: "main.staticSecret"},
		{name: "secret parameter", env: map[string]string{"EVENTS_TABLE": "t", "WEBHOOK_SECRET_PARAM": "/p"}, wantSecret: "*webhook.SecretCache"},
		{name: "providers", env: map[string]string{"EVENTS_TABLE": "t", "WEBHOOK_PROVIDERS": `{"stripe":{"scheme":"stripe","secret_param":"/s"}}`}, wantSecret: "*webhook.SecretCache"},
		{name: "bad providers", env: map[string]string{"EVENTS_TABLE": "t", "WEBHOOK_PROVIDERS": `{"stripe":{"scheme":"strip","secret_param":"/s"}}`}, wantErr: `provider stripe: unknown scheme "strip"`},
		{name: "body limit", env: map[string]string{"EVENTS_TABLE": "t", "MAX_BODY_BYTES": "4096"}},
		{name: "body limit too large", env: map[string]string{"EVENTS_TABLE": "t", "MAX_BODY_BYTES": "900000"}, wantErr: "MAX_BODY_BYTES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", "us-east-1")
			var logs bytes.Buffer
			h, err := newHandler(context.Background(), func(k string) string { return tt.env[k] }, &logs)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "t", h.table)
			if tt.wantSecret == "" {
				assert.Equal(t, schemeNone, h.legacy.Scheme, "no secret: the legacy route checks no signature")
			} else {
				assert.Equal(t, tt.wantSecret, fmt.Sprintf("%T", h.secrets))
			}
		})
	}
}
