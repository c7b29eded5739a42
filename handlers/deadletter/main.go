// Command deadletter is the Lambda function (runtime provided.al2023) on the SQS queue that
// the stream mapping's on-failure destination writes to: it archives every failure notice to
// S3 and marks the events the failed batch held as failed. See docs/handlers.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "deadletter:", err)
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
		streams:     dynamodbstreams.NewFromConfig(awsCfg),
		concurrency: concurrency,
		log:         log,
		now:         time.Now,
	}, nil
}
