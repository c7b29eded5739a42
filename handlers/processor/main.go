// Command processor is the Lambda function (runtime provided.al2023) on the events table's
// stream: it archives each newly received event to S3 and marks it processed. See
// docs/handlers.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "processor:", err)
		os.Exit(1)
	}
	webhook.Start(h.Handle)
}

func newHandler(ctx context.Context, getenv func(string) string, logOut io.Writer) (*handler, error) {
	cfg := webhook.FromEnv(getenv)
	if err := cfg.Require(webhook.EnvEventsTable, webhook.EnvArchiveBucket); err != nil {
		return nil, err
	}
	concurrency, err := webhook.IntEnv(getenv, webhook.EnvBatchConcurrency, webhook.DefaultConcurrency, 1, 100)
	if err != nil {
		return nil, err
	}
	ttlDays, err := webhook.IntEnv(getenv, webhook.EnvEventTTLDays, webhook.DefaultEventTTLDays, 0, 3650)
	if err != nil {
		return nil, err
	}
	ttlAttr := getenv(webhook.EnvEventTTLAttribute)
	if ttlAttr == "" {
		ttlAttr = webhook.DefaultEventTTLAttribute
	}
	log := webhook.NewLogger(logOut, cfg.LogLevel)
	awsCfg, err := webhook.LoadAWSConfig(ctx, log)
	if err != nil {
		return nil, err
	}
	return &handler{
		table:       cfg.EventsTable,
		bucket:      cfg.ArchiveBucket,
		db:          dynamodb.NewFromConfig(awsCfg),
		s3:          webhook.NewS3Client(awsCfg),
		concurrency: concurrency,
		ttl:         time.Duration(ttlDays) * 24 * time.Hour,
		ttlAttr:     ttlAttr,
		log:         log,
		now:         time.Now,
	}, nil
}
