package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// EnvProviders names the environment variable holding the providers, as JSON: provider name →
// {"token_param": SSM SecureString holding the URL token, "api_key_param": SSM SecureString
// holding the value of the provider's API key}.
const EnvProviders = "AUTHORIZER_PROVIDERS"

// TokenParameter is the query-string parameter that carries a provider's token.
const TokenParameter = "token"

// errUnauthorized is the one error API Gateway turns into 401 Unauthorized. Any other error
// becomes a 500, which providers retry: that is the answer when a secret cannot be fetched.
var errUnauthorized = errors.New("Unauthorized")

type providerConfig struct {
	TokenParam  string `json:"token_param"`
	APIKeyParam string `json:"api_key_param"`
}

// secretSource gives the value of a SecureString parameter; *webhook.SecretCache in Lambda.
type secretSource interface {
	Get(ctx context.Context, name string) ([]byte, error)
}

type handler struct {
	providers map[string]providerConfig
	secrets   secretSource
	log       *zap.Logger
}

func parseProviders(raw string) (map[string]providerConfig, error) {
	if raw == "" {
		return nil, fmt.Errorf("environment variable %s is not set", EnvProviders)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	var m map[string]providerConfig
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvProviders, err)
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(m)) {
		c := m[name]
		if !webhook.ValidID(name) || c.TokenParam == "" || c.APIKeyParam == "" {
			errs = append(errs, fmt.Errorf("%s: provider %q needs a valid name, \"token_param\" and \"api_key_param\"", EnvProviders, name))
		}
	}
	return m, errors.Join(errs...)
}

// Handle authorizes one request. It allows the provider's own route only, names the provider
// as the principal and in the context (the receiver can read it as
// requestContext.authorizer.provider), and hands API Gateway the provider's API key to meter.
// API Gateway caches the answer by the identity sources (the path's provider and the token).
func (h *handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	log := webhook.WithRequest(ctx, h.log)
	name := req.PathParameters["provider"]
	p, ok := h.providers[name]
	token := req.QueryStringParameters[TokenParameter]
	if !ok || token == "" {
		log.Warn("refused: unknown provider or no token", zap.String("provider", name))
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	ctx, cancel := webhook.WithinInvocation(ctx, webhook.SafetyMargin)
	defer cancel()
	want, err := h.secrets.Get(ctx, p.TokenParam)
	if err != nil {
		log.Error("token unavailable", zap.String("provider", name), zap.Error(err))
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("provider %s: token unavailable", name)
	}
	if !sameToken(token, string(want)) {
		log.Warn("refused: wrong token", zap.String("provider", name))
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	key, err := h.secrets.Get(ctx, p.APIKeyParam)
	if err != nil {
		log.Error("API key unavailable", zap.String("provider", name), zap.Error(err))
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("provider %s: API key unavailable", name)
	}
	resource, err := routeArn(req.MethodArn, name)
	if err != nil {
		log.Error("refused: method ARN not understood", zap.String("method_arn", req.MethodArn))
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	log.Info("allowed", zap.String("provider", name))
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: name,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version:   "2012-10-17",
			Statement: []events.IAMPolicyStatement{{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{resource}}},
		},
		Context:            map[string]any{"provider": name},
		UsageIdentifierKey: string(key),
	}, nil
}

// sameToken compares digests in constant time, so neither the comparison nor the lengths
// tell a caller how close a guess was.
func sameToken(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// routeArn is the ARN of POST /webhook/{name} on the stage of methodArn
// (arn:aws:execute-api:region:account:api-id/stage/METHOD/path). The policy allows that route
// only, so a cached answer for one provider's token opens no other route.
func routeArn(methodArn, name string) (string, error) {
	parts := strings.SplitN(methodArn, "/", 3)
	if len(parts) < 3 || !strings.HasPrefix(parts[0], "arn:") || parts[1] == "" {
		return "", fmt.Errorf("method ARN %q", methodArn)
	}
	return parts[0] + "/" + parts[1] + "/POST/webhook/" + name, nil
}
