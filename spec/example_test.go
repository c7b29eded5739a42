package spec

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const webhookExample = "../examples/webhook.yaml"

func TestWebhookExampleIsValid(t *testing.T) {
	st, err := Load(webhookExample, Options{})
	require.NoError(t, err)
	assert.Equal(t, "webhook", st.Name)
	assert.Equal(t, "us-east-1", st.Region)
	assert.Equal(t, "dev", st.Suffix)
	assert.Equal(t, map[string]string{"Project": "webhook-processing", "Environment": "dev"}, st.Tags)
	assert.Len(t, st.Resources, 59) // 30, and the authorizer (function, role, logs, alarm, permission), the Streams and SSM endpoints, 5 providers × (token, API key, its value, usage plan), 4 signing secrets, less the old partner key and plan

	kinds := map[string]int{}
	for _, r := range st.Resources {
		kinds[r.Kind]++
	}
	for _, k := range Kinds {
		assert.Positive(t, kinds[k.Kind], "the example uses every kind; %s is missing", k.Kind)
	}
}

func TestWebhookExampleDecodedValues(t *testing.T) {
	st, err := Load(webhookExample, Options{})
	require.NoError(t, err)

	events := st.Lookup("events").Props.(*DynamoDBTable)
	assert.Equal(t, Key{Name: "event_id", Type: "S"}, events.HashKey)
	assert.Equal(t, "NEW_IMAGE", events.StreamViewType)
	assert.Equal(t, "expires_at", events.TTLAttribute)

	receiver := st.Lookup("receiver")
	fn := receiver.Props.(*LambdaFunction)
	assert.Equal(t, "webhook-receiver-dev", receiver.Name)
	assert.Equal(t, "${receiver-role.arn}", fn.Role, "references stay for the engine")
	assert.Equal(t, "${events.name}", fn.Environment["EVENTS_TABLE"])
	assert.Equal(t, "30", fn.Environment["EVENT_TTL_DAYS"])
	assert.JSONEq(t, `{"stripe":{"scheme":"stripe","secret_param":"${stripe-secret.name}","tolerance_seconds":300},
		"github":{"scheme":"hmac-sha256-hex","format":"github","header":"X-Hub-Signature-256","prefix":"sha256=","secret_param":"${github-secret.name}"},
		"square":{"scheme":"square","secret_param":"${square-secret.name}","notification_url":"https://webhooks.example.com/prod/webhook/square?token=paste-the-token-here"},
		"adyen":{"scheme":"adyen","secret_param":"${adyen-secret.name}"},
		"paypal":{"scheme":"none","format":"paypal"}}`, fn.Environment["WEBHOOK_PROVIDERS"], "generated from providers")
	assert.Equal(t, []string{"${private-a.id}", "${private-b.id}"}, fn.VPC.SubnetIDs)
	assert.Equal(t, 512, fn.MemoryMB)
	processor := st.Lookup("processor").Props.(*LambdaFunction)
	assert.Equal(t, fn.VPC, processor.VPC, "the *private alias decodes")
	assert.Equal(t, "25", processor.Environment[EnvBatchConcurrency], "the processor is sized for the peak")
	assert.Equal(t, "30", processor.Environment["EVENT_TTL_DAYS"], "archived events expire")
	authorizer := st.Lookup("authorizer").Props.(*LambdaFunction)
	assert.JSONEq(t, `{"stripe":{"token_param":"${stripe-token.name}","api_key_param":"${stripe-api-key.name}"},
		"github":{"token_param":"${github-token.name}","api_key_param":"${github-api-key.name}"},
		"square":{"token_param":"${square-token.name}","api_key_param":"${square-api-key.name}"},
		"adyen":{"token_param":"${adyen-token.name}","api_key_param":"${adyen-api-key.name}"},
		"paypal":{"token_param":"${paypal-token.name}","api_key_param":"${paypal-api-key.name}"}}`, authorizer.Environment["AUTHORIZER_PROVIDERS"])
	deadletter := st.Lookup("deadletter").Props.(*LambdaFunction)
	assert.Equal(t, "https://${streams-endpoint.dns_name}", deadletter.Environment["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"])
	assert.NotSame(t, fn.VPC, processor.VPC, "each resource gets its own copy")

	assert.Equal(t, &Capacity{PeakRPS: 10000, PayloadBytes: 2560, Table: "events", Receiver: "receiver", Stream: "events-stream",
		ReceiverMs: DefaultReceiverMs, RecordMs: DefaultRecordMs}, st.Capacity)
	assert.Equal(t, &WarmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 70000}, events.WarmThroughput)
	assert.Equal(t, 2, st.Lookup("events-stream").Props.(*EventSourceMapping).ParallelizationFactor)

	api := st.Lookup("api").Props.(*RestAPI)
	assert.Equal(t, "CUSTOM", api.Routes[0].Authorization)
	assert.Equal(t, "/webhook/{provider}", api.Routes[0].Path)
	assert.Equal(t, "AUTHORIZER", api.APIKeySource)
	assert.Equal(t, "prod", api.Stage.Name)
	assert.Equal(t, "AWS_IAM", api.Routes[1].Authorization)
	assert.Equal(t, 10000.0, api.Stage.ThrottlingRateLimit)

	role := st.Lookup("processor-role").Props.(*IAMRole)
	assert.Equal(t, "Allow", role.Policies[0].Statements[0].Effect, "a statement's effect defaults to Allow")
	assert.Equal(t, []string{"${archive.arn}/events/*"}, role.Policies[0].Statements[3].Resources)

	assert.Equal(t, "webhook-archive-${account}-dev", st.Lookup("archive").Name)
	assert.Equal(t, "/aws/lambda/webhook-receiver-dev", st.Lookup("receiver-logs").Name)
	assert.Equal(t, "us-east-1a", st.Lookup("private-a").Props.(*Subnet).AvailabilityZone)
	assert.Equal(t, "${api.execution_arn}/*/*", st.Lookup("api-invoke").Props.(*LambdaPermission).SourceARN)
}

// TestWebhookExampleSuffixOverride loads the example for another environment: the override
// reaches every physical name and tag.
func TestWebhookExampleSuffixOverride(t *testing.T) {
	st, err := Load(webhookExample, Options{Suffix: "pr42"})
	require.NoError(t, err)
	assert.Equal(t, "pr42", st.Suffix)
	assert.Equal(t, "pr42", st.Tags["Environment"])
	for _, r := range st.Resources {
		assert.True(t, strings.HasSuffix(r.Name, "-pr42"), "%s: %s", r.Logical, r.Name)
		assert.NotContains(t, r.Name, "dev")
	}
}

// TestWebhookExampleFollowsKindOrder checks what the engine's delete tiers rely on: in the
// shipped stack, no resource depends on a kind later in KindOrder.
func TestWebhookExampleFollowsKindOrder(t *testing.T) {
	st, err := Load(webhookExample, Options{})
	require.NoError(t, err)
	for _, r := range st.Resources {
		for _, dep := range r.DependsOn {
			d := st.Lookup(dep)
			assert.LessOrEqual(t, Tier(d.Kind), Tier(r.Kind), "%s (%s) depends on %s (%s), a later kind", r.Logical, r.Kind, d.Logical, d.Kind)
		}
	}
}

// TestWebhookExampleResolves runs the engine's side: with every attribute known, every
// property of every resource resolves.
func TestWebhookExampleResolves(t *testing.T) {
	st, err := Load(webhookExample, Options{})
	require.NoError(t, err)
	lookup := func(r Ref) (string, bool) {
		if r.Resource == "" {
			return "123456789012", r.Attribute == BuiltinAccount
		}
		return "live-" + r.Resource + "-" + r.Attribute, st.Lookup(r.Resource) != nil
	}
	for _, r := range st.Order() {
		out, err := Resolve(r.Props, lookup)
		require.NoError(t, err, r.Logical)
		for _, ref := range PropsRefs(out) {
			t.Errorf("%s: %s left after Resolve", r.Logical, ref)
		}
		name, err := Interpolate(r.Name, lookup)
		require.NoError(t, err)
		assert.NotContains(t, name, "${")
	}
	perm, err := Resolve(st.Lookup("api-invoke").Props, lookup)
	require.NoError(t, err)
	assert.Equal(t, "live-api-execution_arn/*/*", perm.(*LambdaPermission).SourceARN)
}
