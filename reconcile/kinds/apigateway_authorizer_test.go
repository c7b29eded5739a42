package kinds

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// restAuthorizedProps is the example's API: one CUSTOM route per provider behind the REQUEST
// authorizer, keys from the authorizer, the internal route on AWS_IAM.
func restAuthorizedProps(region, account string) *spec.RestAPI {
	fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:receiver", region, account)
	return &spec.RestAPI{
		Description: "payment webhooks", EndpointType: "REGIONAL", APIKeySource: "AUTHORIZER",
		Authorizer: &spec.RestAuthorizer{Name: "providers", Function: fmt.Sprintf("arn:aws:lambda:%s:%s:function:authorizer", region, account),
			IdentitySource: "method.request.path.provider,method.request.querystring.token", ResultTTLSeconds: 300},
		Routes: []spec.Route{
			{Path: "/webhook/{provider}", Method: "POST", Authorization: "CUSTOM", APIKeyRequired: true, Function: fn},
			{Path: "/events/{eventId}", Method: "GET", Authorization: "AWS_IAM", Function: fn},
		},
		Stage: spec.Stage{Name: "prod", TracingEnabled: true},
	}
}

func TestRestAPIAuthorizerCreateUpdateDrop(t *testing.T) {
	apis := map[string]*memRest{}
	k := tk[spec.RestAPI](unitRestAPI(memRestAPI(apis)))
	d := desired(miscOwner("api"), "api-dev", restAuthorizedProps("us-east-1", "000000000000"))
	got, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	assert.Empty(t, k.Diff(d, got), "authorizer, key source and CUSTOM route read back as written")

	a := apis[got.ID]
	require.Len(t, a.authorizers, 1)
	var authID string
	for id, au := range a.authorizers {
		authID = id
		assert.Equal(t, "REQUEST", string(au.Type))
		assert.Equal(t, "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:authorizer/invocations",
			aws.ToString(au.AuthorizerUri))
	}
	assert.Equal(t, "AUTHORIZER", string(a.api.ApiKeySource))
	m := memMethod(t, a, "/webhook/{provider}", "POST")
	assert.Equal(t, authID, aws.ToString(m.AuthorizerId), "the CUSTOM method uses the API's authorizer")
	assert.True(t, aws.ToBool(m.ApiKeyRequired))
	assert.Nil(t, memMethod(t, a, "/events/{eventId}", "GET").AuthorizerId, "the internal route stays AWS_IAM")

	d2 := d
	p := *d.Props.(*spec.RestAPI)
	auth := *p.Authorizer
	auth.ResultTTLSeconds = 60
	p.Authorizer = &auth
	d2.Props = &p
	diffs := k.Diff(d2, got)
	require.Len(t, diffs, 1)
	assert.Equal(t, "authorizer", diffs[0].Path)
	deps := len(a.deployments)
	got, err = k.Update(context.Background(), d2, got)
	require.NoError(t, err)
	assert.Empty(t, k.Diff(d2, got))
	assert.Equal(t, int32(60), aws.ToInt32(a.authorizers[authID].AuthorizerResultTtlInSeconds), "updated in place, same id")
	assert.Greater(t, len(a.deployments), deps, "an authorizer change is deployed")

	// Without an authorizer: the routes leave CUSTOM first, then the authorizer goes (API
	// Gateway refuses to delete one a method uses).
	d3 := d
	plain := *restAuthorizedProps("us-east-1", "000000000000")
	plain.Authorizer, plain.APIKeySource = nil, "HEADER"
	plain.Routes = []spec.Route{{Path: "/webhook/{provider}", Method: "POST", Authorization: "NONE", APIKeyRequired: true, Function: plain.Routes[0].Function}}
	d3.Props = &plain
	got, err = k.Update(context.Background(), d3, got)
	require.NoError(t, err)
	assert.Empty(t, k.Diff(d3, got))
	assert.Empty(t, a.authorizers)
}

// memMethod finds one method of a.
func memMethod(t *testing.T, a *memRest, path, verb string) types.Method {
	t.Helper()
	for _, r := range a.resources {
		if aws.ToString(r.Path) == path {
			m, ok := r.ResourceMethods[verb]
			require.True(t, ok, "%s %s", verb, path)
			return m
		}
	}
	t.Fatalf("no resource %s", path)
	return types.Method{}
}

// TestRestAPIAuthorizerLostAnswer: a lost CreateAuthorizer answer is settled by reading the
// API's authorizer, which the lost answer made or which is then created: one authorizer
// either way, the one the CUSTOM route uses. (That the SDK does not resend it, awscall.Once,
// is below these fakes; the fault harness's lost answers cover it end to end.)
func TestRestAPIAuthorizerLostAnswer(t *testing.T) {
	for _, made := range []bool{true, false} {
		t.Run(fmt.Sprintf("made: %v", made), func(t *testing.T) {
			apis := map[string]*memRest{}
			f := memRestAPI(apis)
			f.createAuthorizer = apigwLoses(made, func(*apigateway.CreateAuthorizerInput) bool { return true }, f.createAuthorizer)
			k := tk[spec.RestAPI](unitRestAPI(f))
			d := desired(miscOwner("api"), "api-dev", restAuthorizedProps("us-east-1", "000000000000"))
			got, err := k.Create(context.Background(), d)
			require.NoError(t, err)
			assert.Empty(t, k.Diff(d, got))
			a := apis[got.ID]
			require.Len(t, a.authorizers, 1, "never a second authorizer")
			for id := range a.authorizers {
				assert.Equal(t, id, aws.ToString(memMethod(t, a, "/webhook/{provider}", "POST").AuthorizerId))
			}
			want := 1
			if !made {
				want = 2 // lost with nothing made, then sent again
			}
			assert.Equal(t, want, f.calls.count("CreateAuthorizer"))
		})
	}
}

func TestRestAPIAuthorizerLifecycle(t *testing.T) {
	e := restOnEmulator(t, restAuthorizedProps)
	k, d := e.k, e.d
	checkLifecycle(t, tk[spec.RestAPI](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.RestAPI)
		auth := *p.Authorizer
		auth.ResultTTLSeconds, auth.IdentitySource = 0, "method.request.path.provider,method.request.querystring.key"
		p.Authorizer = &auth
		d.Props = &p
		return d
	})
}

// On the emulator: the method points at the authorizer and the API takes keys from it.
func TestRestAPIAuthorizerOnEmulator(t *testing.T) {
	e := restOnEmulator(t, restAuthorizedProps)
	client, k, d := e.client, e.k, e.d
	got := createForTest(t, tk[spec.RestAPI](k), d)
	ctx := context.Background()

	api, err := client.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(got.ID)})
	require.NoError(t, err)
	assert.Equal(t, "AUTHORIZER", string(api.ApiKeySource))
	auths, err := client.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: aws.String(got.ID)})
	require.NoError(t, err)
	require.Len(t, auths.Items, 1)
	assert.Equal(t, "method.request.path.provider,method.request.querystring.token", aws.ToString(auths.Items[0].IdentitySource))
	res, err := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(got.ID), Embed: []string{"methods"}})
	require.NoError(t, err)
	found := false
	for _, r := range res.Items {
		if aws.ToString(r.Path) == "/webhook/{provider}" {
			m := r.ResourceMethods["POST"]
			assert.Equal(t, "CUSTOM", aws.ToString(m.AuthorizationType))
			assert.Equal(t, aws.ToString(auths.Items[0].Id), aws.ToString(m.AuthorizerId))
			found = true
		}
	}
	assert.True(t, found, "POST /webhook/{provider} exists")

	// Create builds its answer from its writes' answers instead of reading the API back: it
	// must be what observing the API finds.
	listed := findOne(t, tk[spec.RestAPI](k), state.Selector{Stack: d.Owner.Stack, Suffix: d.Owner.Suffix}, d.Owner.ID)
	assert.Equal(t, listed.Props, got.Props)
	assert.Equal(t, listed.Attrs, got.Attrs)
	assert.Equal(t, listed.Tags, got.Tags)
	assert.Equal(t, listed.Name, got.Name)
}
