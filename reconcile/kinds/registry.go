// Package kinds holds one file per AWS kind, each implementing reconcile.Kind, and the
// explicit registry the CLI hands to the engine.
package kinds

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Registry builds every kind this build implements, sharing one client per service; account
// builds ARNs the APIs do not return, and code packages Lambda functions. Adding a kind is one
// line here.
func Registry(cfg aws.Config, account string, code LambdaCode) reconcile.Registry {
	ec2c := ec2.NewFromConfig(cfg)
	sqsc := sqs.NewFromConfig(cfg)
	iamc := iam.NewFromConfig(cfg)
	logsc := cloudwatchlogs.NewFromConfig(cfg)
	ddbc := dynamodb.NewFromConfig(cfg)
	lambdac := lambda.NewFromConfig(cfg)
	apic := apigateway.NewFromConfig(cfg)
	// Emulators serve path style everywhere, and a bucket subdomain of localhost may not resolve.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	return reconcile.Registry{
		NewVPC(ec2c, cfg.Region),
		NewSubnet(ec2c),
		NewSecurityGroup(ec2c),
		NewVPCEndpoint(ec2c, cfg.Region),
		NewIAMRole(iamc),
		NewLogGroup(logsc),
		NewSQSQueue(sqsc),
		NewDynamoDBTable(ddbc),
		NewS3Bucket(s3c, cfg.Region),
		NewLambdaFunction(lambdac, code),
		NewEventSourceMapping(lambdac),
		NewRestAPI(apic, cfg.Region, account),
		NewLambdaPermission(lambdac),
		NewAPIKey(apic, cfg.Region),
		NewUsagePlan(apic, cfg.Region),
		NewMetricAlarm(NewCloudWatchClient(cfg)),
	}
}
