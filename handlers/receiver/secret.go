package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// secretSource gives the signing secret stored in the SSM parameter called name.
// *webhook.SecretCache is the one used in Lambda.
type secretSource interface {
	Get(ctx context.Context, name string) ([]byte, error)
}

// staticSecret is the key from WEBHOOK_SECRET, for the legacy route; it ignores the name.
type staticSecret []byte

func (s staticSecret) Get(context.Context, string) ([]byte, error) { return s, nil }

// errKeyUnusable is a secret that was fetched but cannot be a key (an Adyen key not in hex): a
// fault of ours, answered like an unavailable secret so that the provider retries.
var errKeyUnusable = errors.New("signing key unusable")

// verify fetches the provider's secret and checks the header signature of its scheme. Without
// the key nothing can be verified, so nothing is accepted: a failed fetch answers 503 and the
// provider retries. It returns the key for the schemes that sign inside the body (Adyen).
func (h *handler) verify(ctx context.Context, req events.APIGatewayProxyRequest, p providerConfig, body []byte) ([]byte, error) {
	if p.Scheme == schemeNone {
		return nil, nil
	}
	ctx, cancel := webhook.WithinInvocation(ctx, webhook.SafetyMargin)
	defer cancel()
	key, err := h.secrets.Get(ctx, p.SecretParam)
	if err != nil {
		return nil, &requestError{status: http.StatusServiceUnavailable, msg: "signature key unavailable; retry later", cause: err}
	}
	if err := verifyHeader(p, key, req, body, h.now()); err != nil {
		return nil, signatureError(err)
	}
	return key, nil
}

// signatureError answers a refused signature with 401, and an unusable key with 503.
func signatureError(err error) error {
	if errors.Is(err, errKeyUnusable) {
		return &requestError{status: http.StatusServiceUnavailable, msg: "signature key unavailable; retry later", cause: err}
	}
	return &requestError{status: http.StatusUnauthorized, msg: err.Error()}
}
