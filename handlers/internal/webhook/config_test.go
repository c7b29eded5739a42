package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestConfigRequire(t *testing.T) {
	env := map[string]string{EnvEventsTable: "events", EnvLogLevel: "debug"}
	c := FromEnv(func(k string) string { return env[k] })
	assert.Equal(t, Config{EventsTable: "events", LogLevel: "debug"}, c)
	assert.NoError(t, c.Require(EnvEventsTable))
	err := c.Require(EnvEventsTable, EnvArchiveBucket, EnvWebhookSecretParam)
	assert.EqualError(t, err, "environment variable ARCHIVE_BUCKET is not set\nenvironment variable WEBHOOK_SECRET_PARAM is not set")
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		level     string
		wantLines int // lines written by one Debug and one Info call, plus any warning
		wantWarn  bool
	}{
		{"", 1, false},
		{"debug", 2, false},
		{"error", 0, false},
		{"loud", 2, true}, // the warning, then Info
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			log := NewLogger(&buf, tt.level)
			log.Debug("d")
			log.Info("i")
			lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
			if buf.Len() == 0 {
				lines = nil
			}
			require.Len(t, lines, tt.wantLines)
			for _, l := range lines {
				var m map[string]any
				require.NoError(t, json.Unmarshal(l, &m), "not JSON: %s", l)
				assert.Contains(t, m, "time")
			}
			if tt.wantWarn {
				assert.Contains(t, string(lines[0]), `"level":"warn"`)
			}
		})
	}
}

func TestWithRequest(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	WithRequest(ctx, zap.New(core)).Info("x")
	WithRequest(context.Background(), zap.New(core)).Info("y")
	require.Equal(t, 2, logs.Len())
	assert.Equal(t, "req-1", logs.All()[0].ContextMap()["aws_request_id"])
	assert.NotContains(t, logs.All()[1].ContextMap(), "aws_request_id")
}

func TestNewS3ClientPathStyle(t *testing.T) {
	assert.True(t, NewS3Client(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1")}).Options().UsePathStyle)
	assert.False(t, NewS3Client(aws.Config{Region: "us-east-1"}).Options().UsePathStyle)
}
