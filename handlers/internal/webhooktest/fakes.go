// Package webhooktest holds what the handlers' tests share: hand-written fakes of the narrow
// AWS interfaces (function fields, so each test case says what AWS answers) and helpers that
// create real tables, buckets and queues for integration tests and remove them afterwards.
//
// Only _test files import it. It takes an aws.Config rather than importing the emulator
// helper, so it stays free of the rest of the provisioner like the handlers themselves.
package webhooktest

import (
	"context"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

// DynamoDB fakes the DynamoDB calls the handlers make. A nil function field panics when
// called, so a test notices a call it did not expect.
type DynamoDB struct {
	PutItemFunc    func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	GetItemFunc    func(context.Context, *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	UpdateItemFunc func(context.Context, *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
}

func (f *DynamoDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return f.PutItemFunc(ctx, in)
}

func (f *DynamoDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return f.GetItemFunc(ctx, in)
}

func (f *DynamoDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return f.UpdateItemFunc(ctx, in)
}

// S3 fakes PutObject.
type S3 struct {
	PutObjectFunc func(ctx context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error)
}

// PutObject reads the body before calling PutObjectFunc, as the real client would send it.
func (f *S3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	return f.PutObjectFunc(ctx, in, body)
}

// SSM fakes GetParameter.
type SSM struct {
	GetParameterFunc func(context.Context, *ssm.GetParameterInput) (*ssm.GetParameterOutput, error)
}

func (f *SSM) GetParameter(ctx context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	return f.GetParameterFunc(ctx, in)
}

// Streams fakes the DynamoDB Streams reads of the dead-letter handler.
type Streams struct {
	GetShardIteratorFunc func(context.Context, *dynamodbstreams.GetShardIteratorInput) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecordsFunc       func(context.Context, *dynamodbstreams.GetRecordsInput) (*dynamodbstreams.GetRecordsOutput, error)
}

func (f *Streams) GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	return f.GetShardIteratorFunc(ctx, in)
}

func (f *Streams) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	return f.GetRecordsFunc(ctx, in)
}

// Objects records the S3 objects written through a fake, by key.
type Objects struct {
	mu    sync.Mutex
	byKey map[string][]byte
	puts  int
}

// Put is a PutObjectFunc that records the object. Like S3, it refuses a write with
// If-None-Match: * to a key that holds an object, with 412 PreconditionFailed.
func (o *Objects) Put(_ context.Context, in *s3.PutObjectInput, body []byte) (*s3.PutObjectOutput, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.byKey == nil {
		o.byKey = map[string][]byte{}
	}
	o.puts++
	if _, ok := o.byKey[aws.ToString(in.Key)]; ok && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold", Fault: smithy.FaultClient}
	}
	o.byKey[aws.ToString(in.Key)] = body
	return &s3.PutObjectOutput{}, nil
}

// Get returns the object stored under key.
func (o *Objects) Get(key string) ([]byte, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.byKey[key]
	return b, ok
}

// Keys returns the keys written so far, sorted.
func (o *Objects) Keys() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Sorted(maps.Keys(o.byKey))
}

// Puts counts the PutObject calls, overwrites included.
func (o *Objects) Puts() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.puts
}
