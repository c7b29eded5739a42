package kinds

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
)

// Tests of eventual consistency: reads that miss a resource just created, as AWS's services
// do for a moment after the create (the fault harness's notfound=N does it on the emulator).

// missing makes fn answer err to its first n calls, the way a fresh resource is missed.
func missing[I, O any](n int, err error, fn func(I) (O, error)) func(I) (O, error) {
	var mu sync.Mutex
	return func(in I) (O, error) {
		mu.Lock()
		n--
		miss := n >= 0
		mu.Unlock()
		if miss {
			var zero O
			return zero, err
		}
		return fn(in)
	}
}

// reports returns a ctx whose reconcile.Report lines are collected in *lines.
func reports(t *testing.T) (context.Context, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var lines []string
	ctx := reconcile.WithReporter(context.Background(), func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, msg)
	})
	return ctx, &lines
}

// assertWaited checks that a wait reported progress naming what it waited for.
func assertWaited(t *testing.T, lines []string, what string) {
	t.Helper()
	require.NotEmpty(t, lines, "a wait reports its progress")
	assert.Contains(t, lines[0], "waiting for "+what)
	assert.Contains(t, lines[0], "so far)")
}

func TestDynamoDBTableCreateWaitsForTheFreshTable(t *testing.T) {
	p := ddbProps0()
	p.PointInTimeRecovery = true
	p.TTLAttribute = "expires_at"
	d := ddbDesired(p)
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		return &dynamodb.CreateTableOutput{}, nil
	}
	gone := &types.ResourceNotFoundException{Message: ptr("Requested resource not found: Table: shop-events-dev not found")}
	f.describeTable = missing(2, error(gone), f.describeTable)
	f.describeContinuousBackups = missing(2, error(&types.TableNotFoundException{Message: ptr("Table not found: shop-events-dev")}), f.describeContinuousBackups)
	f.describeTimeToLive = missing(1, error(gone), f.describeTimeToLive)

	ctx, lines := reports(t)
	r, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, 1, f.count("CreateTable"), "a miss is waited out, never answered by a second create")
	assert.Equal(t, "shop-events-dev", r.ID)
	assertWaited(t, *lines, "dynamodb table shop-events-dev to be visible")
}

func ptr[T any](v T) *T { return &v }

// afterCreate makes fn answer err to its first n calls once *created is set, so that the
// lookup before a create still sees the truth.
func afterCreate[I, O any](created *bool, n int, err error, fn func(I) (O, error)) func(I) (O, error) {
	miss := missing(n, err, fn)
	return func(in I) (O, error) {
		if *created {
			return miss(in)
		}
		return fn(in)
	}
}

func TestLambdaFunctionCreateWaitsForTheFreshFunction(t *testing.T) {
	f := fnMemLambda(map[string]*fnMem{})
	created := false
	create := f.createFunction
	f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
		created = true
		return create(in)
	}
	gone := fnAPIErr(fnNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:receiver-dev")
	f.getFunctionConfiguration = afterCreate(&created, 2, gone, f.getFunctionConfiguration)

	ctx, lines := reports(t)
	r, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(ctx, desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()))
	require.NoError(t, err)
	assert.Equal(t, 1, f.calls.count("CreateFunction"))
	assert.Equal(t, "receiver-dev", r.ID)
	assertWaited(t, *lines, "lambda function receiver-dev to be visible")
}

func TestRestAPICreateWaitsForTheFreshAPI(t *testing.T) {
	apis := map[string]*memRest{}
	f := memRestAPI(apis)
	created := false
	create := f.createRestApi
	f.createRestApi = func(in *apigateway.CreateRestApiInput) (*apigateway.CreateRestApiOutput, error) {
		created = true
		return create(in)
	}
	f.getRestApi = afterCreate(&created, 2, miscAPIErr("NotFoundException"), f.getRestApi)

	ctx, lines := reports(t)
	d := desired(miscOwner("api"), "api-dev", restUnitProps())
	got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, 1, f.calls.count("CreateRestApi"))
	assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
	assertWaited(t, *lines, "api gateway rest api api-dev to be visible")
}

func TestUsagePlanCreateWaitsForTheFreshPlan(t *testing.T) {
	o := miscOwner("plan")
	f := &fakeAPIGW{getUsagePlanKeys: planKeys("k1", "k2")}
	f.getUsagePlans = func(*apigateway.GetUsagePlansInput) (*apigateway.GetUsagePlansOutput, error) {
		return &apigateway.GetUsagePlansOutput{}, nil
	}
	f.createUsagePlan = func(*apigateway.CreateUsagePlanInput) (*apigateway.CreateUsagePlanOutput, error) {
		return &apigateway.CreateUsagePlanOutput{Id: aws.String("p9")}, nil
	}
	f.createUsagePlanKey = func(*apigateway.CreateUsagePlanKeyInput) (*apigateway.CreateUsagePlanKeyOutput, error) {
		return &apigateway.CreateUsagePlanKeyOutput{}, nil
	}
	f.getUsagePlan = missing(2, miscAPIErr("NotFoundException"), func(*apigateway.GetUsagePlanInput) (*apigateway.GetUsagePlanOutput, error) {
		p := planItem("p9", "plan-dev", apigwOwnedTags(o))
		return &apigateway.GetUsagePlanOutput{Id: p.Id, Name: p.Name, Description: p.Description, ApiStages: p.ApiStages,
			Throttle: p.Throttle, Quota: p.Quota, Tags: p.Tags}, nil
	})

	ctx, lines := reports(t)
	got, err := tk[spec.UsagePlan](unitUsagePlan(f)).Create(ctx, desired(o, "plan-dev", planProps()))
	require.NoError(t, err)
	assert.Equal(t, "p9", got.ID)
	assert.Equal(t, 1, f.calls.count("CreateUsagePlan"))
	assertWaited(t, *lines, "api gateway usage plan plan-dev to be visible")
}
