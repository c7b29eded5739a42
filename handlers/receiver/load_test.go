//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// maxLoadEvents and loadBudget bound the load run, whatever RIE_LOAD_EVENTS asks.
const (
	maxLoadEvents = 2000
	loadBudget    = 3 * time.Minute
)

// TestLoadUnderRIE sends RIE_LOAD_EVENTS distinct Stripe-signed deliveries, one after another
// (the emulator runs one execution environment, which Lambda hands one request at a time), to
// the real receiver binary under the runtime interface emulator, backed by the emulator's
// DynamoDB and SSM on loopback. It reports the rate and latency percentiles; it asserts only
// that every delivery was stored, never a time. Run: RIE_LOAD_EVENTS=500 go test -run
// TestLoadUnderRIE ./handlers/receiver/
func TestLoadUnderRIE(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RIE_LOAD_EVENTS"))
	if n <= 0 {
		t.Skip("set RIE_LOAD_EVENTS to run the load run")
	}
	n = min(n, maxLoadEvents)
	rie, cfg := rieSetup(t)
	table := webhooktest.Name("events", emutest.Suffix(t))
	webhooktest.CreateEventsTable(t, cfg, table)
	param := "/" + table + "/stripe-secret"
	webhooktest.PutSecureString(t, cfg, param, "whsec_load")
	url, output := startRIE(t, rie, buildBootstrap(t), append(emulatorEnv(cfg),
		"EVENTS_TABLE="+table,
		`WEBHOOK_PROVIDERS={"stripe":{"scheme":"stripe","secret_param":"`+param+`"}}`,
		"LOG_LEVEL=warn",
	))
	lat := make([]time.Duration, 0, n)
	start := time.Now()
	for i := range n {
		if time.Since(start) > loadBudget {
			t.Fatalf("load run over its budget of %v after %d deliveries", loadBudget, i)
		}
		event := loadEvent(t, i)
		t0 := time.Now()
		resp := invoke(t, url, event)
		lat = append(lat, time.Since(t0))
		require.Equal(t, 202, resp.StatusCode, "delivery %d; emulator output:\n%s", i, output)
	}
	elapsed := time.Since(start)
	require.EqualValues(t, n, webhooktest.CountItems(t, cfg, table))
	slices.Sort(lat)
	t.Logf("%d deliveries in %v: %.0f events/s in one execution environment; latency p50 %v p90 %v p99 %v",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), lat[n/2], lat[n*9/10], lat[n*99/100])
}

// loadEvent is delivery i: the recorded API Gateway event with its own Stripe event id.
func loadEvent(t *testing.T, i int) []byte {
	t.Helper()
	var req events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(stripeEvent(t, "whsec_load"), &req))
	req.Body = fmt.Sprintf(`{"id":"evt_load_%06d","object":"event","created":1772600766,"type":"payment_intent.succeeded","data":{"object":{"id":"pi_%06d","amount":2000}}}`, i, i)
	req.Headers["Stripe-Signature"] = stripeSignedBody(req.Body, "whsec_load")
	b, err := json.Marshal(req)
	require.NoError(t, err)
	return b
}
