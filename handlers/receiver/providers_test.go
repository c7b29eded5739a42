package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v85/webhook"

	wh "github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

// The providers' secrets in these tests, by SSM parameter name.
var testSecrets = map[string]string{
	"/whk/stripe": "whsec_test_secret_new",
	"/whk/github": "gh-secret",
	"/whk/square": "sq-signature-key",
	"/whk/adyen":  "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00", // Adyen's own library test key
	"/whk/badkey": "zz-adyen-key-zz",
}

const squareURL = "https://abc.execute-api.us-east-1.amazonaws.com/prod/webhook/square?token=t0k"

const testProviders = `{
  "stripe":  {"scheme": "stripe", "secret_param": "/whk/stripe"},
  "github":  {"scheme": "hmac-sha256-hex", "format": "github", "header": "X-Hub-Signature-256", "prefix": "sha256=", "secret_param": "/whk/github"},
  "square":  {"scheme": "square", "secret_param": "/whk/square", "notification_url": "` + squareURL + `"},
  "adyen":   {"scheme": "adyen", "secret_param": "/whk/adyen"},
  "badkey":  {"scheme": "adyen", "secret_param": "/whk/badkey"},
  "paypal":  {"scheme": "none", "format": "paypal"},
  "down":    {"scheme": "stripe", "secret_param": "/whk/unreachable"}
}`

// providerHandler serves testProviders with secrets from a fake SSM; a parameter not in
// testSecrets cannot be fetched.
func providerHandler(t *testing.T) (*handler, *[]*dynamodb.PutItemInput) {
	t.Helper()
	providers, err := parseProviders(testProviders)
	require.NoError(t, err)
	db, puts := recordingDB(t, nil)
	h, logs := newTestHandler(db, nil)
	h.legacy, h.providers = nil, providers
	h.now = time.Now
	h.secrets = &wh.SecretCache{Client: ssmAnswering(func(name string) (string, error) {
		v, ok := testSecrets[name]
		if !ok {
			return "", errors.New("ssm: connection refused")
		}
		return v, nil
	})}
	t.Cleanup(func() {
		assertNoSecretLogged(t, logs.String())
	})
	return h, puts
}

func assertNoSecretLogged(t *testing.T, logs string) {
	t.Helper()
	for _, s := range testSecrets {
		assert.NotContains(t, logs, s)
	}
}

// providerReq is a POST /webhook/{provider} as API Gateway hands it over.
func providerReq(provider, body string, headers map[string]string) events.APIGatewayProxyRequest {
	r := postReq(body, headers)
	r.Resource, r.Path = "/webhook/{provider}", "/webhook/"+provider
	r.PathParameters = map[string]string{"provider": provider}
	r.QueryStringParameters = map[string]string{"token": "t0k"}
	return r
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/providers/" + name)
	require.NoError(t, err)
	return strings.TrimRight(string(b), "\n")
}

const stripeBody = `{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","api_version":"2024-06-20","created":1772600766,"type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","object":"payment_intent","amount":2000}}}`

// stripeSigned signs stripeBody as Stripe does, with stripe-go's own test helper.
func stripeSigned(secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(stripeBody), Secret: secret, Timestamp: at}).Header
}

// stripeSignedBody is the Stripe-Signature of body, signed now.
func stripeSignedBody(body, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: secret}).Header
}

func TestStripeDeliveries(t *testing.T) {
	now := time.Now()
	valid := stripeSigned("whsec_test_secret_new", now)
	ts := strconv.FormatInt(now.Unix(), 10)
	oldSig := strings.TrimPrefix(strings.Split(stripeSigned("whsec_test_secret_old", now), ",")[1], "v1=")
	newSig := strings.TrimPrefix(strings.Split(valid, ",")[1], "v1=")
	tests := []struct {
		name       string
		body, sig  string
		wantStatus int
		wantBody   string
	}{
		{"signed by stripe-go", stripeBody, valid, 202, `"event_id":"evt_1NG8Du2eZvKYlo2CUI79vXWy"`},
		{"secret roll: old and new v1", stripeBody, "t=" + ts + ",v1=" + oldSig + ",v1=" + newSig, 202, "evt_1NG8"},
		{"v0 beside v1 ignored", stripeBody, "t=" + ts + ",v0=abcd,v1=" + newSig, 202, "evt_1NG8"},
		{"old secret only", stripeBody, stripeSigned("whsec_test_secret_old", now), 401, "does not match"},
		{"tampered body", strings.Replace(stripeBody, "2000", "2", 1), valid, 401, "does not match"},
		{"expired: six minutes old", stripeBody, stripeSigned("whsec_test_secret_new", now.Add(-6*time.Minute)), 401, "outside the tolerance"},
		{"from the future", stripeBody, stripeSigned("whsec_test_secret_new", now.Add(6*time.Minute)), 401, "outside the tolerance"},
		{"no header", stripeBody, "", 401, "missing Stripe-Signature"},
		{"no timestamp", stripeBody, "v1=" + newSig, 401, "no timestamp"},
		{"generic header instead", stripeBody, "", 401, "missing Stripe-Signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, puts := providerHandler(t)
			resp, err := h.Handle(context.Background(), providerReq("stripe", tt.body, map[string]string{"Stripe-Signature": tt.sig}))
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, resp.Body)
			assert.Contains(t, resp.Body, tt.wantBody)
			if tt.wantStatus != 202 {
				assert.Empty(t, *puts, "a refused delivery was stored")
				return
			}
			require.Len(t, *puts, 1)
			item := (*puts)[0].Item
			assert.Equal(t, "stripe", item[wh.AttrProvider].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, "payment_intent.succeeded", item[wh.AttrEventType].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, "2026-03-04T05:06:06.000Z", item[wh.AttrOccurredAt].(*types.AttributeValueMemberS).Value, "Stripe's created, Unix seconds")
		})
	}
}

func TestOtherProvidersDeliveries(t *testing.T) {
	github, square, paypal := fixture(t, "github-ping.json"), fixture(t, "square-payment-created.json"), fixture(t, "paypal-capture-completed.json")
	ghHeaders := func(sig string) map[string]string {
		return map[string]string{"X-Hub-Signature-256": sig, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "X-GitHub-Event": "ping"}
	}
	// The signatures are computed outside Go, as each provider's documentation specifies
	// (hex HMAC-SHA256 of the body; base64 HMAC-SHA256 of notification URL + body).
	const ghSig = "sha256=6e68edb3d9a63cc7326256f4026fc1c3147112767ee7b5218a5c248136066ef2"
	const sqSig = "ugE0l+rD5ZvpB9Vd8Mt6KbqnZVKDIiIm1Dj31gVEqIk="
	tests := []struct {
		name, provider, body string
		headers              map[string]string
		wantStatus           int
		wantID, wantType     string
		wantTime             string
	}{
		{"github", "github", github, ghHeaders(ghSig), 202, "72d3162e-cc78-11e3-81ab-4c9367dc0958", "ping", ""},
		{"github tampered", "github", strings.Replace(github, "failure", "success", 1), ghHeaders(ghSig), 401, "", "", ""},
		{"github without delivery header", "github", github, map[string]string{"X-Hub-Signature-256": ghSig, "X-GitHub-Event": "ping"}, 400, "", "", ""},
		{"github signed with the generic header", "github", github, map[string]string{"X-Webhook-Signature": ghSig}, 401, "", "", ""},
		{"square", "square", square, map[string]string{"X-Square-HmacSha256-Signature": sqSig}, 202, "13b867cf-db3d-4b1c-90b6-2f32a9d78124", "payment.created", "2020-02-06T21:27:34.308Z"},
		{"square lower-case header", "square", square, map[string]string{"x-square-hmacsha256-signature": sqSig}, 202, "13b867cf-db3d-4b1c-90b6-2f32a9d78124", "payment.created", "2020-02-06T21:27:34.308Z"},
		{"square tampered", "square", strings.Replace(square, "100", "1", 1), map[string]string{"X-Square-HmacSha256-Signature": sqSig}, 401, "", "", ""},
		{"paypal", "paypal", paypal, nil, 202, "WH-58D329510W468432D-8HN650336L201105X", "PAYMENT.CAPTURE.COMPLETED", "2019-02-14T21:50:07.940Z"},
		{"unknown provider", "acme", paypal, nil, 404, "", "", ""},
		{"secret unreachable", "down", stripeBody, map[string]string{"Stripe-Signature": stripeSigned("x", time.Now())}, 503, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, puts := providerHandler(t)
			resp, err := h.Handle(context.Background(), providerReq(tt.provider, tt.body, tt.headers))
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, resp.Body)
			if tt.wantStatus != 202 {
				assert.Empty(t, *puts)
				return
			}
			require.Len(t, *puts, 1)
			item := (*puts)[0].Item
			assert.Equal(t, tt.wantID, item[wh.AttrEventID].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, tt.wantType, item[wh.AttrEventType].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, tt.provider, item[wh.AttrProvider].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, tt.body, item[wh.AttrPayload].(*types.AttributeValueMemberS).Value)
			if tt.wantTime == "" {
				assert.NotContains(t, item, wh.AttrOccurredAt)
			} else {
				assert.Equal(t, tt.wantTime, item[wh.AttrOccurredAt].(*types.AttributeValueMemberS).Value)
			}
		})
	}
}

// TestGitHubDocumentedVector is the example of GitHub's "Validating webhook deliveries".
func TestGitHubDocumentedVector(t *testing.T) {
	sig := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	assert.NoError(t, verifyHex([]byte("It's a Secret to Everybody"), "X-Hub-Signature-256", sig, "sha256=", []byte("Hello, World!")))
	assert.ErrorIs(t, verifyHex([]byte("It's a Secret to Everybody"), "X-Hub-Signature-256", sig, "sha256=", []byte("Hello, World")), errBadSignature)
}

func TestAdyenDeliveries(t *testing.T) {
	one := fixture(t, "adyen-authorisation.json")
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(one), &doc))
	item := doc["notificationItems"].([]any)[0]
	two, _ := json.Marshal(map[string]any{"live": "false", "notificationItems": []any{item, item}})
	tampered := strings.Replace(one, `"value":1130`, `"value":1`, 1)
	unsigned := strings.Replace(one, `"hmacSignature":"Ny9gS2veKo5E4w8/OL6xz1/wvT/hYkAXy1xNc/QvO4I="`, `"x":"y"`, 1)
	tests := []struct {
		name, provider, body string
		wantStatus           int
		wantPuts             int
	}{
		{"signed as Adyen's library test vector", "adyen", one, 200, 1},
		{"two items, each one item in the table", "adyen", string(two), 200, 2},
		{"tampered amount", "adyen", tampered, 401, 0},
		{"no hmacSignature", "adyen", unsigned, 401, 0},
		{"key not hex", "badkey", one, 503, 0},
		{"no items", "adyen", `{"live":"false","notificationItems":[]}`, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, puts := providerHandler(t)
			resp, err := h.Handle(context.Background(), providerReq(tt.provider, tt.body, nil))
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, resp.Body)
			require.Len(t, *puts, tt.wantPuts)
			if tt.wantStatus != 200 {
				return
			}
			assert.Equal(t, "[accepted]", resp.Body, "Adyen wants [accepted]")
			it := (*puts)[0].Item
			assert.Equal(t, "7914073381342284:AUTHORISATION", it[wh.AttrEventID].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, "AUTHORISATION", it[wh.AttrEventType].(*types.AttributeValueMemberS).Value)
			assert.Equal(t, "2024-06-28T17:03:50.000Z", it[wh.AttrOccurredAt].(*types.AttributeValueMemberS).Value)
			assert.True(t, strings.HasPrefix(it[wh.AttrPayload].(*types.AttributeValueMemberS).Value, `{"additionalData"`), "the item itself is the payload")
			assert.Equal(t, "attribute_not_exists(event_id)", aws.ToString((*puts)[0].ConditionExpression))
		})
	}
}

// TestAdyenRetryIsIdempotent: Adyen sends a delivery again when one of its items was not
// stored; the stored ones come back as duplicates and the answer is still [accepted].
func TestAdyenRetryIsIdempotent(t *testing.T) {
	h, _ := providerHandler(t)
	h.db = &webhooktest.DynamoDB{PutItemFunc: func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		return nil, &types.ConditionalCheckFailedException{}
	}}
	resp, err := h.Handle(context.Background(), providerReq("adyen", fixture(t, "adyen-authorisation.json"), nil))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "[accepted]", resp.Body)
}

func TestDuplicateKeys(t *testing.T) {
	tests := []struct{ body, dup, first string }{
		{`{"id":"A","ID":"B"}`, "ID", "id"},
		{`{"id":"A","id":"B"}`, "id", "id"},
		{`{"a":{"Type":1,"tYPE":2}}`, "tYPE", "Type"},
		{`{"a":[{"k":1},{"k":2}],"K":3}`, "", ""}, // different objects; "K" is first at the top
		{`{"a":[{"k":1,"K":2}]}`, "K", "k"},
		{"{\"kid\":1,\"\u212aid\":2}", "\u212aid", "kid"}, // the Kelvin sign, which encoding/json folds to k
		{`{"id":"A","type":"id"}`, "", ""},                // a value equal to a key is no key
		{`{"a":1,"b":{"a":2}}`, "", ""},
		{`not json`, "", ""},
	}
	for _, tt := range tests {
		dup, first := duplicateKey([]byte(tt.body))
		assert.Equal(t, tt.dup, dup, tt.body)
		assert.Equal(t, tt.first, first, tt.body)
	}
}

func TestParseProviders(t *testing.T) {
	tests := []struct{ raw, wantErr string }{
		{testProviders, ""},
		{`{"s":{"scheme":"stripe"}}`, `provider s: "secret_param" is required`},
		{`{"g":{"scheme":"hmac-sha256-hex","secret_param":"/p"}}`, `needs "header"`},
		{`{"q":{"scheme":"square","secret_param":"/p"}}`, `needs "notification_url"`},
		{`{"n":{"scheme":"none","secret_param":"/p"}}`, `takes no "secret_param"`},
		{`{"a":{"scheme":"adyen","secret_param":"/p","format":"stripe"}}`, "scheme adyen needs format adyen"},
		{`{"x":{"scheme":"stripe","secret_param":"/p","format":"xml"}}`, `unknown format "xml"`},
		{`{"x":{"scheme":"stripe","secret_param":"/p","secret":"s"}}`, `unknown field "secret"`},
		{`{"a b":{"scheme":"none"}}`, `provider name "a b"`},
		{`[]`, "WEBHOOK_PROVIDERS"},
	}
	for _, tt := range tests {
		_, err := parseProviders(tt.raw)
		if tt.wantErr == "" {
			assert.NoError(t, err)
			continue
		}
		if assert.Error(t, err, tt.raw) {
			assert.Contains(t, err.Error(), tt.wantErr)
		}
	}
	m, err := parseProviders(testProviders)
	require.NoError(t, err)
	assert.Equal(t, formatStripe, m["stripe"].Format, "format defaults by scheme")
	assert.Equal(t, DefaultStripeTolerance, m["stripe"].tolerance())
}

func TestSecretCacheRefetchesAfterTTL(t *testing.T) {
	calls := 0
	now := time.Unix(0, 0)
	c := &wh.SecretCache{TTL: time.Minute, Now: func() time.Time { return now }, Client: ssmAnswering(func(string) (string, error) {
		calls++
		return "v" + strconv.Itoa(calls), nil
	})}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "v1"}, {59 * time.Second, "v1"}, {time.Second, "v2"}} {
		now = now.Add(step.advance)
		v, err := c.Get(context.Background(), "/p")
		require.NoError(t, err)
		assert.Equal(t, step.want, string(v))
	}
}
