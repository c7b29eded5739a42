package localstack_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

func TestDetectRefusesNonEmulator(t *testing.T) {
	_, err := localstack.Detect(context.Background(), "http://127.0.0.1:1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "detect emulator http://127.0.0.1:1")
}

// TestRoundTrip proves the wiring end to end: identity, then a bucket and an object written and
// read back over HTTP through aws-sdk-go-v2.
func TestRoundTrip(t *testing.T) {
	cfg := emutest.Config(t)
	ctx := context.Background()
	if ep := emutest.Endpoint(); ep != "" {
		if emutest.Flavor() != "" {
			f, err := localstack.Detect(ctx, ep)
			require.NoError(t, err)
			assert.Equal(t, emutest.Flavor(), f)
		}
	}

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Regexp(t, `^\d{12}$`, aws.ToString(id.Account))

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "provisioner-roundtrip-" + emutest.Suffix(t)
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = s3c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("hello.txt")})
		_, _ = s3c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	})
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("hello.txt"), Body: bytes.NewReader([]byte("hello"))})
	require.NoError(t, err)
	got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("hello.txt")})
	require.NoError(t, err)
	body, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(body))
}

func TestRecorderSeesMutations(t *testing.T) {
	cfg := emutest.Config(t)
	var rec emutest.Recorder
	rec.Attach(&cfg)
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "provisioner-recorder-" + emutest.Suffix(t)
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	assert.Equal(t, []string{"S3:CreateBucket", "S3:HeadBucket", "S3:DeleteBucket"}, rec.Calls())
	assert.Equal(t, []string{"S3:CreateBucket", "S3:DeleteBucket"}, rec.Mutating())
}

func TestProcessCPUCountsThisProcess(t *testing.T) {
	before, err := localstack.ProcessCPU(os.Getpid())
	require.NoError(t, err)
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); {
	}
	after, err := localstack.ProcessCPU(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, after, before, "a busy loop uses processor time")
	_, err = localstack.ProcessCPU(1 << 30)
	assert.Error(t, err, "no such process")
}
