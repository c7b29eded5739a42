package faults

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Options
		wantErr string
	}{
		{"throttle=0.2,drop=0.05,seed=1", Options{Throttle: 0.2, Drop: 0.05, Seed: 1}, ""},
		{" notfound=2 , drop_timeout=true ", Options{NotFound: 2, DropTimeout: true}, ""},
		{"stale_index=true", Options{StaleIndex: true}, ""},
		{"", Options{}, ""},
		{"throttle=1.5", Options{}, `faults "throttle=1.5": a rate is from 0 to 1, found 1.5`},
		{"slow=1", Options{}, `faults "slow=1": unknown fault (want throttle, drop, drop_timeout, notfound, stale_index or seed)`},
		{"seed=x", Options{}, `faults "seed=x": strconv.ParseUint: parsing "x": invalid syntax`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// config is the emulator's config with the faults of o and a retryer of attempts tries that
// does not sleep between them.
func config(t *testing.T, o Options, attempts int) (aws.Config, *Transport) {
	cfg := emutest.Config(t)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.RateLimiter = ratelimit.None
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	tr := New(nil, o)
	tr.Install(&cfg)
	return cfg, tr
}

// probes is one read per service the provisioner talks to.
func probes(cfg aws.Config) map[string]func(context.Context) error {
	cw := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) })
	return map[string]func(context.Context) error{
		"DynamoDB": func(ctx context.Context) error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		},
		"SQS": func(ctx context.Context) error {
			_, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		},
		"SSM": func(ctx context.Context) error {
			_, err := ssm.NewFromConfig(cfg).DescribeParameters(ctx, &ssm.DescribeParametersInput{})
			return err
		},
		"CloudWatch Logs": func(ctx context.Context) error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			return err
		},
		"IAM": func(ctx context.Context) error {
			_, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		},
		"STS": func(ctx context.Context) error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
		"CloudWatch": func(ctx context.Context) error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
			return err
		},
		"EC2": func(ctx context.Context) error {
			_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		},
		"API Gateway": func(ctx context.Context) error {
			_, err := apigateway.NewFromConfig(cfg).GetRestApis(ctx, &apigateway.GetRestApisInput{})
			return err
		},
		"Lambda": func(ctx context.Context) error {
			_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
			return err
		},
		"S3": func(ctx context.Context) error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		},
	}
}

// TestThrottleShapes throttles every call: each service's SDK client decodes the answer into
// the code that service uses, and its retryer retries it as a throttle, to the last attempt.
func TestThrottleShapes(t *testing.T) {
	want := map[string]string{
		"DynamoDB": "ThrottlingException", "SQS": "ThrottlingException", "SSM": "ThrottlingException",
		"CloudWatch Logs": "ThrottlingException", "IAM": "Throttling", "STS": "Throttling", "CloudWatch": "Throttling",
		"EC2": "RequestLimitExceeded", "API Gateway": "TooManyRequestsException", "Lambda": "TooManyRequestsException",
		"S3": "SlowDown",
	}
	cfg, tr := config(t, Options{Throttle: 1}, 3)
	for service, call := range probes(cfg) {
		t.Run(service, func(t *testing.T) {
			before := tr.Counts().Throttled
			err := call(context.Background())
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, want[service], apiErr.ErrorCode())
			assert.Equal(t, aws.TrueTernary, retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err), "a throttle to the SDK")
			assert.Equal(t, 3, tr.Counts().Throttled-before, "the SDK tried 3 times")
		})
	}
	t.Run("answers come through between throttles", func(t *testing.T) {
		cfg, tr := config(t, Options{Throttle: 0.5, Seed: 7}, 10)
		for service, call := range probes(cfg) {
			require.NoError(t, call(context.Background()), service)
		}
		assert.Positive(t, tr.Counts().Throttled)
		assert.Greater(t, tr.Counts().Calls, tr.Counts().Throttled)
	})
}

// TestDroppedAnswer: the create reaches the emulator and the client sees a reset (or a
// timeout), which the SDK's retryer would send again.
func TestDroppedAnswer(t *testing.T) {
	for _, timeout := range []bool{false, true} {
		cfg, tr := config(t, Options{Drop: 1, DropTimeout: timeout}, 1)
		name := emutest.Suffix(t) + "-dropped"
		_, err := sqs.NewFromConfig(cfg).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
		require.Error(t, err)
		var apiErr smithy.APIError
		assert.False(t, errors.As(err, &apiErr), "no answer, so no API error: %v", err)
		var netErr net.Error
		require.ErrorAs(t, err, &netErr)
		assert.Equal(t, timeout, netErr.Timeout(), "%v", err)
		if !timeout {
			assert.ErrorContains(t, err, "connection reset")
		}
		assert.Equal(t, aws.TrueTernary, retry.RetryableConnectionError{}.IsErrorRetryable(err), "the SDK would send it again")
		assert.Equal(t, 1, tr.Counts().Dropped)

		_, err = sqs.NewFromConfig(emutest.Config(t)).GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		assert.NoError(t, err, "the queue was made all the same")
	}
}

// TestNotFoundAfterCreate: the first reads after each create answer the service's not-found
// error, decoded by the SDK into the code the kinds test for, then the resource appears.
func TestNotFoundAfterCreate(t *testing.T) {
	cfg, tr := config(t, Options{NotFound: 2}, 1)
	ctx := context.Background()
	sfx := emutest.Suffix(t)
	cases := []struct {
		service, code string
		create        func() (read func() error)
	}{
		{"DynamoDB", "ResourceNotFoundException", func() func() error {
			c := dynamodb.NewFromConfig(cfg)
			_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(sfx + "-t"), BillingMode: ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}})
			require.NoError(t, err)
			return func() error {
				_, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(sfx + "-t")})
				return err
			}
		}},
		{"EC2", "InvalidVpcID.NotFound", func() func() error {
			c := ec2.NewFromConfig(cfg)
			out, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
			require.NoError(t, err)
			return func() error {
				_, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{*out.Vpc.VpcId}})
				return err
			}
		}},
		{"IAM", "NoSuchEntity", func() func() error {
			c := iam.NewFromConfig(cfg)
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(sfx + "-r"), AssumeRolePolicyDocument: aws.String(trust)})
			require.NoError(t, emutest.Resent(err, "EntityAlreadyExists"))
			return func() error {
				_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(sfx + "-r")})
				return err
			}
		}},
		{"API Gateway", "NotFoundException", func() func() error {
			c := apigateway.NewFromConfig(cfg)
			out, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(sfx + "-api")})
			require.NoError(t, err)
			return func() error { _, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: out.Id}); return err }
		}},
		{"S3", "NoSuchBucket", func() func() error {
			c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(sfx + "-bucket")})
			require.NoError(t, err)
			return func() error {
				_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(sfx + "-bucket")})
				return err
			}
		}},
		{"SQS", "AWS.SimpleQueueService.NonExistentQueue", func() func() error {
			c := sqs.NewFromConfig(cfg)
			out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(sfx + "-q")})
			require.NoError(t, err)
			return func() error {
				_, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl})
				return err
			}
		}},
		{"Lambda", "ResourceNotFoundException", func() func() error {
			role := emutest.Role(t, iam.NewFromConfig(emutest.Config(t)), sfx+"-fn", "lambda.amazonaws.com")
			c := lambda.NewFromConfig(cfg)
			_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(sfx + "-fn"), Role: aws.String(role),
				Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: tinyZip(t)}})
			require.NoError(t, err)
			return func() error {
				_, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(sfx + "-fn")})
				return err
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.service, func(t *testing.T) {
			read := tc.create()
			for i := range 2 {
				err := read()
				var apiErr smithy.APIError
				require.ErrorAs(t, err, &apiErr, "read %d", i+1)
				assert.Equal(t, tc.code, apiErr.ErrorCode())
			}
			assert.NoError(t, read(), "then the resource is there")
		})
	}
	assert.Equal(t, 2*len(cases), tr.Counts().NotFound)
	assert.Len(t, tr.ByCall(), len(cases))
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func tinyZip(t *testing.T) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("bootstrap")
	require.NoError(t, err)
	_, err = f.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}
