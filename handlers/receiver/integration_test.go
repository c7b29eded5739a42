package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

func recordedRequest(t *testing.T, file string) events.APIGatewayProxyRequest {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var req events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(b, &req))
	return req
}

// TestReceiverAgainstEmulator: a webhook delivered three times is stored once, acknowledged
// each time with its id, and readable on the internal route.
func TestReceiverAgainstEmulator(t *testing.T) {
	cfg := emutest.Config(t)
	table := webhooktest.Name("events", emutest.Suffix(t))
	webhooktest.CreateEventsTable(t, cfg, table)
	h, _ := newTestHandler(dynamodb.NewFromConfig(cfg), nil)
	h.table, h.log, h.now = table, webhook.NewLogger(io.Discard, "info"), time.Now
	ctx := webhooktest.Ctx(t)
	post := recordedRequest(t, "testdata/post-webhook.json")

	for i, want := range []int{202, 200, 200} {
		resp, err := h.Handle(ctx, post)
		require.NoError(t, err)
		assert.Equal(t, want, resp.StatusCode, "delivery %d: %s", i+1, resp.Body)
		assert.Contains(t, resp.Body, `"event_id":"evt_1NG8Du2eZvKYlo2CUI79vXWy"`)
	}
	assert.EqualValues(t, 1, webhooktest.CountItems(t, cfg, table))

	ev, ok := webhooktest.GetEvent(t, cfg, table, "evt_1NG8Du2eZvKYlo2CUI79vXWy")
	require.True(t, ok)
	assert.Equal(t, "stripe", ev.Provider)
	assert.Equal(t, "payment_intent.succeeded", ev.Type)
	assert.Equal(t, webhook.StatusReceived, ev.Status)
	assert.Equal(t, post.Body, string(ev.Payload))
	assert.WithinDuration(t, time.Now(), ev.ReceivedAt, time.Minute)

	resp, err := h.Handle(ctx, recordedRequest(t, "testdata/get-event.json"))
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, resp.Body)
	var got webhook.Event
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &got))
	assert.Equal(t, "evt_1NG8Du2eZvKYlo2CUI79vXWy", got.ID)
	assert.Equal(t, webhook.StatusReceived, got.Status)
	assert.JSONEq(t, post.Body, string(got.Payload))

	unknown := recordedRequest(t, "testdata/get-event.json")
	unknown.PathParameters["eventId"] = "evt_never_sent"
	resp, err = h.Handle(ctx, unknown)
	require.NoError(t, err)
	assert.Equal(t, 404, resp.StatusCode)
}

// TestReceiverConcurrentDuplicates: deliveries racing each other still make one item, and
// exactly one of them is told it created it.
func TestReceiverConcurrentDuplicates(t *testing.T) {
	cfg := emutest.Config(t)
	table := webhooktest.Name("events", emutest.Suffix(t))
	webhooktest.CreateEventsTable(t, cfg, table)
	h, _ := newTestHandler(dynamodb.NewFromConfig(cfg), nil)
	h.table, h.log, h.now = table, webhook.NewLogger(io.Discard, "info"), time.Now
	post := recordedRequest(t, "testdata/post-webhook.json")

	const n = 8
	statuses := make(chan int, n)
	for range n {
		go func() {
			resp, _ := h.Handle(context.Background(), post)
			statuses <- resp.StatusCode
		}()
	}
	count := map[int]int{}
	for range n {
		count[<-statuses]++
	}
	assert.Equal(t, map[int]int{202: 1, 200: n - 1}, count)
	assert.EqualValues(t, 1, webhooktest.CountItems(t, cfg, table))
}
