package kinds

// Helpers shared by the apigateway.rest_api, apigateway.api_key and apigateway.usage_plan
// kinds only. Their names carry an apigw prefix so that they cannot clash with other kinds'
// helpers in this package. Ownership checks, tag diffs and the not-found mapping come from
// misc_common.go.

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// apigwLimitGroup is the executor's limit group of every API Gateway kind: the control plane
// has low fixed quotas (CreateRestApi 1 per 3 s, CreateDeployment about 1 per 5 s,
// DeleteRestApi 1 per 30 s, per account), so API Gateway writes run one at a time.
const (
	apigwLimitGroup = "apigateway"
	apigwLimitMax   = 1
)

// apigwNotFound is API Gateway's one not-found code, for every resource type.
const apigwNotFound = "NotFoundException"

// apigwPageSize is the largest page API Gateway's Get* listings accept.
const apigwPageSize = 500

// apigwRetryable retries throttling (TooManyRequestsException: the SDK's retryer also knows
// it as a throttle, but gives up after 3 attempts) and ConflictException, which API Gateway
// answers to a write that overlaps another one on the same API ("concurrent modification").
// Calls whose ConflictException means "already exists" use apigwThrottled instead.
func apigwRetryable(err error) bool {
	return reconcile.IsAPIError(err, append([]string{"ConflictException"}, miscThrottleCodes...)...)
}

// apigwThrottled retries throttling only.
func apigwThrottled(err error) bool { return reconcile.IsAPIError(err, miscThrottleCodes...) }

// apigwDo runs one write under its own timeout, retrying what retry accepts with b, and maps
// NotFoundException to reconcile.ErrNotFound.
func apigwDo(ctx context.Context, b reconcile.Backoff, retry func(error) bool, op func(context.Context) error) error {
	return miscNotFound(miscDo(ctx, b, retry, op), apigwNotFound)
}

// apigwGet runs one read under its own timeout, mapping NotFoundException to ErrNotFound.
func apigwGet[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	out, err := reconcile.Call(ctx, fn)
	return out, miscNotFound(err, apigwNotFound)
}

// apigwARN is the ARN TagResource takes for an API Gateway path such as /restapis/abc.
func apigwARN(region, path string) string {
	return "arn:" + partition(region) + ":apigateway:" + region + "::" + path
}

// apigwReplace is one "replace" patch operation.
func apigwReplace(path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
}

// apigwTagAPI is the tagging part of the API Gateway API, shared by the three kinds.
type apigwTagAPI interface {
	TagResource(ctx context.Context, in *apigateway.TagResourceInput, opts ...func(*apigateway.Options)) (*apigateway.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *apigateway.UntagResourceInput, opts ...func(*apigateway.Options)) (*apigateway.UntagResourceOutput, error)
}

// apigwSyncTags makes the tags of arn equal want: adds missing or changed ones, removes extra
// ones except the ownership tags. Nothing is called when they already match.
func apigwSyncTags(ctx context.Context, b reconcile.Backoff, api apigwTagAPI, arn string, live, want map[string]string) error {
	set, remove := miscTagChanges(live, want)
	if len(set) > 0 {
		err := apigwDo(ctx, b, apigwRetryable, func(ctx context.Context) error {
			_, err := api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(arn), Tags: set})
			return err
		})
		if err != nil {
			return err
		}
	}
	if len(remove) == 0 {
		return nil
	}
	return apigwDo(ctx, b, apigwRetryable, func(ctx context.Context) error {
		_, err := api.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove})
		return err
	})
}

// apigwWaitGone polls get until it answers ErrNotFound; throttling counts as "not yet", any
// other error ends the wait.
func apigwWaitGone(ctx context.Context, b reconcile.Backoff, get func(context.Context) error) error {
	return b.Until(ctx, func(ctx context.Context) (bool, error) {
		err := get(ctx)
		switch {
		case errors.Is(err, reconcile.ErrNotFound):
			return true, nil
		case err != nil:
			return !apigwThrottled(err), err
		}
		return false, errors.New("still there")
	})
}

// apigwTags copies tags, so that an observed resource never shares a map with an SDK output.
func apigwTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out
}
