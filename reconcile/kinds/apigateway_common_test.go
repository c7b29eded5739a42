package kinds

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/state"
)

// fakeAPIGW implements RestAPIAPI, APIKeyAPI and UsagePlanAPI with one function field per
// operation; a nil field fails the call, so each test provides exactly what it expects. Calls
// take turns (mu): the REST API kind sends the writes of one level of its routes at once.
type fakeAPIGW struct {
	mu                 sync.Mutex
	calls              fakeCalls
	createRestApi      func(*apigateway.CreateRestApiInput) (*apigateway.CreateRestApiOutput, error)
	getRestApi         func(*apigateway.GetRestApiInput) (*apigateway.GetRestApiOutput, error)
	getRestApis        func(*apigateway.GetRestApisInput) (*apigateway.GetRestApisOutput, error)
	updateRestApi      func(*apigateway.UpdateRestApiInput) (*apigateway.UpdateRestApiOutput, error)
	deleteRestApi      func(*apigateway.DeleteRestApiInput) (*apigateway.DeleteRestApiOutput, error)
	getResources       func(*apigateway.GetResourcesInput) (*apigateway.GetResourcesOutput, error)
	createResource     func(*apigateway.CreateResourceInput) (*apigateway.CreateResourceOutput, error)
	deleteResource     func(*apigateway.DeleteResourceInput) (*apigateway.DeleteResourceOutput, error)
	putMethod          func(*apigateway.PutMethodInput) (*apigateway.PutMethodOutput, error)
	deleteMethod       func(*apigateway.DeleteMethodInput) (*apigateway.DeleteMethodOutput, error)
	putIntegration     func(*apigateway.PutIntegrationInput) (*apigateway.PutIntegrationOutput, error)
	createDeployment   func(*apigateway.CreateDeploymentInput) (*apigateway.CreateDeploymentOutput, error)
	getDeployment      func(*apigateway.GetDeploymentInput) (*apigateway.GetDeploymentOutput, error)
	getStages          func(*apigateway.GetStagesInput) (*apigateway.GetStagesOutput, error)
	createStage        func(*apigateway.CreateStageInput) (*apigateway.CreateStageOutput, error)
	updateStage        func(*apigateway.UpdateStageInput) (*apigateway.UpdateStageOutput, error)
	deleteStage        func(*apigateway.DeleteStageInput) (*apigateway.DeleteStageOutput, error)
	tagResource        func(*apigateway.TagResourceInput) (*apigateway.TagResourceOutput, error)
	untagResource      func(*apigateway.UntagResourceInput) (*apigateway.UntagResourceOutput, error)
	createApiKey       func(*apigateway.CreateApiKeyInput) (*apigateway.CreateApiKeyOutput, error)
	getApiKeys         func(*apigateway.GetApiKeysInput) (*apigateway.GetApiKeysOutput, error)
	getApiKey          func(*apigateway.GetApiKeyInput) (*apigateway.GetApiKeyOutput, error)
	updateApiKey       func(*apigateway.UpdateApiKeyInput) (*apigateway.UpdateApiKeyOutput, error)
	deleteApiKey       func(*apigateway.DeleteApiKeyInput) (*apigateway.DeleteApiKeyOutput, error)
	createUsagePlan    func(*apigateway.CreateUsagePlanInput) (*apigateway.CreateUsagePlanOutput, error)
	getUsagePlans      func(*apigateway.GetUsagePlansInput) (*apigateway.GetUsagePlansOutput, error)
	getUsagePlan       func(*apigateway.GetUsagePlanInput) (*apigateway.GetUsagePlanOutput, error)
	updateUsagePlan    func(*apigateway.UpdateUsagePlanInput) (*apigateway.UpdateUsagePlanOutput, error)
	deleteUsagePlan    func(*apigateway.DeleteUsagePlanInput) (*apigateway.DeleteUsagePlanOutput, error)
	getUsagePlanKeys   func(*apigateway.GetUsagePlanKeysInput) (*apigateway.GetUsagePlanKeysOutput, error)
	createUsagePlanKey func(*apigateway.CreateUsagePlanKeyInput) (*apigateway.CreateUsagePlanKeyOutput, error)
	deleteUsagePlanKey func(*apigateway.DeleteUsagePlanKeyInput) (*apigateway.DeleteUsagePlanKeyOutput, error)
	getAuthorizers     func(*apigateway.GetAuthorizersInput) (*apigateway.GetAuthorizersOutput, error)
	createAuthorizer   func(*apigateway.CreateAuthorizerInput) (*apigateway.CreateAuthorizerOutput, error)
	updateAuthorizer   func(*apigateway.UpdateAuthorizerInput) (*apigateway.UpdateAuthorizerOutput, error)
	deleteAuthorizer   func(*apigateway.DeleteAuthorizerInput) (*apigateway.DeleteAuthorizerOutput, error)
}

func (f *fakeAPIGW) GetAuthorizers(_ context.Context, in *apigateway.GetAuthorizersInput, _ ...func(*apigateway.Options)) (*apigateway.GetAuthorizersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetAuthorizers", f.getAuthorizers, in)
}
func (f *fakeAPIGW) CreateAuthorizer(_ context.Context, in *apigateway.CreateAuthorizerInput, _ ...func(*apigateway.Options)) (*apigateway.CreateAuthorizerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateAuthorizer", f.createAuthorizer, in)
}
func (f *fakeAPIGW) UpdateAuthorizer(_ context.Context, in *apigateway.UpdateAuthorizerInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateAuthorizerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "UpdateAuthorizer", f.updateAuthorizer, in)
}
func (f *fakeAPIGW) DeleteAuthorizer(_ context.Context, in *apigateway.DeleteAuthorizerInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteAuthorizerOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteAuthorizer", f.deleteAuthorizer, in)
}

func (f *fakeAPIGW) CreateRestApi(_ context.Context, in *apigateway.CreateRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.CreateRestApiOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateRestApi", f.createRestApi, in)
}
func (f *fakeAPIGW) GetRestApi(_ context.Context, in *apigateway.GetRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.GetRestApiOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetRestApi", f.getRestApi, in)
}
func (f *fakeAPIGW) GetRestApis(_ context.Context, in *apigateway.GetRestApisInput, _ ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetRestApis", f.getRestApis, in)
}
func (f *fakeAPIGW) UpdateRestApi(_ context.Context, in *apigateway.UpdateRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateRestApiOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "UpdateRestApi", f.updateRestApi, in)
}
func (f *fakeAPIGW) DeleteRestApi(_ context.Context, in *apigateway.DeleteRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteRestApiOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteRestApi", f.deleteRestApi, in)
}
func (f *fakeAPIGW) GetResources(_ context.Context, in *apigateway.GetResourcesInput, _ ...func(*apigateway.Options)) (*apigateway.GetResourcesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetResources", f.getResources, in)
}
func (f *fakeAPIGW) CreateResource(_ context.Context, in *apigateway.CreateResourceInput, _ ...func(*apigateway.Options)) (*apigateway.CreateResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateResource", f.createResource, in)
}
func (f *fakeAPIGW) DeleteResource(_ context.Context, in *apigateway.DeleteResourceInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteResource", f.deleteResource, in)
}
func (f *fakeAPIGW) PutMethod(_ context.Context, in *apigateway.PutMethodInput, _ ...func(*apigateway.Options)) (*apigateway.PutMethodOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "PutMethod", f.putMethod, in)
}
func (f *fakeAPIGW) DeleteMethod(_ context.Context, in *apigateway.DeleteMethodInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteMethodOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteMethod", f.deleteMethod, in)
}
func (f *fakeAPIGW) PutIntegration(_ context.Context, in *apigateway.PutIntegrationInput, _ ...func(*apigateway.Options)) (*apigateway.PutIntegrationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "PutIntegration", f.putIntegration, in)
}
func (f *fakeAPIGW) CreateDeployment(_ context.Context, in *apigateway.CreateDeploymentInput, _ ...func(*apigateway.Options)) (*apigateway.CreateDeploymentOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateDeployment", f.createDeployment, in)
}
func (f *fakeAPIGW) GetDeployment(_ context.Context, in *apigateway.GetDeploymentInput, _ ...func(*apigateway.Options)) (*apigateway.GetDeploymentOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetDeployment", f.getDeployment, in)
}
func (f *fakeAPIGW) GetStages(_ context.Context, in *apigateway.GetStagesInput, _ ...func(*apigateway.Options)) (*apigateway.GetStagesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetStages", f.getStages, in)
}
func (f *fakeAPIGW) CreateStage(_ context.Context, in *apigateway.CreateStageInput, _ ...func(*apigateway.Options)) (*apigateway.CreateStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateStage", f.createStage, in)
}
func (f *fakeAPIGW) UpdateStage(_ context.Context, in *apigateway.UpdateStageInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "UpdateStage", f.updateStage, in)
}
func (f *fakeAPIGW) DeleteStage(_ context.Context, in *apigateway.DeleteStageInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteStage", f.deleteStage, in)
}
func (f *fakeAPIGW) TagResource(_ context.Context, in *apigateway.TagResourceInput, _ ...func(*apigateway.Options)) (*apigateway.TagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "TagResource", f.tagResource, in)
}
func (f *fakeAPIGW) UntagResource(_ context.Context, in *apigateway.UntagResourceInput, _ ...func(*apigateway.Options)) (*apigateway.UntagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "UntagResource", f.untagResource, in)
}
func (f *fakeAPIGW) CreateApiKey(_ context.Context, in *apigateway.CreateApiKeyInput, _ ...func(*apigateway.Options)) (*apigateway.CreateApiKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateApiKey", f.createApiKey, in)
}
func (f *fakeAPIGW) GetApiKeys(_ context.Context, in *apigateway.GetApiKeysInput, _ ...func(*apigateway.Options)) (*apigateway.GetApiKeysOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetApiKeys", f.getApiKeys, in)
}
func (f *fakeAPIGW) GetApiKey(_ context.Context, in *apigateway.GetApiKeyInput, _ ...func(*apigateway.Options)) (*apigateway.GetApiKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetApiKey", f.getApiKey, in)
}
func (f *fakeAPIGW) UpdateApiKey(_ context.Context, in *apigateway.UpdateApiKeyInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateApiKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "UpdateApiKey", f.updateApiKey, in)
}
func (f *fakeAPIGW) DeleteApiKey(_ context.Context, in *apigateway.DeleteApiKeyInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteApiKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteApiKey", f.deleteApiKey, in)
}
func (f *fakeAPIGW) CreateUsagePlan(_ context.Context, in *apigateway.CreateUsagePlanInput, _ ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateUsagePlan", f.createUsagePlan, in)
}
func (f *fakeAPIGW) GetUsagePlans(_ context.Context, in *apigateway.GetUsagePlansInput, _ ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetUsagePlans", f.getUsagePlans, in)
}
func (f *fakeAPIGW) GetUsagePlan(_ context.Context, in *apigateway.GetUsagePlanInput, _ ...func(*apigateway.Options)) (*apigateway.GetUsagePlanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetUsagePlan", f.getUsagePlan, in)
}
func (f *fakeAPIGW) UpdateUsagePlan(_ context.Context, in *apigateway.UpdateUsagePlanInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateUsagePlanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "UpdateUsagePlan", f.updateUsagePlan, in)
}
func (f *fakeAPIGW) DeleteUsagePlan(_ context.Context, in *apigateway.DeleteUsagePlanInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteUsagePlan", f.deleteUsagePlan, in)
}
func (f *fakeAPIGW) GetUsagePlanKeys(_ context.Context, in *apigateway.GetUsagePlanKeysInput, _ ...func(*apigateway.Options)) (*apigateway.GetUsagePlanKeysOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "GetUsagePlanKeys", f.getUsagePlanKeys, in)
}
func (f *fakeAPIGW) CreateUsagePlanKey(_ context.Context, in *apigateway.CreateUsagePlanKeyInput, _ ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "CreateUsagePlanKey", f.createUsagePlanKey, in)
}
func (f *fakeAPIGW) DeleteUsagePlanKey(_ context.Context, in *apigateway.DeleteUsagePlanKeyInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fakeCall(&f.calls, "DeleteUsagePlanKey", f.deleteUsagePlanKey, in)
}

var (
	_ RestAPIAPI   = (*apigateway.Client)(nil)
	_ APIKeyAPI    = (*apigateway.Client)(nil)
	_ UsagePlanAPI = (*apigateway.Client)(nil)
	_ RestAPIAPI   = (*fakeAPIGW)(nil)
	_ APIKeyAPI    = (*fakeAPIGW)(nil)
	_ UsagePlanAPI = (*fakeAPIGW)(nil)

	_ reconcile.Limited = (*RestAPI)(nil)
	_ reconcile.Limited = (*APIKey)(nil)
	_ reconcile.Limited = (*UsagePlan)(nil)
)

// The three kinds under unit test: over a fake, in us-east-1, with an instant backoff.

func unitRestAPI(f *fakeAPIGW) *RestAPI {
	k := NewRestAPI(f, "us-east-1", "000000000000")
	k.wait = reconcile.InstantBackoff
	return k
}

func unitAPIKey(f *fakeAPIGW) *APIKey {
	k := NewAPIKey(f, "us-east-1")
	k.wait = reconcile.InstantBackoff
	return k
}

func unitUsagePlan(f *fakeAPIGW) *UsagePlan {
	k := NewUsagePlan(f, "us-east-1")
	k.wait = reconcile.InstantBackoff
	return k
}

// apigwOwnedTags are the tags of an item o owns: its ownership tags and one user tag, as
// desired gives them.
func apigwOwnedTags(o state.Owner) map[string]string {
	tags := o.Tags()
	tags["Project"] = "kindtest"
	return tags
}

// apigwDiffCase is one row of a Diff table: change turns fresh base properties into the
// desired ones; path is the one field expected to differ, "" for none.
type apigwDiffCase[P any] struct {
	name   string
	change func(P)
	path   string
}

// apigwCheckDiffs runs a Diff table, one subtest a case: diff compares the changed properties
// with fresh base ones, and must find nothing, or exactly the case's field, changing in place
// (inPlace is the message when it is ForceNew).
func apigwCheckDiffs[P any](t *testing.T, cases []apigwDiffCase[P], base func() P, diff func(w P) []reconcile.FieldDiff, inPlace string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := base()
			tc.change(w)
			got := diff(w)
			if tc.path == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, tc.path, got[0].Path)
			assert.False(t, got[0].ForceNew, inPlace)
		})
	}
}

// apigwReadAfter makes *read answer NotFoundException until *write was called: a create whose
// visibility read holds back its first writes then fails, as the read waits in vain. (The fake
// takes one call at a time, so the read cannot simply block until the write comes.)
func apigwReadAfter[WI, WO, RI, RO any](write *func(WI) (WO, error), read *func(RI) (RO, error)) {
	var wrote atomic.Bool
	w, r := *write, *read
	*write = func(in WI) (WO, error) {
		wrote.Store(true)
		return w(in)
	}
	*read = func(in RI) (RO, error) {
		if !wrote.Load() {
			var zero RO
			return zero, miscAPIErr("NotFoundException")
		}
		return r(in)
	}
}

// apigwLoses makes create lose the answer of its first call that pick accepts (the connection
// reset after the service answered); made says whether the service did the work first.
func apigwLoses[I, O any](made bool, pick func(I) bool, create func(I) (O, error)) func(I) (O, error) {
	var mu sync.Mutex
	lost := false
	return func(in I) (O, error) {
		mu.Lock()
		lose := !lost && pick(in)
		lost = lost || lose
		mu.Unlock()
		if !lose {
			return create(in)
		}
		var zero O
		if made {
			if _, err := create(in); err != nil {
				return zero, err
			}
		}
		return zero, awscall.LostAnswer(errors.New("read tcp: connection reset by peer"))
	}
}

// apigwFails returns an operation that fails n times with code, then runs then.
func apigwFails[I, O any](n int, code string, then func(I) (O, error)) func(I) (O, error) {
	return func(in I) (O, error) {
		if n > 0 {
			n--
			var zero O
			return zero, miscAPIErr(code)
		}
		return then(in)
	}
}

func TestAPIGWLimitGroup(t *testing.T) {
	for _, l := range []reconcile.Limited{&RestAPI{}, &APIKey{}, &UsagePlan{}} {
		group, n := l.LimitGroup()
		assert.Equal(t, "apigateway", group)
		assert.Equal(t, 3, n, "API Gateway writes run three at a time")
	}
	// The width relies on the pacer holding real AWS to the per-operation quotas.
	require.NotNil(t, pacerFor(aws.Config{}), "calls to AWS are paced")
	for op, every := range map[string]time.Duration{"CreateRestApi": 3 * time.Second, "CreateDeployment": 5 * time.Second,
		"DeleteRestApi": 30 * time.Second, "UpdateUsagePlan": 20 * time.Second} {
		assert.Equal(t, awscall.Rate{Every: every, Burst: 1}, awscall.ControlPlaneRates["API Gateway:"+op], op)
	}
}

func TestAPIGWRetryable(t *testing.T) {
	for code, want := range map[string]bool{
		"TooManyRequestsException": true, "ConflictException": true, "ThrottlingException": true,
		"NotFoundException": false, "BadRequestException": false, "": false,
	} {
		assert.Equal(t, want, apigwRetryable(miscAPIErr(code)), code)
		assert.Equal(t, want && code != "ConflictException", awscall.Throttled(miscAPIErr(code)), code)
	}
}

func TestAPIGWARN(t *testing.T) {
	assert.Equal(t, "arn:aws:apigateway:eu-west-1::/restapis/a1", apigwARN("eu-west-1", "/restapis/a1"))
	assert.Equal(t, "arn:aws-cn:apigateway:cn-north-1::/apikeys/k", apigwARN("cn-north-1", "/apikeys/k"))
	assert.Equal(t, "arn:aws-us-gov:apigateway:us-gov-west-1::/usageplans/p", apigwARN("us-gov-west-1", "/usageplans/p"))
}

func TestAPIGWSyncTags(t *testing.T) {
	o := miscOwner("api").Tags()
	live := map[string]string{"Old": "1", "Team": "a"}
	want := map[string]string{"Team": "b"}
	for k, v := range o {
		live[k], want[k] = v, v
	}
	f := &fakeAPIGW{}
	var set map[string]string
	var removed []string
	f.tagResource = apigwFails(1, "TooManyRequestsException", func(in *apigateway.TagResourceInput) (*apigateway.TagResourceOutput, error) {
		set = in.Tags
		assert.Equal(t, "arn:aws:apigateway:us-east-1::/restapis/a1", *in.ResourceArn)
		return &apigateway.TagResourceOutput{}, nil
	})
	f.untagResource = func(in *apigateway.UntagResourceInput) (*apigateway.UntagResourceOutput, error) {
		removed = in.TagKeys
		return &apigateway.UntagResourceOutput{}, nil
	}
	err := apigwSyncTags(context.Background(), reconcile.InstantBackoff, f, apigwARN("us-east-1", "/restapis/a1"), live, want)
	assert.NoError(t, err)
	assert.Equal(t, map[string]string{"Team": "b"}, set)
	assert.Equal(t, []string{"Old"}, removed)

	f.calls = nil
	assert.NoError(t, apigwSyncTags(context.Background(), reconcile.InstantBackoff, f, "arn", want, want))
	assert.Empty(t, f.calls, "equal tags call nothing")
}

// ---- integration helpers, against the emulator ----

// integrationAPIGW returns a client, the region and the account id of the emulator (never
// hard-coded: moto and LocalStack differ).
func integrationAPIGW(t *testing.T) (*apigateway.Client, string, string) {
	t.Helper()
	cfg := emuConfig(t)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	return apigateway.NewFromConfig(cfg), cfg.Region, aws.ToString(id.Account)
}

// apigwCheckBesideNamesake checks what the three kinds do beside an untagged namesake
// (foreignID, named d.Name) that the test made: k creates d as a new item and leaves the
// namesake untouched (untouched checks it), lists exactly ours under d's suffix and nothing
// under another, and Delete re-checks the tags and refuses the namesake.
func apigwCheckBesideNamesake(t *testing.T, k testKind, d reconcile.Desired, foreignID string, untouched func()) {
	t.Helper()
	ctx := context.Background()
	ours, err := k.Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), ours) })
	assert.NotEqual(t, foreignID, ours.ID)
	untouched()

	o := d.Owner
	mine, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, ours.ID, mine[0].ID)
	other, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")

	err = k.Delete(ctx, state.Resource{Kind: k.Kind.Kind(), Owner: o, ID: foreignID, Name: d.Name})
	require.ErrorIs(t, err, reconcile.ErrNotOwned, "delete re-checks the tags")
}
