package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/provisioner-dev/provisioner/localstack"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// pipelineSecret is the test's Stripe endpoint secret, pasted into the stack's
// stripe-secret parameter as a person pastes the one from Stripe's dashboard.
const pipelineSecret = "whsec_e2e_pipeline_test_key"

// TestWebhookPipelineOnLocalStack applies the webhook stack and drives it the way Stripe does.
// The REQUEST authorizer, given the event API Gateway sends it for POST /webhook/stripe with
// the provider's URL token, allows that route and returns Stripe's API key (the one `api-key
// stripe-key` prints); a wrong token is refused. A delivery signed with the endpoint's secret
// (Stripe-Signature) and POSTed to the stage's /webhook/stripe is stored by the receiver,
// streamed to the processor and archived to S3; a forged body and a stale signature are
// refused. Then a re-apply makes the processor fail (its archive bucket does not exist), and
// the next delivery goes down the dead-letter path: after the retries the batch's notice
// reaches the queue and the deadletter function, reading the batch back from the stream,
// marks the event failed. Functions run their real bootstrap under aws-lambda-rie, through
// localstack/rie_executor when LocalStack runs in host mode.
//
// LocalStack 4.14.0 (community) runs no API Gateway authorizer: its request chain
// (services/apigateway/next_gen/execute_api/gateway.py) has no authorizer step, so with
// api_key_source AUTHORIZER no key reaches the usage-plan check and every POST answers 403
// Forbidden. Here the stack takes the key from the x-api-key header instead, and the test
// sends the key the authorizer returned, as API Gateway would have; the authorizer itself is
// invoked as API Gateway invokes it.
//
// The two deliveries are the stream's first and a later record: the event source mapping and
// the deadletter function's read-back both get past the first record on LocalStack 4.14.0, so
// the first-record-only reads of handlers/processor/integration_test.go (from TRIM_HORIZON)
// do not touch this path.
func TestWebhookPipelineOnLocalStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the four handlers")
	}
	emutest.SkipOnMoto(t, "moto stores Lambda functions but does not run their code; the pipeline needs functions that run")
	if emutest.Flavor() != localstack.LocalStack {
		t.Skip("needs LocalStack: the stage is invoked at LocalStack's own address")
	}
	c := newCLI(t)
	cfg := emutest.Config(t)
	db := dynamodb.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	st := pipelineApply(t, c, pipelineEdits()...)
	url := st.url + "/webhook/stripe"

	// The authorizer: Stripe's token opens Stripe's route and names Stripe's key.
	allowed, refused := authorize(t, lambda.NewFromConfig(cfg), st, st.token), authorize(t, lambda.NewFromConfig(cfg), st, st.token+"x")
	assert.Equal(t, "Unauthorized", refused.FunctionErr, "a wrong URL token is refused by the authorizer")
	require.Empty(t, allowed.FunctionErr, "the authorizer allows Stripe's token")
	assert.Equal(t, "stripe", allowed.PrincipalID)
	require.Len(t, allowed.PolicyDocument.Statement, 1)
	assert.Equal(t, "Allow", allowed.PolicyDocument.Statement[0].Effect)
	assert.Equal(t, []string{st.methodArn()}, allowed.PolicyDocument.Statement[0].Resource, "only Stripe's route")
	assert.Equal(t, st.key, allowed.UsageIdentifierKey, "the key API Gateway meters is Stripe's")

	// A delivery: accepted, stored, streamed to the processor, archived.
	id := "evt_e2e_" + st.suffix
	body := stripeEvent(id)
	status, answer := deliver(t, url, st, body, stripeSignature(body, time.Now()))
	require.Equal(t, http.StatusAccepted, status, "receiver answer: %s", answer)
	require.JSONEq(t, fmt.Sprintf(`{"event_id":%q}`, id), answer)
	forged := strings.Replace(body, `"amount":2000`, `"amount":1`, 1)
	status, answer = deliver(t, url, st, forged, stripeSignature(body, time.Now()))
	assert.Equal(t, http.StatusUnauthorized, status, "a body that does not match its signature is refused by the receiver: %s", answer)
	status, answer = deliver(t, url, st, body, stripeSignature(body, time.Now().Add(-10*time.Minute)))
	assert.Equal(t, http.StatusUnauthorized, status, "a signature older than the 300 s tolerance is refused: %s", answer)

	item := waitForItem(t, db, st.table, id, func(it map[string]dbtypes.AttributeValue) bool { return attrS(it, "status") == "processed" })
	assert.Equal(t, "stripe", attrS(item, "provider"))
	assert.Equal(t, "payment_intent.succeeded", attrS(item, "event_type"))
	assert.JSONEq(t, body, getObject(t, s3c, st.bucket, attrS(item, "archive_key")), "the archive holds the delivery as Stripe sent it")

	// The processor made to fail: the next delivery's batch goes to the dead-letter queue, and
	// the deadletter function marks the event failed and keeps Lambda's notice.
	c.writeSpec("webhook.yaml", append(pipelineEdits(), processorEnvLine, strings.Replace(processorEnvLine, "${archive.name}", "${archive.name}-missing", 1))...)
	c.must(0, "apply", c.spec, "--suffix", st.suffix)
	failing := "evt_e2e_fail_" + st.suffix
	body = stripeEvent(failing)
	status, answer = deliver(t, url, st, body, stripeSignature(body, time.Now()))
	require.Equal(t, http.StatusAccepted, status, "receiver answer: %s", answer)
	item = waitForItem(t, db, st.table, failing, func(it map[string]dbtypes.AttributeValue) bool { return attrS(it, "status") == "failed" })
	assert.Contains(t, getObject(t, s3c, st.bucket, attrS(item, "dead_letter_key")), "DDBStreamBatchInfo", "the object is Lambda's on-failure notice for the stream batch")
	assert.Empty(t, attrS(item, "archive_key"), "the failing processor archived nothing")
}

// processorEnvLine is the processor's archive bucket line, the one line of the example that
// names ARCHIVE_BUCKET just before BATCH_CONCURRENCY.
const processorEnvLine = "      ARCHIVE_BUCKET: ${archive.name}\n      EVENT_TTL_DAYS: \"30\" # stored events expire 30 days after they are archived\n      BATCH_CONCURRENCY"

// pipelineEdits make the example runnable here: code for this machine's architecture (the
// functions run as local processes), and the deadletter function reading the stream at
// LocalStack's own address: the endpoint's DNS name LocalStack makes
// (vpce-….dynamodb-streams.<region>.vpce.localhost.localstack.cloud) resolves only through
// public DNS, which the loopback-only namespace of host mode does not reach.
func pipelineEdits() []string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[runtime.GOARCH]
	var e []string
	for range 4 { // receiver, processor, deadletter, authorizer
		e = append(e, "    architecture: arm64\n", "    architecture: "+arch+"\n")
	}
	return append(e, "      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: https://${streams-endpoint.dns_name}\n", "",
		"    api_key_source: AUTHORIZER\n", "    api_key_source: HEADER\n")
}

// pipelineApply applies the edited example under a new suffix (destroyed when the test
// ends), pastes the Stripe secret into its parameter, and reads the names and the Stripe URL
// token back.
func pipelineApply(t *testing.T, c *cli, edits ...string) pipelineNames {
	t.Helper()
	sfx := emutest.Suffix(t)
	spec := c.writeSpec("webhook.yaml", edits...)
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })
	c.must(0, "apply", spec, "--suffix", sfx)
	st := pipelineStack(t, c, sfx)
	params := ssm.NewFromConfig(emutest.Config(t))
	ctx := context.Background()
	_, err := params.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/webhook/providers/stripe-secret-" + sfx),
		Value: aws.String(pipelineSecret), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
	require.NoError(t, err)
	tok, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/webhook/providers/stripe-token-" + sfx), WithDecryption: aws.Bool(true)})
	require.NoError(t, err)
	st.suffix, st.token = sfx, aws.ToString(tok.Parameter.Value)
	st.key = strings.TrimSpace(c.must(0, "api-key", "stripe-key", "--suffix", sfx))
	return st
}

// authorized is the authorizer's answer, or the error it failed with.
type authorized struct {
	events.APIGatewayCustomAuthorizerResponse
	FunctionErr string `json:"errorMessage"`
}

// authorize invokes the authorizer function with the event API Gateway sends it for a POST
// to /webhook/stripe?token=token (identity sources: the path's provider and the token).
func authorize(t *testing.T, fn *lambda.Client, st pipelineNames, token string) authorized {
	t.Helper()
	ev, err := json.Marshal(events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: st.methodArn(), Resource: "/webhook/{provider}", Path: "/webhook/stripe", HTTPMethod: http.MethodPost,
		Headers:               map[string]string{"Content-Type": "application/json; charset=utf-8"},
		QueryStringParameters: map[string]string{"token": token}, PathParameters: map[string]string{"provider": "stripe"},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			APIID: st.apiID, Stage: st.stage, HTTPMethod: http.MethodPost, ResourcePath: "/webhook/{provider}"},
	})
	require.NoError(t, err)
	out, err := fn.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(st.authorizer), Payload: ev})
	require.NoError(t, err)
	var a authorized
	require.NoError(t, json.Unmarshal(out.Payload, &a), "authorizer answer %s", out.Payload)
	if out.FunctionError == nil {
		a.FunctionErr = ""
	}
	return a
}

// stripeEvent is a Stripe event as Stripe delivers it (the shape of its Event object).
func stripeEvent(id string) string {
	return fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2024-06-20","created":%d,"livemode":false,"pending_webhooks":1,`+
		`"request":{"id":null,"idempotency_key":null},"type":"payment_intent.succeeded",`+
		`"data":{"object":{"id":"pi_e2e","object":"payment_intent","amount":2000,"currency":"usd","status":"succeeded"}}}`, id, time.Now().Unix())
}

// stripeSignature is the Stripe-Signature header of body signed at at with the endpoint's
// secret (t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">), made by stripe-go itself.
func stripeSignature(body string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: pipelineSecret, Timestamp: at}).Header
}

func attrS(item map[string]dbtypes.AttributeValue, name string) string {
	s, _ := item[name].(*dbtypes.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

func getObject(t *testing.T, s3c *s3.Client, bucket, key string) string {
	t.Helper()
	require.NotEmpty(t, key, "object key")
	obj, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err, "object %s", key)
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	require.NoError(t, err)
	return string(b)
}

type pipelineNames struct {
	url, apiID, stage, table, bucket, authorizer string
	region, account                              string // the authorizer's, from its ARN
	suffix, token, key                           string // the Stripe URL token and API key
}

// methodArn is the ARN API Gateway authorizes a POST to /webhook/stripe as.
func (n pipelineNames) methodArn() string {
	return "arn:aws:execute-api:" + n.region + ":" + n.account + ":" + n.apiID + "/" + n.stage + "/POST/webhook/stripe"
}

// pipelineStack reads the stage URL (in LocalStack's form), the table and the bucket from list.
func pipelineStack(t *testing.T, c *cli, sfx string) pipelineNames {
	t.Helper()
	var listing struct {
		Resources []struct {
			Address string            `json:"address"`
			Name    string            `json:"name"`
			Attrs   map[string]string `json:"attributes"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "list", "--suffix", sfx, "-o", "json")), &listing))
	var n pipelineNames
	awsURL := regexp.MustCompile(`^https://([^.]+)\.execute-api\.[^/]+/(.+)$`)
	for _, r := range listing.Resources {
		switch r.Address {
		case "apigateway.rest_api/api":
			m := awsURL.FindStringSubmatch(r.Attrs["url"])
			require.NotNil(t, m, "stage url %q", r.Attrs["url"])
			n.url = fmt.Sprintf("%s/_aws/execute-api/%s/%s", emutest.Endpoint(), m[1], m[2])
			n.apiID, n.stage = m[1], m[2]
		case "lambda.function/authorizer":
			n.authorizer = r.Name
			if arn := strings.Split(r.Attrs["arn"], ":"); len(arn) > 4 {
				n.region, n.account = arn[3], arn[4]
			}
		case "dynamodb.table/events":
			n.table = r.Name
		case "s3.bucket/archive":
			n.bucket = r.Name
		}
	}
	require.NotEmpty(t, n.url, "stage url")
	require.NotEmpty(t, n.table, "events table")
	require.NotEmpty(t, n.bucket, "archive bucket")
	require.NotEmpty(t, n.account, "authorizer function ARN")
	return n
}

// deliver POSTs body as Stripe does: JSON, the Stripe-Signature header, and the URL token as
// the query string's token. The x-api-key header is what the authorizer would have given API
// Gateway (LocalStack runs no authorizer; see the test); no provider sends it itself.
func deliver(t *testing.T, url string, st pipelineNames, body, signature string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"?token="+neturl.QueryEscape(st.token), bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	req.Header.Set("Stripe-Signature", signature)
	req.Header.Set("x-api-key", st.key)
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// waitForItem polls the events table until the item of id satisfies done: the stream and the
// processor run asynchronously. It fails after a generous bound, showing the last item seen.
func waitForItem(t *testing.T, db *dynamodb.Client, table, id string, done func(map[string]dbtypes.AttributeValue) bool) map[string]dbtypes.AttributeValue {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var last map[string]dbtypes.AttributeValue
	for {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]dbtypes.AttributeValue{"event_id": &dbtypes.AttributeValueMemberS{Value: id}}, ConsistentRead: aws.Bool(true)})
		if err == nil {
			last = out.Item
			if done(last) {
				return last
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("event %s did not reach the expected state; last item: %v (last error: %v)", id, last, err)
		case <-time.After(time.Second):
		}
	}
}
