package kinds

// Helpers shared by the lambda.function and lambda.permission kinds only. Their names carry an
// fn prefix so that they cannot clash with other Lambda kinds' helpers in this package.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/state"
)

const (
	fnNotFound = awscall.ResourceNotFoundException
	// fnConflict is Lambda's answer both to "already exists" and to "another change of this
	// function is in progress"; callers tell them apart by reading the function.
	fnConflict = awscall.ResourceConflictException
	fnInvalid  = awscall.InvalidParameterValueException
)

// fnFunctionsAPI lists functions and reads their tags; both Lambda kinds use it to find the
// functions of a selector.
type fnFunctionsAPI interface {
	ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, opts ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
	ListTags(ctx context.Context, in *lambda.ListTagsInput, opts ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
}

// fnTagged is one listed function with its tags.
type fnTagged struct {
	cfg  types.FunctionConfiguration
	tags map[string]string
}

// fnOwned lists every function and returns those whose tags match sel. ListFunctions cannot
// filter by tag, so each candidate's tags are read; one deleted since the listing is skipped.
// Both Lambda kinds ask within one discovery, and the calls are made once (reconcile.Shared).
func fnOwned(ctx context.Context, b reconcile.Backoff, api fnFunctionsAPI, sel state.Selector) ([]fnTagged, error) {
	return reconcile.Shared(ctx, "lambda functions of "+sel.Stack+"/"+sel.Suffix, func(ctx context.Context) ([]fnTagged, error) {
		return fnList(ctx, b, api, sel)
	})
}

func fnList(ctx context.Context, b reconcile.Backoff, api fnFunctionsAPI, sel state.Selector) ([]fnTagged, error) {
	in := &lambda.ListFunctionsInput{}
	var candidates []types.FunctionConfiguration
	for {
		var page *lambda.ListFunctionsOutput
		err := awscall.Do(ctx, b, awscall.RetryCodes(), func(ctx context.Context) (err error) {
			page, err = api.ListFunctions(ctx, in)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list lambda functions: %w", err)
		}
		for _, cfg := range page.Functions {
			if sel.MayName(aws.ToString(cfg.FunctionName)) { // ListFunctions has no name filter: a name without our suffix is not read
				candidates = append(candidates, cfg)
			}
		}
		if aws.ToString(page.NextMarker) == "" {
			break
		}
		in.Marker = page.NextMarker
	}
	return awscall.Gather(ctx, candidates, func(ctx context.Context, cfg types.FunctionConfiguration) (fnTagged, bool, error) {
		arn := fnBaseARN(aws.ToString(cfg.FunctionArn))
		// Both kinds rest on these tags: the permissions are read for the functions found ours.
		tags, ok := reconcile.HintedTags(ctx, arn, "lambda.function", "lambda.permission")
		var err error
		if !ok {
			tags, err = fnTags(ctx, b, api, arn)
		}
		if awscall.Skippable(ctx, "lambda.function", aws.ToString(cfg.FunctionName), err) {
			return fnTagged{}, false, nil
		}
		if err != nil {
			return fnTagged{}, false, fmt.Errorf("list lambda functions: %s: %w", aws.ToString(cfg.FunctionName), err)
		}
		return fnTagged{cfg: cfg, tags: tags}, sel.Matches(tags), nil
	})
}

// fnTags reads a function's tags by its ARN; ErrNotFound when the function is gone.
func fnTags(ctx context.Context, b reconcile.Backoff, api fnFunctionsAPI, arn string) (map[string]string, error) {
	var out *lambda.ListTagsOutput
	err := awscall.Do(ctx, b, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = api.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
		return err
	})
	if err != nil {
		return nil, awscall.NotFound(err, fnNotFound)
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}

// fnBaseARN drops the $LATEST qualifier some answers carry, leaving the unqualified ARN that
// tags, policies and references use.
func fnBaseARN(arn string) string { return strings.TrimSuffix(arn, ":$LATEST") }

// fnNameOf returns the function name (with its qualifier, if any) of a function name or ARN:
// arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier] → name[:qualifier].
func fnNameOf(nameOrARN string) string {
	if i := strings.Index(nameOrARN, ":function:"); i >= 0 {
		return nameOrARN[i+len(":function:"):]
	}
	return nameOrARN
}

// fnSameStack reports whether tags carry o's stack and suffix (any logical id): a function of
// that environment, which may hold that environment's permissions.
func fnSameStack(tags map[string]string, o state.Owner) bool {
	got, ok := state.OwnerOf(tags)
	return ok && got.Stack == o.Stack && got.Suffix == o.Suffix
}

// fnIAMNotReadyMessages are the InvalidParameterValueException messages Lambda gives while a
// new or changed execution role has not propagated through IAM yet (seconds to minutes). The
// list follows the Terraform AWS provider's retries for CreateFunction and
// UpdateFunctionConfiguration.
var fnIAMNotReadyMessages = []string{
	"The role defined for the function cannot be assumed by Lambda",
	"The provided execution role does not have permissions",
	"is not authorized to perform",
	"Your request has been throttled by EC2",
	"Lambda was unable to configure access to your environment variables because the KMS key is invalid for CreateGrant",
}

// fnIAMNotReady reports whether err is Lambda saying the execution role is not usable yet.
func fnIAMNotReady(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != fnInvalid {
		return false
	}
	for _, m := range fnIAMNotReadyMessages {
		if strings.Contains(ae.ErrorMessage(), m) {
			return true
		}
	}
	return false
}
