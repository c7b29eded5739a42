// Package kinds holds one file per AWS kind, each implementing reconcile.Kind, and the
// explicit registry the CLI hands to the engine.
package kinds

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Registry builds every kind this build implements, sharing one client per service. Adding a
// kind is one line here.
func Registry(cfg aws.Config) reconcile.Registry {
	sqsc := sqs.NewFromConfig(cfg)
	iamc := iam.NewFromConfig(cfg)
	logsc := cloudwatchlogs.NewFromConfig(cfg)
	return reconcile.Registry{
		NewIAMRole(iamc),
		NewLogGroup(logsc),
		NewSQSQueue(sqsc),
	}
}
