package reconcile

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadOnlyRefusesMutationsBeforeSending(t *testing.T) {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1"), // nothing listens: a sent request fails differently
	}
	ReadOnly(&cfg)
	c := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()

	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	var refused *ErrMutationRefused
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "SQS", refused.Service)
	assert.Equal(t, "CreateQueue", refused.Operation)

	_, err = c.ListQueues(ctx, &sqs.ListQueuesInput{})
	require.Error(t, err, "nothing listens on port 1")
	assert.False(t, errors.As(err, &refused), "reads pass the guard and reach the network")
}

func TestIsReadOnlyOperation(t *testing.T) {
	for op, want := range map[string]bool{
		"DescribeVpcs": true, "ListQueues": true, "GetBucketTagging": true, "HeadBucket": true, "BatchGetItem": true,
		"CreateVpc": false, "PutBucketPolicy": false, "DeleteTable": false, "TagResource": false, "UpdateTable": false,
		"AuthorizeSecurityGroupIngress": false, "ModifyVpcAttribute": false,
	} {
		assert.Equal(t, want, IsReadOnlyOperation(op), op)
	}
}
