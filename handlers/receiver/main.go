// Command receiver is the webhook receiver Lambda function (runtime provided.al2023): it answers
// API Gateway REST proxy events, stores each webhook once in the events table, and serves the
// stored events on an internal route. See docs/handlers.md for the API contract.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
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
	log := webhook.NewLogger(logOut, cfg.LogLevel)
	awsCfg, err := webhook.LoadAWSConfig(ctx, log)
	if err != nil {
		return nil, err
	}
	h := &handler{table: cfg.EventsTable, db: dynamodb.NewFromConfig(awsCfg), log: log, now: time.Now}
	switch {
	case cfg.WebhookSecret != "":
		h.secret = staticSecret(cfg.WebhookSecret)
	case cfg.WebhookSecretParam != "":
		h.secret = &ssmSecret{client: ssm.NewFromConfig(awsCfg), name: cfg.WebhookSecretParam}
	}
	return h, nil
}
