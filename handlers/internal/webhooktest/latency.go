package webhooktest

import (
	"context"
	"time"

	"github.com/provisioner-dev/provisioner/localstack"
)

// AWS-like service times for benchmarks (medians seen from Lambda in the same region): a
// DynamoDB single-item write a few milliseconds, an S3 PUT of a small object tens.
const (
	DynamoDBLatency = 5 * time.Millisecond
	S3Latency       = 30 * time.Millisecond
)

// Wait stands for a call's service time: it returns after d, or when ctx ends.
func Wait(ctx context.Context, d time.Duration) error { return localstack.Sleep(ctx, d) }
