package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type updater func(context.Context, *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)

func (f updater) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return f(ctx, in)
}

func TestTransition(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantMoved bool
		wantErr   string
	}{
		{name: "moved", wantMoved: true},
		{name: "already moved", err: &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}},
		{name: "throttled", err: &types.ProvisionedThroughputExceededException{}, wantErr: "mark event e1 processed: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *dynamodb.UpdateItemInput
			db := updater(func(_ context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				got = in
				return &dynamodb.UpdateItemOutput{}, tt.err
			})
			moved, err := Transition(context.Background(), db, "events", "e1", StatusReceived, StatusProcessed,
				map[string]types.AttributeValue{AttrProcessedAt: S("2026-01-01T00:00:00.000Z"), AttrArchiveKey: S("events/k.json"), "expires_at": N(1767225600)})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMoved, moved)
			assert.Equal(t, "events", aws.ToString(got.TableName))
			assert.Equal(t, map[string]types.AttributeValue{"event_id": &types.AttributeValueMemberS{Value: "e1"}}, got.Key)
			assert.Equal(t, "#status = :from", aws.ToString(got.ConditionExpression))
			assert.Equal(t, "SET #status = :to, #a0 = :a0, #a1 = :a1, #a2 = :a2", aws.ToString(got.UpdateExpression))
			assert.Equal(t, map[string]string{"#status": "status", "#a0": "archive_key", "#a1": "expires_at", "#a2": "processed_at"}, got.ExpressionAttributeNames)
			assert.Equal(t, map[string]types.AttributeValue{
				":from": &types.AttributeValueMemberS{Value: "received"},
				":to":   &types.AttributeValueMemberS{Value: "processed"},
				":a0":   &types.AttributeValueMemberS{Value: "events/k.json"},
				":a1":   &types.AttributeValueMemberN{Value: "1767225600"},
				":a2":   &types.AttributeValueMemberS{Value: "2026-01-01T00:00:00.000Z"},
			}, got.ExpressionAttributeValues)
		})
	}
}

type putter func(context.Context, *s3.PutObjectInput) (*s3.PutObjectOutput, error)

func (f putter) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return f(ctx, in)
}

func TestPutJSONOnce(t *testing.T) {
	var got *s3.PutObjectInput
	var body []byte
	ok := putter(func(_ context.Context, in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
		got = in
		body, _ = io.ReadAll(in.Body)
		return &s3.PutObjectOutput{}, nil
	})
	written, err := PutJSONOnce(context.Background(), ok, "b", "events/k.json", []byte(`{"a":1}`), map[string]string{"event-id": "e"})
	require.NoError(t, err)
	assert.True(t, written)
	assert.Equal(t, "b", aws.ToString(got.Bucket))
	assert.Equal(t, "events/k.json", aws.ToString(got.Key))
	assert.Equal(t, "*", aws.ToString(got.IfNoneMatch), "the write is conditional")
	assert.Equal(t, "application/json", aws.ToString(got.ContentType))
	assert.Equal(t, int64(7), aws.ToInt64(got.ContentLength))
	assert.Equal(t, `{"a":1}`, string(body))
	assert.Equal(t, map[string]string{"event-id": "e"}, got.Metadata)

	// S3's answer to If-None-Match on an existing key, as the SDK surfaces it.
	precondition := &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 412}},
		Err:      &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"},
	}
	for _, e := range []error{precondition, &smithy.GenericAPIError{Code: "PreconditionFailed"}} {
		written, err = PutJSONOnce(context.Background(), putter(func(context.Context, *s3.PutObjectInput) (*s3.PutObjectOutput, error) { return nil, e }), "b", "k", nil, nil)
		assert.NoError(t, err)
		assert.False(t, written, "already archived")
	}

	boom := errors.New("boom")
	failing := putter(func(context.Context, *s3.PutObjectInput) (*s3.PutObjectOutput, error) { return nil, boom })
	_, err = PutJSONOnce(context.Background(), failing, "b", "k", nil, nil)
	assert.ErrorIs(t, err, boom)
	assert.EqualError(t, err, "archive s3://b/k: boom")
	conflict := &smithy.GenericAPIError{Code: "ConditionalRequestConflict"}
	_, err = PutJSONOnce(context.Background(), putter(func(context.Context, *s3.PutObjectInput) (*s3.PutObjectOutput, error) { return nil, conflict }), "b", "k", nil, nil)
	assert.ErrorIs(t, err, conflict, "a racing conditional write is retried, not taken as done")
}

func TestTransient(t *testing.T) {
	httpErr := func(status int) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("x")}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"throughput exceeded", &types.ProvisionedThroughputExceededException{}, true},
		{"request limit", &types.RequestLimitExceeded{}, true},
		{"throttling code", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"internal server error", &types.InternalServerError{}, true},
		{"HTTP 503", httpErr(503), true},
		{"HTTP 500 wrapped", fmt.Errorf("put: %w", httpErr(500)), true},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"conditional check", &types.ConditionalCheckFailedException{}, false},
		{"validation", &smithy.GenericAPIError{Code: "ValidationException", Fault: smithy.FaultClient}, false},
		{"not found", &types.ResourceNotFoundException{}, false},
		{"canceled", context.Canceled, false},
		{"HTTP 400", httpErr(400), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Transient(tt.err))
		})
	}
}
