// Command authorizer is the API Gateway REQUEST authorizer (runtime provided.al2023) of the
// webhook routes: providers cannot send x-api-key, so it maps the provider of
// POST /webhook/{provider} and the token in the URL's query string to that provider's API key,
// which API Gateway (apiKeySource AUTHORIZER) then counts against the provider's usage plan.
// See docs/handlers.md for the contract.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "authorizer:", err)
		os.Exit(1)
	}
	webhook.Start(h.Handle)
}

func newHandler(ctx context.Context, getenv func(string) string, logOut io.Writer) (*handler, error) {
	providers, err := parseProviders(getenv(EnvProviders))
	if err != nil {
		return nil, err
	}
	ttl, err := webhook.IntEnv(getenv, "SECRET_CACHE_SECONDS", int(webhook.DefaultSecretTTL/time.Second), 1, 3600)
	if err != nil {
		return nil, err
	}
	log := webhook.NewLogger(logOut, getenv(webhook.EnvLogLevel))
	awsCfg, err := webhook.LoadAWSConfig(ctx, log)
	if err != nil {
		return nil, err
	}
	return &handler{
		providers: providers,
		secrets:   &webhook.SecretCache{Client: ssm.NewFromConfig(awsCfg), TTL: time.Duration(ttl) * time.Second},
		log:       log,
	}, nil
}
