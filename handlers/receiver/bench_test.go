package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

// benchBody is a payment event of a typical size (about 1 KB).
const benchBody = `{"id":"evt_3MtwBwLkdIwHu7ix0z7GPQ9f","object":"event","api_version":"2024-06-20","created":1772600766,` +
	`"type":"payment_intent.succeeded","livemode":false,"pending_webhooks":1,"request":{"id":"req_8bB5s2rZ1KxQfM","idempotency_key":"3f2b9a1e-7c4d-4f7a-9a51-2d1c8b0e6f11"},` +
	`"data":{"object":{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent","amount":2000,"amount_capturable":0,"amount_received":2000,` +
	`"capture_method":"automatic","client_secret":"pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH","confirmation_method":"automatic",` +
	`"created":1772600700,"currency":"eur","customer":"cus_NffrFeUfNV2Hib","description":"Order 4711","latest_charge":"ch_3MtwBwLkdIwHu7ix05lnLAFd",` +
	`"metadata":{"order_id":"4711","cart":"c-99812"},"payment_method":"pm_1MtwBwLkdIwHu7ixU5wnB0fd","payment_method_types":["card"],` +
	`"receipt_email":"customer@example.com","status":"succeeded","shipping":{"name":"Jane Doe","address":{"line1":"1 Main St","city":"Berlin","postal_code":"10115","country":"DE"}}}}}`

// BenchmarkReceiverPostWebhook measures one POST /webhook without the network: validation,
// signature, the item, the (fake) conditional write, the JSON log line and the answer.
func BenchmarkReceiverPostWebhook(b *testing.B) {
	db := &webhooktest.DynamoDB{PutItemFunc: func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		return &dynamodb.PutItemOutput{}, nil
	}}
	for _, bc := range []struct {
		name   string
		secret secretSource
	}{{"unsigned", nil}, {"signed", staticSecret(testSecret)}} {
		b.Run(bc.name, func(b *testing.B) {
			h, _ := newTestHandler(db, bc.secret)
			h.log, h.now = webhook.NewLogger(io.Discard, "info"), time.Now
			req := postReq(benchBody, map[string]string{"X-Webhook-Provider": "stripe", "X-Webhook-Signature": sign(benchBody)})
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(benchBody)))
			for b.Loop() {
				resp, _ := h.Handle(ctx, req)
				if resp.StatusCode != 202 {
					b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
			}
		})
	}
}

// BenchmarkReceiverThroughput is one execution environment answering Stripe deliveries one
// after another (Lambda gives an environment one request at a time), with DynamoDB's PutItem
// taking an AWS-like time and the signing secret cached. events/s/execution is what one unit
// of the function's concurrency carries; docs/capacity.md divides the peak rate by it.
func BenchmarkReceiverThroughput(b *testing.B) {
	db := &webhooktest.DynamoDB{PutItemFunc: func(ctx context.Context, _ *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		return &dynamodb.PutItemOutput{}, webhooktest.Wait(ctx, webhooktest.DynamoDBLatency)
	}}
	providers, err := parseProviders(`{"stripe":{"scheme":"stripe","secret_param":"/s"}}`)
	if err != nil {
		b.Fatal(err)
	}
	h, _ := newTestHandler(db, nil)
	h.legacy, h.providers, h.secrets = nil, providers, staticSecret("whsec_bench")
	h.log, h.now = webhook.NewLogger(io.Discard, "info"), time.Now
	req := postReq(benchBody, map[string]string{"Stripe-Signature": stripeSignedBody(benchBody, "whsec_bench")})
	req.Resource, req.PathParameters = "/webhook/{provider}", map[string]string{"provider": "stripe"}
	ctx := context.Background()
	b.SetBytes(int64(len(benchBody)))
	start := time.Now()
	for b.Loop() {
		if resp, _ := h.Handle(ctx, req); resp.StatusCode != 202 {
			b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s/execution")
}
