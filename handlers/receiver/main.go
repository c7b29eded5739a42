// Command receiver is the webhook receiver Lambda function (runtime provided.al2023): it answers
// API Gateway REST proxy events, verifies each provider's signature, stores each event once in
// the events table, and serves the stored events on an internal route. See docs/handlers.md for
// the API contract and the WEBHOOK_PROVIDERS configuration.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// Environment variables only the receiver reads.
const (
	EnvMaxBodyBytes       = "MAX_BODY_BYTES"
	EnvSecretCacheSeconds = "SECRET_CACHE_SECONDS"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(1)
	}
	webhook.Start(h.Handle)
}

// newHandler wires the handler from the environment. Configuration errors stop the cold start,
// so a misconfigured function fails visibly on its first invocation instead of answering.
func newHandler(ctx context.Context, getenv func(string) string, logOut io.Writer) (*handler, error) {
	cfg := webhook.FromEnv(getenv)
	if err := cfg.Require(webhook.EnvEventsTable); err != nil {
		return nil, err
	}
	if cfg.WebhookSecret != "" && cfg.WebhookSecretParam != "" {
		return nil, errors.New("set one of WEBHOOK_SECRET and WEBHOOK_SECRET_PARAM, not both")
	}
	maxBody, err := webhook.IntEnv(getenv, EnvMaxBodyBytes, MaxBodyBytes, 1, maxBodyCeiling)
	if err != nil {
		return nil, err
	}
	ttl, err := webhook.IntEnv(getenv, EnvSecretCacheSeconds, int(webhook.DefaultSecretTTL/time.Second), 1, 3600)
	if err != nil {
		return nil, err
	}
	log := webhook.NewLogger(logOut, cfg.LogLevel)
	awsCfg, err := webhook.LoadAWSConfig(ctx, log)
	if err != nil {
		return nil, err
	}
	h := &handler{table: cfg.EventsTable, db: dynamodb.NewFromConfig(awsCfg), maxBody: maxBody, log: log, now: time.Now}
	h.secrets = &webhook.SecretCache{Client: ssm.NewFromConfig(awsCfg), TTL: time.Duration(ttl) * time.Second}
	if raw := getenv(EnvProviders); raw != "" {
		if h.providers, err = parseProviders(raw); err != nil {
			return nil, err
		}
		return h, nil
	}
	h.legacy = legacyProvider(cfg)
	if cfg.WebhookSecret != "" {
		h.secrets = staticSecret(cfg.WebhookSecret)
	}
	return h, nil
}

// legacyProvider is POST /webhook as it was before providers were configured: the generic
// format, X-Webhook-Provider naming the provider, and X-Webhook-Signature checked when a secret
// is configured. It is served only while WEBHOOK_PROVIDERS is unset.
func legacyProvider(cfg webhook.Config) *providerConfig {
	p := &providerConfig{Scheme: schemeNone, Format: formatGeneric}
	if cfg.WebhookSecret != "" || cfg.WebhookSecretParam != "" {
		p.Scheme, p.Header, p.Prefix, p.SecretParam = schemeHexHMAC, headerSignature, "sha256=", cfg.WebhookSecretParam
	}
	return p
}
