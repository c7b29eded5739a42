package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// secretSource gives the HMAC key webhooks are signed with.
type secretSource interface {
	Secret(ctx context.Context) ([]byte, error)
}

// staticSecret is a key from WEBHOOK_SECRET.
type staticSecret []byte

func (s staticSecret) Secret(context.Context) ([]byte, error) { return s, nil }

// parameterGetter is what the receiver needs of SSM.
type parameterGetter interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// ssmSecret is a key from a SecureString parameter, fetched on first use and kept for the life
// of the execution environment. A failed fetch is not cached, so the next request tries again;
// the lock makes concurrent first requests share one fetch.
type ssmSecret struct {
	client parameterGetter
	name   string

	mu    sync.Mutex
	value []byte
}

func (s *ssmSecret) Secret(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value != nil {
		return s.value, nil
	}
	out, err := s.client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(s.name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get parameter %s: %w", s.name, err)
	}
	if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
		return nil, fmt.Errorf("get parameter %s: empty value", s.name)
	}
	s.value = []byte(aws.ToString(out.Parameter.Value))
	return s.value, nil
}

// verify checks X-Webhook-Signature (sha256=<hex HMAC-SHA256 of the body>) when a secret is
// configured. Without the key nothing can be verified, so nothing is accepted: a failed secret
// fetch answers 503 and the provider retries.
func (h *handler) verify(ctx context.Context, req events.APIGatewayProxyRequest, body []byte) error {
	if h.secret == nil {
		return nil
	}
	key, err := h.secret.Secret(ctx)
	if err != nil {
		return &requestError{status: http.StatusServiceUnavailable, msg: "signature key unavailable; retry later", cause: err}
	}
	sig := header(req, headerSignature)
	if sig == "" {
		return &requestError{status: http.StatusUnauthorized, msg: "missing " + headerSignature}
	}
	if !validSignature(key, body, sig) {
		return &requestError{status: http.StatusUnauthorized, msg: "signature does not match"}
	}
	return nil
}

// validSignature compares in constant time, so the comparison leaks nothing about how much of a
// forged signature was right.
func validSignature(key, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
