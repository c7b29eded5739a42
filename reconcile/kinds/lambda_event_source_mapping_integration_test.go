package kinds

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// esmWorld is what a mapping needs around it in the emulator: two functions, two queues and a
// table with a stream, all named after one test suffix and removed after the test.
type esmWorld struct {
	lambda     *lambda.Client
	kind       *EventSourceMapping
	suffix     string
	fnA, fnB   string // function names
	fnAArn     string
	queue, dlq string // queue ARNs
	stream     string // the table's stream ARN
}

func newESMWorld(t *testing.T) *esmWorld {
	t.Helper()
	cfg := emuConfig(t)
	w := &esmWorld{lambda: lambda.NewFromConfig(cfg), suffix: emutest.Suffix(t)}
	w.kind = NewEventSourceMapping(w.lambda)
	role := esmTestRole(t, iam.NewFromConfig(cfg), "esm-role-"+w.suffix)
	w.fnA, w.fnAArn = esmTestFunction(t, w.lambda, "esm-a-"+w.suffix, role)
	w.fnB, _ = esmTestFunction(t, w.lambda, "esm-b-"+w.suffix, role)
	sqsc := sqs.NewFromConfig(cfg)
	w.queue = esmTestQueue(t, sqsc, "esm-q-"+w.suffix)
	w.dlq = esmTestQueue(t, sqsc, "esm-dlq-"+w.suffix)
	w.stream = esmTestStream(t, dynamodb.NewFromConfig(cfg), "esm-t-"+w.suffix)
	return w
}

func esmTestRole(t *testing.T, c *iam.Client, name string) string {
	return emutest.Role(t, c, name, "lambda.amazonaws.com")
}

// esmTestFunction creates a function whose code is never run (the emulator does not invoke
// it for these tests).
func esmTestFunction(t *testing.T, c *lambda.Client, name, role string) (string, string) {
	ctx := context.Background()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("bootstrap")
	require.NoError(t, err)
	_, err = f.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	out, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = c.DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	})
	return name, aws.ToString(out.FunctionArn)
}

func esmTestQueue(t *testing.T, c *sqs.Client, name string) string {
	ctx := context.Background()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}) })
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	return a.Attributes["QueueArn"]
}

func esmTestStream(t *testing.T, c *dynamodb.Client, name string) string {
	ctx := context.Background()
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return aws.ToString(out.TableDescription.LatestStreamArn)
}

func (w *esmWorld) queueMapping() *spec.EventSourceMapping {
	p := esmDefaults()
	p.Function, p.Source, p.BatchSize = w.fnAArn, w.queue, 10
	return p
}

func TestEventSourceMappingLifecycleQueue(t *testing.T) {
	w := newESMWorld(t)
	o := state.Owner{Stack: "kindtest", Suffix: w.suffix, ID: "jobs-mapping"}
	d := desired(o, "kindtest-jobs-mapping-"+w.suffix, w.queueMapping())
	checkLifecycle(t, tk[spec.EventSourceMapping](w.kind), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.EventSourceMapping)
		p.Function = w.fnB // another function, by name
		p.BatchSize = 5
		p.MaximumBatchingWindowSecs = 20
		p.ReportBatchItemFailures = true
		p.Enabled = false
		d.Props = &p
		return d
	})
}

func TestEventSourceMappingLifecycleStream(t *testing.T) {
	w := newESMWorld(t)
	o := state.Owner{Stack: "kindtest", Suffix: w.suffix, ID: "events-stream"}
	p := esmDefaults()
	p.Function, p.Source, p.StartingPosition = w.fnA, w.stream, "LATEST"
	p.MaximumRetryAttempts, p.BisectBatchOnFunctionError, p.ReportBatchItemFailures, p.OnFailure = 3, true, true, w.dlq
	d := desired(o, "kindtest-events-stream-"+w.suffix, p)
	checkLifecycle(t, tk[spec.EventSourceMapping](w.kind), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.EventSourceMapping)
		p.MaximumRetryAttempts = -1
		p.MaximumRecordAgeSeconds = 3600
		p.BisectBatchOnFunctionError = false
		p.OnFailure = ""
		p.BatchSize = 500
		d.Props = &p
		return d
	})
}

// A mapping from the same source to the same function without our tags is refused and left
// alone; another suffix's selector does not see ours. moto 5.2.5 accepts a second mapping for
// one SQS queue and function (AWS answers ResourceConflictException), so the refusal here comes
// from Create's look-up, which runs before CreateEventSourceMapping on every endpoint.
func TestEventSourceMappingRefusesUntaggedAndListsBySuffix(t *testing.T) {
	w := newESMWorld(t)
	ctx := context.Background()
	foreign, err := w.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(w.fnA), EventSourceArn: aws.String(w.queue), BatchSize: aws.Int32(7),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = w.lambda.DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: foreign.UUID})
	})

	o := state.Owner{Stack: "kindtest", Suffix: w.suffix, ID: "jobs-mapping"}
	_, err = tk[spec.EventSourceMapping](w.kind).Create(ctx, desired(o, "jobs-"+w.suffix, w.queueMapping()))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Contains(t, err.Error(), aws.ToString(foreign.UUID))
	got, err := w.lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: foreign.UUID})
	require.NoError(t, err)
	assert.Equal(t, int32(7), aws.ToInt32(got.BatchSize), "the foreign mapping is not changed")
	tags, err := w.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: got.EventSourceMappingArn})
	require.NoError(t, err)
	assert.Empty(t, tags.Tags, "the foreign mapping is not tagged")

	ours, err := tk[spec.EventSourceMapping](w.kind).Create(ctx, desired(o, "dlq-"+w.suffix, func() *spec.EventSourceMapping {
		p := w.queueMapping()
		p.Source = w.dlq
		return p
	}()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.kind.Delete(context.Background(), ours) })
	assert.Equal(t, ours.ID, ours.Attrs["id"])
	assert.Contains(t, ours.Attrs["arn"], ":event-source-mapping:"+ours.ID)
	assert.Equal(t, "dlq-"+w.suffix, ours.Name, "the spec's name comes back from the Name tag")
	other, err := w.kind.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")
	mine, err := w.kind.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1, "the untagged mapping is not listed")
	assert.Equal(t, ours.ID, mine[0].ID)
	assert.Equal(t, ours.Name, mine[0].Name)
}

// The stream's capacity settings round-trip: created as the spec says, changed by hand
// through the SDK, caught by the diff, put back by Update.
func TestEventSourceMappingStreamCapacityDrift(t *testing.T) {
	w := newESMWorld(t)
	o := state.Owner{Stack: "kindtest", Suffix: w.suffix, ID: "processor-stream"}
	p := esmDefaults()
	p.Function, p.Source, p.StartingPosition = w.fnA, w.stream, "TRIM_HORIZON"
	p.ParallelizationFactor, p.MaximumBatchingWindowSecs, p.BatchSize = 2, 1, 100
	d := desired(o, "kindtest-processor-stream-"+w.suffix, p)
	checkDriftRepair(t, tk[spec.EventSourceMapping](w.kind), d, func(live state.Resource) {
		_, err := w.lambda.UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{
			UUID: aws.String(live.ID), ParallelizationFactor: aws.Int32(7), MaximumBatchingWindowInSeconds: aws.Int32(30), BatchSize: aws.Int32(10)})
		require.NoError(t, err)
	}, "parallelization_factor", "maximum_batching_window_seconds", "batch_size")
}
