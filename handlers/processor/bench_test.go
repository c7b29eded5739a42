package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

// BenchmarkProcessorBatch is one invocation with a batch of 100 new events, each archived to
// S3 and marked in DynamoDB with AWS-like service times, at several concurrency bounds.
// events/s/execution is the throughput of one concurrent execution, which is what one stream
// shard gets per unit of the mapping's parallelization factor.
func BenchmarkProcessorBatch(b *testing.B) {
	const batchSize = 100
	records := make([]events.DynamoDBEventRecord, batchSize)
	for i := range records {
		records[i] = record(events.DynamoDBOperationTypeInsert, strconv.Itoa(1000+i), event("evt_"+strconv.Itoa(i)))
	}
	batch := events.DynamoDBEvent{Records: records}
	for _, c := range []int{1, 10, 25, 50} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			h := &handler{
				table: "events", bucket: "archive", concurrency: c, ttl: 30 * 24 * time.Hour, ttlAttr: "expires_at",
				db: &webhooktest.DynamoDB{UpdateItemFunc: func(ctx context.Context, _ *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
					return &dynamodb.UpdateItemOutput{}, webhooktest.Wait(ctx, webhooktest.DynamoDBLatency)
				}},
				s3: &webhooktest.S3{PutObjectFunc: func(ctx context.Context, _ *s3.PutObjectInput, _ []byte) (*s3.PutObjectOutput, error) {
					return &s3.PutObjectOutput{}, webhooktest.Wait(ctx, webhooktest.S3Latency)
				}},
				log: webhook.NewLogger(io.Discard, "info"), now: time.Now,
			}
			ctx := context.Background()
			start := time.Now()
			for b.Loop() {
				resp, _ := h.Handle(ctx, batch)
				if len(resp.BatchItemFailures) > 0 {
					b.Fatalf("failures: %v", resp.BatchItemFailures)
				}
			}
			b.ReportMetric(float64(b.N*batchSize)/time.Since(start).Seconds(), "events/s/execution")
		})
	}
}
