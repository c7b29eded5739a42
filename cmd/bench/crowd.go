package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// crowd fills the account with resources that are not ours, the way a shared account looks:
// of every 24, 6 queues, 6 log groups, 4 roles, 3 functions, 3 tables and 2 alarms. Half
// carry no tags and half carry another team's; every third is named with the webhook stack's
// prefix, so that a name filter alone cannot tell them from ours. They are made directly on
// the emulator, without the added latency.
func crowd(ctx context.Context, cfg aws.Config, n int, token string) (int, error) {
	c := &crowder{cfg: cfg, token: token}
	role, err := c.role(ctx, -1)
	if err != nil {
		return 0, err
	}
	c.roleARN = role
	type job struct {
		what string
		i    int
	}
	var jobs []job
	for u := range (n + 23) / 24 {
		for _, w := range []struct {
			what  string
			count int
		}{{"queue", 6}, {"log-group", 6}, {"role", 4}, {"function", 3}, {"table", 3}, {"alarm", 2}} {
			for k := range w.count {
				jobs = append(jobs, job{w.what, u*w.count + k})
			}
		}
	}
	jobs = jobs[:min(n, len(jobs))]
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	sem := make(chan struct{}, 8)
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := c.make(ctx, j.what, j.i); err != nil {
				errs <- fmt.Errorf("crowd %s %d: %w", j.what, j.i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return len(jobs), nil
}

type crowder struct {
	cfg     aws.Config
	token   string
	roleARN string
}

// name is a foreign resource's name: every third looks like the webhook stack's.
func (c *crowder) name(what string, i int) string {
	if i%3 == 0 {
		return fmt.Sprintf("webhook-%s-%s-%d", what, c.token, i)
	}
	return fmt.Sprintf("legacy-%s-%s-%d", what, c.token, i)
}

// tags are another team's on odd resources, none on even ones.
func tags(i int) map[string]string {
	if i%2 == 0 {
		return nil
	}
	return map[string]string{"team": "legacy", "env": "prod"}
}

func (c *crowder) make(ctx context.Context, what string, i int) error {
	name := c.name(what, i)
	var err error
	switch what {
	case "queue":
		_, err = sqs.NewFromConfig(c.cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Tags: tags(i)})
	case "log-group":
		_, err = cloudwatchlogs.NewFromConfig(c.cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/" + name), Tags: tags(i)})
	case "role":
		_, err = c.role(ctx, i)
	case "function":
		err = c.function(ctx, name, i)
	case "table":
		err = c.table(ctx, name, i)
	case "alarm":
		err = c.alarm(ctx, name)
	}
	return err
}

func (c *crowder) role(ctx context.Context, i int) (string, error) {
	name := c.name("role", i)
	if i < 0 {
		name = "legacy-exec-" + c.token
	}
	var ts []iamtypes.Tag
	for k, v := range tags(i) {
		ts = append(ts, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := iam.NewFromConfig(c.cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: &name, Tags: ts,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Role.Arn), nil
}

func (c *crowder) function(ctx context.Context, name string, i int) error {
	var code bytes.Buffer
	zw := zip.NewWriter(&code)
	w, err := zw.Create("bootstrap")
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte("#!/bin/sh\n")); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_, err = lambda.NewFromConfig(c.cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: &name, Role: &c.roleARN,
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()}, Tags: tags(i)})
	return err
}

func (c *crowder) table(ctx context.Context, name string, i int) error {
	var ts []ddbtypes.Tag
	for k, v := range tags(i) {
		ts = append(ts, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	_, err := dynamodb.NewFromConfig(c.cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: &name, Tags: ts,
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}})
	return err
}

// alarm uses CloudWatch's query protocol, as the alarm kind does (moto reads no CBOR).
func (c *crowder) alarm(ctx context.Context, name string) error {
	cw := cloudwatch.NewFromConfig(c.cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) })
	_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: &name, Namespace: aws.String("AWS/Lambda"),
		MetricName: aws.String("Errors"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold})
	return err
}
