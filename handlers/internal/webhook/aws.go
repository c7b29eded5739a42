package webhook

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.uber.org/zap"
)

// LoadAWSConfig loads the SDK configuration from the standard chain (in Lambda: the function's
// role, AWS_REGION; AWS_ENDPOINT_URL where set, for emulators) and instruments it for
// OpenTelemetry, so that every client made from it records its calls as spans of the
// invocation.
func LoadAWSConfig(ctx context.Context, log *zap.Logger) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	Instrument(ctx, &cfg, log)
	return cfg, nil
}

// NewS3Client makes an S3 client from cfg. With a custom endpoint (an emulator) it addresses
// buckets by path: a bucket subdomain of localhost may not resolve, and emulators serve path
// style everywhere.
func NewS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if cfg.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}
