package webhook_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
)

// TestTracing: an invocation under Lambda's X-Ray trace header becomes a span of that trace,
// the AWS call it makes a child span named Service.Operation, and both reach the OTLP
// endpoint by the time the invocation returns (the flush). It is one test because the
// process has one tracer provider.
func TestTracing(t *testing.T) {
	sink := &webhooktest.OTLPSink{}
	collector := httptest.NewServer(sink)
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")

	dynamo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Contains(t, r.Header.Get("X-Amzn-Trace-Id"), "Root=1-5759e988-bd862e3fe1be46a994272793", "the trace goes on to AWS")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"TableNames":["t1"]}`))
	}))
	defer dynamo.Close()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(dynamo.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	webhook.Instrument(context.Background(), &cfg, zap.NewNop())
	db := dynamodb.NewFromConfig(cfg)

	handler := webhook.Wrap(func(ctx context.Context, _ map[string]any) (string, error) {
		out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil {
			return "", err
		}
		return out.TableNames[0], nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	answer, err := lambda.NewHandler(handler).Invoke(ctx, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, `"t1"`, string(answer))

	call := sink.ByName("DynamoDB.ListTables")
	require.NotNil(t, call, "the AWS call's span was exported before the invocation returned")
	assert.Equal(t, "5759e988bd862e3fe1be46a994272793", hex.EncodeToString(call.TraceId), "the span is in Lambda's trace")
	invocation := sink.ByID(call.ParentSpanId)
	require.NotNil(t, invocation, "the call's parent is the invocation span")
	assert.Equal(t, "53995c3f42cd8ad8", hex.EncodeToString(invocation.ParentSpanId), "the invocation hangs under Lambda's segment")
}
