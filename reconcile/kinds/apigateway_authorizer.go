package kinds

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
)

// The REST API's REQUEST authorizer and its API key source. An authorizer cannot carry tags:
// it belongs to its tagged API and is observed through it (GetAuthorizers), like the API's
// resources and methods. One authorizer per API, found by being the only REQUEST one.

// RestAuthorizerAPI is the part of the API Gateway API the REST API kind uses for its
// authorizer; *apigateway.Client satisfies it.
type RestAuthorizerAPI interface {
	GetAuthorizers(ctx context.Context, in *apigateway.GetAuthorizersInput, opts ...func(*apigateway.Options)) (*apigateway.GetAuthorizersOutput, error)
	CreateAuthorizer(ctx context.Context, in *apigateway.CreateAuthorizerInput, opts ...func(*apigateway.Options)) (*apigateway.CreateAuthorizerOutput, error)
	UpdateAuthorizer(ctx context.Context, in *apigateway.UpdateAuthorizerInput, opts ...func(*apigateway.Options)) (*apigateway.UpdateAuthorizerOutput, error)
	DeleteAuthorizer(ctx context.Context, in *apigateway.DeleteAuthorizerInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteAuthorizerOutput, error)
}

// restAPIKeySource reads the API's key source; API Gateway's default is HEADER.
func restAPIKeySource(s types.ApiKeySourceType) string {
	if s == "" {
		return string(types.ApiKeySourceTypeHeader)
	}
	return string(s)
}

// readAuthorizer returns the API's REQUEST authorizer as the spec says it, and its id; nil
// and "" when it has none.
func (k *RestAPI) readAuthorizer(ctx context.Context, apiID string) (*spec.RestAuthorizer, string, error) {
	in := &apigateway.GetAuthorizersInput{RestApiId: aws.String(apiID), Limit: aws.Int32(apigwPageSize)}
	items, err := apigwPages(ctx, in, &in.Position, k.api.GetAuthorizers, func(o *apigateway.GetAuthorizersOutput) ([]types.Authorizer, *string) {
		return o.Items, o.Position
	})
	if err != nil {
		return nil, "", fmt.Errorf("read authorizers: %w", err)
	}
	for _, a := range items {
		if a.Type != types.AuthorizerTypeRequest {
			continue
		}
		fn, ok := restFunctionOfURI(aws.ToString(a.AuthorizerUri))
		if !ok {
			fn = aws.ToString(a.AuthorizerUri) // differs from every desired function
		}
		return &spec.RestAuthorizer{Name: aws.ToString(a.Name), Function: fn, IdentitySource: aws.ToString(a.IdentitySource),
			ResultTTLSeconds: int(aws.ToInt32(a.AuthorizerResultTtlInSeconds))}, aws.ToString(a.Id), nil
	}
	return nil, "", nil
}

// restFunctionOfURI reads the function ARN out of a Lambda invocation URI, as integrations and
// authorizers both take it.
func restFunctionOfURI(uri string) (string, bool) {
	_, fn, found := strings.Cut(uri, ":lambda:path/2015-03-31/functions/")
	fn, isInvoke := strings.CutSuffix(fn, "/invocations")
	return fn, found && isInvoke
}

// syncAuthorizer creates or updates the authorizer want describes and returns its id; it
// reports whether it changed anything (a deployment is then due). Removing an authorizer is
// dropAuthorizer's, after the routes no longer use it.
func (k *RestAPI) syncAuthorizer(ctx context.Context, apiID string, want *spec.RestAuthorizer) (string, bool, error) {
	live, id, err := k.readAuthorizer(ctx, apiID)
	if err != nil || want == nil {
		return id, false, err
	}
	if live == nil {
		return k.createAuthorizer(ctx, apiID, want, apigwNow)
	}
	uri := fmt.Sprintf(restLambdaPathFmt, partition(k.region), k.region, want.Function)
	ops := restAuthorizerPatch(*live, *want, uri)
	err = ops.send(ctx, k.wait, func(ctx context.Context, ops []types.PatchOperation) error {
		_, err := k.api.UpdateAuthorizer(ctx, &apigateway.UpdateAuthorizerInput{RestApiId: aws.String(apiID),
			AuthorizerId: aws.String(id), PatchOperations: ops})
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("update authorizer %s: %w", want.Name, err)
	}
	return id, len(ops) > 0, nil
}

// createAuthorizer creates the authorizer want describes and returns its id; the call goes
// through on (apigwType.fresh on a new API).
func (k *RestAPI) createAuthorizer(ctx context.Context, apiID string, want *spec.RestAuthorizer, on apigwWrite) (string, bool, error) {
	uri := fmt.Sprintf(restLambdaPathFmt, partition(k.region), k.region, want.Function)
	in := &apigateway.CreateAuthorizerInput{RestApiId: aws.String(apiID), Name: aws.String(want.Name),
		Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(uri), IdentitySource: aws.String(want.IdentitySource),
		AuthorizerResultTtlInSeconds: aws.Int32(int32(want.ResultTTLSeconds))}
	// Sent once (awscall.Once), as the API's resources are: a resend after a lost answer
	// would make a second authorizer. A lost answer is settled by reading the API's
	// authorizer (it has at most one, ours); when there is none yet, the create goes again.
	var id string
	err := k.wait.Retry(ctx, func(err error) bool { return errors.Is(err, errRestConcurrent) }, func(ctx context.Context) error {
		err := on(ctx, func(ctx context.Context) error {
			return apigwDo(awscall.Once(ctx), k.wait, apigwRetryable, func(ctx context.Context) error {
				out, err := k.api.CreateAuthorizer(ctx, in)
				if err == nil {
					id = aws.ToString(out.Id)
				}
				return err
			})
		})
		if !errors.Is(err, awscall.ErrUnknownOutcome) {
			return err
		}
		var found string
		if rerr := on(ctx, func(ctx context.Context) (rerr error) { _, found, rerr = k.readAuthorizer(ctx, apiID); return rerr }); rerr != nil {
			return rerr
		}
		if found == "" {
			return fmt.Errorf("%w: %w", errRestConcurrent, err)
		}
		id = found
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("create authorizer %s: %w", want.Name, err)
	}
	return id, true, nil
}

// restAuthorizerPatch is the UpdateAuthorizer patch from live to want. The authorizer has no
// diff of its own in the plan (it is part of the API's "authorizer" path), so it compares.
func restAuthorizerPatch(live, want spec.RestAuthorizer, uri string) apigwPatch {
	var ops apigwPatch
	ops.replace(live.Name != want.Name, "/name", want.Name)
	ops.replace(live.Function != want.Function, "/authorizerUri", uri)
	ops.replace(live.IdentitySource != want.IdentitySource, "/identitySource", want.IdentitySource)
	ops.replace(live.ResultTTLSeconds != want.ResultTTLSeconds, "/authorizerResultTtlInSeconds", strconv.Itoa(want.ResultTTLSeconds))
	return ops
}

// dropAuthorizer deletes the authorizer id when the spec has none (want nil); the routes
// must no longer refer to it.
func (k *RestAPI) dropAuthorizer(ctx context.Context, apiID, id string, want *spec.RestAuthorizer) (bool, error) {
	if want != nil || id == "" {
		return false, nil
	}
	err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		_, err := k.api.DeleteAuthorizer(ctx, &apigateway.DeleteAuthorizerInput{RestApiId: aws.String(apiID), AuthorizerId: aws.String(id)})
		return err
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return false, fmt.Errorf("delete authorizer: %w", err)
	}
	return true, nil
}
