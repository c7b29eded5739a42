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
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"os"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
)

// Registry builds every kind this build implements, sharing one client per service; account
// builds ARNs the APIs do not return, and code packages Lambda functions. Adding a kind is one
// line here; Adapt makes each typed kind a reconcile.Kind.
func Registry(cfg aws.Config, account string, code LambdaCode) reconcile.Registry {
	CallPath(&cfg) // a no-op when the caller already did

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
		reconcile.Adapt[spec.VPC](NewVPC(ec2c, cfg.Region)),
		reconcile.Adapt[spec.Subnet](NewSubnet(ec2c)),
		reconcile.Adapt[spec.SecurityGroup](NewSecurityGroup(ec2c)),
		reconcile.Adapt[spec.VPCEndpoint](NewVPCEndpoint(ec2c, cfg.Region)),
		reconcile.Adapt[spec.IAMRole](NewIAMRole(iamc)),
		reconcile.Adapt[spec.LogGroup](NewLogGroup(logsc)),
		reconcile.Adapt[spec.SQSQueue](NewSQSQueue(sqsc, cfg.Region)),
		reconcile.Adapt[spec.DynamoDBTable](NewDynamoDBTable(ddbc)),
		reconcile.Adapt[spec.S3Bucket](NewS3Bucket(s3c, cfg.Region)),
		reconcile.Adapt[spec.LambdaFunction](NewLambdaFunction(lambdac, code)),
		reconcile.Adapt[spec.EventSourceMapping](NewEventSourceMapping(lambdac)),
		reconcile.Adapt[spec.RestAPI](NewRestAPI(apic, cfg.Region, account)),
		reconcile.Adapt[spec.LambdaPermission](NewLambdaPermission(lambdac)),
		reconcile.Adapt[spec.APIKey](NewAPIKey(apic, cfg.Region)),
		reconcile.Adapt[spec.SSMParameter](NewSSMParameter(ssm.NewFromConfig(cfg), apic, cfg.Region, account)),
		reconcile.Adapt[spec.UsagePlan](NewUsagePlan(apic, cfg.Region)),
		reconcile.Adapt[spec.MetricAlarm](NewMetricAlarm(NewCloudWatchClient(cfg))),
	}
}

// CallPath puts every client later built from cfg on the kinds' call path: each attempt under
// its own timeout (awscall.AttemptTimeout, inside the SDK's retries, so throttling is never
// cut off), paced to AWS's control-plane quotas, and creates marked awscall.Once never resent
// by the SDK when their outcome is unknown. Registry does it for the kinds; the CLI does it
// first for its own clients (STS's account lookup, the stack lock's SSM), so that every AWS
// call of a run keeps the same rules and one pacer.
func CallPath(cfg *aws.Config) {
	awscall.Install(cfg, pacerFor(*cfg))
}

// pacerFor paces calls to AWS's control-plane quotas. An emulator (a custom endpoint) has no
// such quotas, and pacing it would only slow the dev loop and the tests (a destroy of the
// webhook stack waits 20 s per usage plan); PROVISIONER_PACE=aws paces there too.
func pacerFor(cfg aws.Config) *awscall.Pacer {
	if cfg.BaseEndpoint != nil && os.Getenv("PROVISIONER_PACE") != "aws" {
		return nil
	}
	return awscall.NewPacer(awscall.ControlPlaneRates)
}
