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
	"strconv"
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
	maxBody, err := intEnv(getenv, EnvMaxBodyBytes, MaxBodyBytes, 1, maxBodyCeiling)
	if err != nil {
		return nil, err
	}
	ttl, err := intEnv(getenv, EnvSecretCacheSeconds, int(webhook.DefaultSecretTTL/time.Second), 1, 3600)
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

// intEnv reads a whole number between lo and hi from name, def when unset.
func intEnv(getenv func(string) string, name string, def, lo, hi int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("environment variable %s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
