package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

var params = map[string]string{
	"/whk/stripe/token":   "tok_3c1f9e0a7b",
	"/whk/stripe/api-key": "stripeKeyValue0123456789abcdefghij",
	"/whk/github/token":   "tok_gh_77",
	"/whk/github/api-key": "githubKeyValue0123456789abcdefghij",
}

const providers = `{
  "stripe": {"token_param": "/whk/stripe/token", "api_key_param": "/whk/stripe/api-key"},
  "github": {"token_param": "/whk/github/token", "api_key_param": "/whk/github/api-key"},
  "down":   {"token_param": "/whk/down/token",   "api_key_param": "/whk/down/api-key"}
}`

func testHandler(t *testing.T) (*handler, *bytes.Buffer) {
	t.Helper()
	m, err := parseProviders(providers)
	require.NoError(t, err)
	var logs bytes.Buffer
	return &handler{
		providers: m,
		secrets: &webhook.SecretCache{Client: &webhooktest.SSM{GetParameterFunc: func(_ context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
			v, ok := params[aws.ToString(in.Name)]
			if !ok {
				return nil, errors.New("ssm: connection refused")
			}
			return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
		}}},
		log: webhook.NewLogger(&logs, "debug"),
	}, &logs
}

// recorded is aws-lambda-go's REQUEST authorizer fixture (apigw-custom-auth-request-type-
// request.json), moved to Stripe's route: POST /prod/webhook/stripe?token=….
func recorded(t *testing.T) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	t.Helper()
	b, err := os.ReadFile("testdata/request-authorizer.json")
	require.NoError(t, err)
	var req events.APIGatewayCustomAuthorizerRequestTypeRequest
	require.NoError(t, json.Unmarshal(b, &req))
	return req
}

func TestAuthorizerAllowsTheProvidersRouteWithItsKey(t *testing.T) {
	h, logs := testHandler(t)
	resp, err := h.Handle(context.Background(), recorded(t))
	require.NoError(t, err)
	assert.Equal(t, "stripe", resp.PrincipalID)
	assert.Equal(t, "stripeKeyValue0123456789abcdefghij", resp.UsageIdentifierKey, "metered against Stripe's key")
	assert.Equal(t, map[string]any{"provider": "stripe"}, resp.Context)
	require.Len(t, resp.PolicyDocument.Statement, 1)
	st := resp.PolicyDocument.Statement[0]
	assert.Equal(t, "Allow", st.Effect)
	assert.Equal(t, []string{"execute-api:Invoke"}, st.Action)
	assert.Equal(t, []string{"arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/prod/POST/webhook/stripe"}, st.Resource)

	// The answer as API Gateway reads it.
	b, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"usageIdentifierKey":"stripeKeyValue0123456789abcdefghij"`)
	assert.Contains(t, string(b), `"principalId":"stripe"`)
	for _, secret := range params {
		assert.NotContains(t, logs.String(), secret)
	}
}

func TestAuthorizerRefuses(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*events.APIGatewayCustomAuthorizerRequestTypeRequest)
		wantErr string
	}{
		{"wrong token", func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			r.QueryStringParameters["token"] = "tok_guess"
		}, "Unauthorized"},
		{"another provider's token", func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) {
			r.QueryStringParameters["token"] = "tok_gh_77"
		}, "Unauthorized"},
		{"no token", func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) { r.QueryStringParameters = nil }, "Unauthorized"},
		{"unknown provider", func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) { r.PathParameters["provider"] = "acme" }, "Unauthorized"},
		{"bad method ARN", func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) { r.MethodArn = "nonsense" }, "Unauthorized"},
		// A 500, which providers retry, rather than a 401, which they may take as final.
		{"token unavailable", func(r *events.APIGatewayCustomAuthorizerRequestTypeRequest) { r.PathParameters["provider"] = "down" }, "provider down: token unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := testHandler(t)
			req := recorded(t)
			tt.change(&req)
			resp, err := h.Handle(context.Background(), req)
			require.EqualError(t, err, tt.wantErr)
			assert.Empty(t, resp.UsageIdentifierKey)
		})
	}
}

func TestParseProviders(t *testing.T) {
	_, err := parseProviders("")
	assert.EqualError(t, err, "environment variable AUTHORIZER_PROVIDERS is not set")
	_, err = parseProviders(`{"s":{"token_param":"/t"}}`)
	assert.ErrorContains(t, err, `provider "s" needs`)
	_, err = parseProviders(`{"s":{"token_param":"/t","api_key_param":"/k","x":1}}`)
	assert.ErrorContains(t, err, `unknown field "x"`)
}
