package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// TestWebhookStackLifecycle applies the shipped webhook stack (every kind, Lambdas built from
// handlers/), proves a second apply changes nothing and drift sees nothing, then destroys it.
func TestWebhookStackLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the three handlers")
	}
	c := newCLI(t)
	sfx := emutest.Suffix(t)
	spec := c.writeSpec("webhook.yaml")
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })

	out := c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "Apply complete: 59 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged, 0 failed.")

	key := strings.TrimSpace(c.must(0, "api-key", "stripe-key", "--suffix", sfx))
	assert.Len(t, key, 40, "API Gateway generates 40-character keys; moto too")
	listing := c.must(0, "list", "--suffix", sfx, "-o", "json")
	assert.NotContains(t, listing, key, "list never shows a key value")
	assert.NotContains(t, out, key, "apply never shows a key value")
	// The authorizer's copy of Stripe's key is the key itself; no SSM value is ever printed.
	params := ssm.NewFromConfig(emutest.Config(t))
	value := func(name string) string {
		out, err := params.GetParameter(ctxT(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		require.NoError(t, err, name)
		return aws.ToString(out.Parameter.Value)
	}
	assert.Equal(t, key, value("/webhook/providers/stripe-api-key-"+sfx))
	token := value("/webhook/providers/stripe-token-" + sfx)
	assert.Len(t, token, 43, "32 random bytes, base64url")
	assert.NotContains(t, out+listing, token, "apply and list never show a token")
	_, _, errOut := c.run("api-key", "no-such-key", "--suffix", sfx)
	assert.Contains(t, errOut, `no apigateway.api_key "no-such-key" carries suffix `+sfx)

	c.rec.Reset()
	out = c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "No changes: 59 resources match the spec.")
	assert.NotContains(t, out, key, "plan output never shows a key value")
	assert.Empty(t, c.mutations(), "a second apply makes no mutating call, code included")
	c.must(0, "drift", spec, "--suffix", sfx)
	// A person pastes Stripe's signing secret; the next apply leaves it alone.
	_, err := params.PutParameter(ctxT(), &ssm.PutParameterInput{Name: aws.String("/webhook/providers/stripe-secret-" + sfx),
		Value: aws.String("whsec_pasted_from_the_dashboard"), Type: "SecureString", Overwrite: aws.Bool(true)})
	require.NoError(t, err)
	out = c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "No changes: 59 resources match the spec.", "a value a person set is not drift")
	assert.Equal(t, "whsec_pasted_from_the_dashboard", value("/webhook/providers/stripe-secret-"+sfx))
	assert.NotContains(t, out, "whsec_pasted_from_the_dashboard")

	out = c.must(0, "destroy", "--suffix", sfx, "--yes")
	assert.Contains(t, out, "59 deleted")
	out = c.must(0, "destroy", "--suffix", sfx, "--dry-run")
	assert.Contains(t, out, "No changes: 0 resources")
}

// TestRerunFinishesAFailedApply breaks one role half-way through an apply (a managed policy
// that does not exist): the role is created and tagged, everything that needs it is skipped.
// A rerun with the spec fixed finds what the failed run made and finishes the stack.
func TestRerunFinishesAFailedApply(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the three handlers")
	}
	c := newCLI(t)
	sfx := emutest.Suffix(t)
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })
	broken := c.writeSpec("webhook.yaml", "    description: webhook receiver\n",
		"    description: webhook receiver\n    managed_policy_arns: [\"arn:aws:iam::aws:policy/NoSuchPolicyForTests\"]\n")
	code, out, errOut := c.run("apply", broken, "--suffix", sfx)
	require.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "iam.role/receiver-role")
	assert.Regexp(t, `Apply complete: \d+ created, 0 updated, 0 replaced, 0 deleted, 0 unchanged, 1 failed, \d+ skipped\.`, out)
	assert.Contains(t, out, "lambda.function/receiver", "the plan named it")
	assert.NotContains(t, out, "lambda.function/receiver: created", "the receiver needs the role: skipped")

	fixed := c.writeSpec("webhook.yaml")
	out = c.must(0, "apply", fixed, "--suffix", sfx)
	assert.Contains(t, out, "lambda.function/receiver: created")
	assert.NotContains(t, out, "iam.role/receiver-role: created", "the role the failed run made is found, not made again")
	c.must(0, "plan", fixed, "--suffix", sfx, "--detailed-exitcode")
}
