//go:build unix

package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// TestPipelineUnderRIE drives a Stripe-signed delivery through the real binaries: the receiver
// under the runtime interface emulator stores it, the table's stream is read back as Lambda
// would deliver it, the processor under the emulator archives it to a versioned bucket, and a
// replay of the stream (with the processor's own update in it) leaves exactly one object
// version and the event as it was.
func TestPipelineUnderRIE(t *testing.T) {
	rie, cfg := rieSetup(t)
	sfx := emutest.Suffix(t)
	table, bucket := webhooktest.Name("events", sfx), webhooktest.Name("archive", sfx)
	streamArn := webhooktest.CreateEventsTable(t, cfg, table)
	webhooktest.CreateBucket(t, cfg, bucket)
	webhooktest.EnableVersioning(t, cfg, bucket)
	param := "/" + table + "/stripe-secret"
	webhooktest.PutSecureString(t, cfg, param, "whsec_pipeline")
	common := append(emulatorEnv(cfg), "EVENTS_TABLE="+table, "ARCHIVE_BUCKET="+bucket)
	receiverURL, recvOut := startRIE(t, rie, buildHandler(t, "receiver"),
		append(slices.Clone(common), `WEBHOOK_PROVIDERS={"stripe":{"scheme":"stripe","secret_param":"`+param+`"}}`))
	processorURL, procOut := startRIE(t, rie, buildHandler(t, "processor"), common)

	resp := invoke(t, receiverURL, stripeEvent(t, "whsec_pipeline"))
	require.Equal(t, 202, resp.StatusCode, "%s\n%s", resp.Body, recvOut)

	const id = "evt_1NG8Du2eZvKYlo2CUI79vXWy"
	process := func() events.DynamoDBEventResponse {
		batch, err := json.Marshal(webhooktest.StreamEvent(t, cfg, streamArn))
		require.NoError(t, err)
		var out events.DynamoDBEventResponse
		require.NoError(t, json.Unmarshal(invokeRaw(t, processorURL, batch), &out))
		return out
	}
	first := process()
	assert.Empty(t, first.BatchItemFailures, "processor output:\n%s", procOut)
	ev, ok := webhooktest.GetEvent(t, cfg, table, id)
	require.True(t, ok)
	require.Equal(t, webhook.StatusProcessed, ev.Status, "processor output:\n%s", procOut)
	require.NotEmpty(t, ev.ArchiveKey)

	replay := process() // INSERT and the processor's MODIFY, delivered again
	assert.Empty(t, replay.BatchItemFailures)
	assert.Equal(t, 1, webhooktest.Versions(t, cfg, bucket, ev.ArchiveKey), "a replay adds no object version")
	again, _ := webhooktest.GetEvent(t, cfg, table, id)
	assert.Equal(t, ev, again)
	var stored events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(stripeEvent(t, "whsec_pipeline"), &stored))
	assert.Equal(t, stored.Body, string(webhooktest.GetObject(t, cfg, bucket, ev.ArchiveKey)), "the archive is the signed body, byte for byte")
}
