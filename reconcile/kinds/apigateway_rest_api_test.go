package kinds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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

// ---- unit tests with a hand-written fake ----

// memRest is one REST API held by memRestAPI.
type memRest struct {
	api         types.RestApi
	resources   map[string]*types.Resource // by id
	deployments map[string]string          // id → description
	stages      map[string]*types.Stage
	authorizers map[string]*types.Authorizer // by id
	next        int
}

// memRestAPI fills the REST API fields of a fakeAPIGW with a small in-memory API Gateway
// holding apis; tests replace single fields to inject errors.
func memRestAPI(apis map[string]*memRest) *fakeAPIGW {
	f := &fakeAPIGW{}
	store := memStoreOf(apis, nil, memMissing("NotFoundException"))
	get := store.get
	f.getRestApis = func(*apigateway.GetRestApisInput) (*apigateway.GetRestApisOutput, error) {
		out := &apigateway.GetRestApisOutput{}
		for _, id := range slices.Sorted(maps.Keys(apis)) {
			out.Items = append(out.Items, apis[id].api)
		}
		return out, nil
	}
	f.getRestApi = func(in *apigateway.GetRestApiInput) (*apigateway.GetRestApiOutput, error) {
		a, err := get(in.RestApiId)
		if err != nil {
			return nil, err
		}
		return &apigateway.GetRestApiOutput{Id: a.api.Id, Name: a.api.Name, Description: a.api.Description, Tags: a.api.Tags,
			RootResourceId: a.api.RootResourceId, EndpointConfiguration: a.api.EndpointConfiguration, ApiKeySource: a.api.ApiKeySource}, nil
	}
	f.createRestApi = func(in *apigateway.CreateRestApiInput) (*apigateway.CreateRestApiOutput, error) {
		id := fmt.Sprintf("api%d", len(apis)+1)
		a := memNewRest(id, aws.ToString(in.Name), in.Tags)
		a.api.Description, a.api.EndpointConfiguration, a.api.ApiKeySource = in.Description, in.EndpointConfiguration, in.ApiKeySource
		apis[id] = a
		return &apigateway.CreateRestApiOutput{Id: a.api.Id, Name: a.api.Name, Description: a.api.Description, Tags: a.api.Tags,
			RootResourceId: a.api.RootResourceId, EndpointConfiguration: a.api.EndpointConfiguration, ApiKeySource: a.api.ApiKeySource}, nil
	}
	f.deleteRestApi = func(in *apigateway.DeleteRestApiInput) (*apigateway.DeleteRestApiOutput, error) {
		if err := store.remove(in.RestApiId); err != nil {
			return nil, err
		}
		return &apigateway.DeleteRestApiOutput{}, nil
	}
	f.updateRestApi = func(in *apigateway.UpdateRestApiInput) (*apigateway.UpdateRestApiOutput, error) {
		a, err := get(in.RestApiId)
		if err != nil {
			return nil, err
		}
		for _, op := range in.PatchOperations {
			if aws.ToString(op.Path) == "/description" {
				a.api.Description = op.Value
			} else if aws.ToString(op.Path) == "/apiKeySource" {
				a.api.ApiKeySource = types.ApiKeySourceType(aws.ToString(op.Value))
			} else if strings.HasPrefix(aws.ToString(op.Path), "/endpointConfiguration/types/") {
				a.api.EndpointConfiguration = &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointType(aws.ToString(op.Value))}}
			}
		}
		return &apigateway.UpdateRestApiOutput{}, nil
	}
	memRestChildren(f, get)
	memRestAuthorizers(f, get)
	memRestStages(f, get)
	return f
}

func memNewRest(id, name string, tags map[string]string) *memRest {
	a := &memRest{api: types.RestApi{Id: aws.String(id), Name: aws.String(name), Tags: tags, RootResourceId: aws.String("root"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"REGIONAL"}}},
		resources:   map[string]*types.Resource{"root": {Id: aws.String("root"), Path: aws.String("/")}},
		deployments: map[string]string{}, stages: map[string]*types.Stage{}, authorizers: map[string]*types.Authorizer{}}
	return a
}

// memRestAuthorizers fills the authorizer calls of f. DeleteAuthorizer refuses an authorizer
// a method still uses, as API Gateway does.
func memRestAuthorizers(f *fakeAPIGW, get func(*string) (*memRest, error)) {
	f.getAuthorizers = func(in *apigateway.GetAuthorizersInput) (*apigateway.GetAuthorizersOutput, error) {
		a, err := get(in.RestApiId)
		if err != nil {
			return nil, err
		}
		out := &apigateway.GetAuthorizersOutput{}
		for _, id := range slices.Sorted(maps.Keys(a.authorizers)) {
			out.Items = append(out.Items, *a.authorizers[id])
		}
		return out, nil
	}
	f.createAuthorizer = func(in *apigateway.CreateAuthorizerInput) (*apigateway.CreateAuthorizerOutput, error) {
		a, _ := get(in.RestApiId)
		a.next++
		id := fmt.Sprintf("auth%d", a.next)
		a.authorizers[id] = &types.Authorizer{Id: aws.String(id), Name: in.Name, Type: in.Type, AuthorizerUri: in.AuthorizerUri,
			IdentitySource: in.IdentitySource, AuthorizerResultTtlInSeconds: in.AuthorizerResultTtlInSeconds}
		return &apigateway.CreateAuthorizerOutput{Id: aws.String(id)}, nil
	}
	f.updateAuthorizer = func(in *apigateway.UpdateAuthorizerInput) (*apigateway.UpdateAuthorizerOutput, error) {
		a, _ := get(in.RestApiId)
		au := a.authorizers[aws.ToString(in.AuthorizerId)]
		for _, op := range in.PatchOperations {
			switch v := op.Value; aws.ToString(op.Path) {
			case "/name":
				au.Name = v
			case "/authorizerUri":
				au.AuthorizerUri = v
			case "/identitySource":
				au.IdentitySource = v
			case "/authorizerResultTtlInSeconds":
				n, _ := strconv.Atoi(aws.ToString(v))
				au.AuthorizerResultTtlInSeconds = aws.Int32(int32(n))
			}
		}
		return &apigateway.UpdateAuthorizerOutput{}, nil
	}
	f.deleteAuthorizer = func(in *apigateway.DeleteAuthorizerInput) (*apigateway.DeleteAuthorizerOutput, error) {
		a, _ := get(in.RestApiId)
		for _, r := range a.resources {
			for _, m := range r.ResourceMethods {
				if aws.ToString(m.AuthorizerId) == aws.ToString(in.AuthorizerId) {
					return nil, miscAPIErr("ConflictException")
				}
			}
		}
		delete(a.authorizers, aws.ToString(in.AuthorizerId))
		return &apigateway.DeleteAuthorizerOutput{}, nil
	}
}

// memAddRoute puts a route straight into a, as an earlier run would have.
func memAddRoute(a *memRest, path, method, auth string, key bool, uri string) {
	var res *types.Resource
	for _, r := range a.resources {
		if aws.ToString(r.Path) == path {
			res = r
		}
	}
	if res == nil {
		a.next++
		res = &types.Resource{Id: aws.String(fmt.Sprintf("r%d", a.next)), Path: aws.String(path)}
		a.resources[*res.Id] = res
	}
	if res.ResourceMethods == nil {
		res.ResourceMethods = map[string]types.Method{}
	}
	res.ResourceMethods[method] = types.Method{HttpMethod: aws.String(method), AuthorizationType: aws.String(auth), ApiKeyRequired: aws.Bool(key),
		MethodIntegration: &types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: aws.String(uri)}}
}

func memRestChildren(f *fakeAPIGW, get func(*string) (*memRest, error)) {
	f.getResources = func(in *apigateway.GetResourcesInput) (*apigateway.GetResourcesOutput, error) {
		a, err := get(in.RestApiId)
		if err != nil {
			return nil, err
		}
		out := &apigateway.GetResourcesOutput{}
		for _, id := range slices.Sorted(maps.Keys(a.resources)) {
			out.Items = append(out.Items, *a.resources[id])
		}
		return out, nil
	}
	f.createResource = func(in *apigateway.CreateResourceInput) (*apigateway.CreateResourceOutput, error) {
		a, _ := get(in.RestApiId)
		parent := a.resources[aws.ToString(in.ParentId)]
		path := strings.TrimSuffix(aws.ToString(parent.Path), "/") + "/" + aws.ToString(in.PathPart)
		a.next++
		r := &types.Resource{Id: aws.String(fmt.Sprintf("r%d", a.next)), Path: aws.String(path), ParentId: in.ParentId}
		a.resources[*r.Id] = r
		return &apigateway.CreateResourceOutput{Id: r.Id, Path: r.Path}, nil
	}
	f.deleteResource = func(in *apigateway.DeleteResourceInput) (*apigateway.DeleteResourceOutput, error) {
		a, _ := get(in.RestApiId)
		delete(a.resources, aws.ToString(in.ResourceId))
		return &apigateway.DeleteResourceOutput{}, nil
	}
	f.putMethod = func(in *apigateway.PutMethodInput) (*apigateway.PutMethodOutput, error) {
		a, _ := get(in.RestApiId)
		r := a.resources[aws.ToString(in.ResourceId)]
		if _, ok := r.ResourceMethods[aws.ToString(in.HttpMethod)]; ok {
			return nil, miscAPIErr("ConflictException")
		}
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]types.Method{}
		}
		r.ResourceMethods[aws.ToString(in.HttpMethod)] = types.Method{HttpMethod: in.HttpMethod, AuthorizationType: in.AuthorizationType,
			ApiKeyRequired: aws.Bool(in.ApiKeyRequired), AuthorizerId: in.AuthorizerId}
		return &apigateway.PutMethodOutput{}, nil
	}
	f.deleteMethod = func(in *apigateway.DeleteMethodInput) (*apigateway.DeleteMethodOutput, error) {
		a, _ := get(in.RestApiId)
		delete(a.resources[aws.ToString(in.ResourceId)].ResourceMethods, aws.ToString(in.HttpMethod))
		return &apigateway.DeleteMethodOutput{}, nil
	}
	f.putIntegration = func(in *apigateway.PutIntegrationInput) (*apigateway.PutIntegrationOutput, error) {
		a, _ := get(in.RestApiId)
		r := a.resources[aws.ToString(in.ResourceId)]
		m := r.ResourceMethods[aws.ToString(in.HttpMethod)]
		m.MethodIntegration = &types.Integration{Type: in.Type, Uri: in.Uri, HttpMethod: in.IntegrationHttpMethod}
		r.ResourceMethods[aws.ToString(in.HttpMethod)] = m
		return &apigateway.PutIntegrationOutput{}, nil
	}
}

func memRestStages(f *fakeAPIGW, get func(*string) (*memRest, error)) {
	f.createDeployment = func(in *apigateway.CreateDeploymentInput) (*apigateway.CreateDeploymentOutput, error) {
		a, _ := get(in.RestApiId)
		id := fmt.Sprintf("d%d", len(a.deployments)+1)
		a.deployments[id] = aws.ToString(in.Description)
		// As AWS: a stage named is pointed at the deployment, or created with it.
		if name := aws.ToString(in.StageName); name != "" {
			if st, ok := a.stages[name]; ok {
				st.DeploymentId = aws.String(id)
			} else {
				a.stages[name] = &types.Stage{StageName: in.StageName, DeploymentId: aws.String(id), TracingEnabled: aws.ToBool(in.TracingEnabled)}
			}
		}
		return &apigateway.CreateDeploymentOutput{Id: aws.String(id)}, nil
	}
	f.getDeployment = func(in *apigateway.GetDeploymentInput) (*apigateway.GetDeploymentOutput, error) {
		a, _ := get(in.RestApiId)
		desc, ok := a.deployments[aws.ToString(in.DeploymentId)]
		if !ok {
			return nil, miscAPIErr("NotFoundException")
		}
		return &apigateway.GetDeploymentOutput{Id: in.DeploymentId, Description: aws.String(desc)}, nil
	}
	f.getStages = func(in *apigateway.GetStagesInput) (*apigateway.GetStagesOutput, error) {
		a, err := get(in.RestApiId)
		if err != nil {
			return nil, err
		}
		out := &apigateway.GetStagesOutput{}
		for _, name := range slices.Sorted(maps.Keys(a.stages)) {
			out.Item = append(out.Item, *a.stages[name])
		}
		return out, nil
	}
	f.createStage = func(in *apigateway.CreateStageInput) (*apigateway.CreateStageOutput, error) {
		a, _ := get(in.RestApiId)
		a.stages[aws.ToString(in.StageName)] = &types.Stage{StageName: in.StageName, DeploymentId: in.DeploymentId, TracingEnabled: in.TracingEnabled}
		return &apigateway.CreateStageOutput{StageName: in.StageName, DeploymentId: in.DeploymentId, TracingEnabled: in.TracingEnabled}, nil
	}
	f.updateStage = func(in *apigateway.UpdateStageInput) (*apigateway.UpdateStageOutput, error) {
		a, _ := get(in.RestApiId)
		memPatchStage(a.stages[aws.ToString(in.StageName)], in.PatchOperations)
		return &apigateway.UpdateStageOutput{}, nil
	}
	f.deleteStage = func(in *apigateway.DeleteStageInput) (*apigateway.DeleteStageOutput, error) {
		a, _ := get(in.RestApiId)
		delete(a.stages, aws.ToString(in.StageName))
		return &apigateway.DeleteStageOutput{}, nil
	}
}

func memPatchStage(s *types.Stage, ops []types.PatchOperation) {
	if s.MethodSettings == nil {
		s.MethodSettings = map[string]types.MethodSetting{}
	}
	m := s.MethodSettings["*/*"]
	for _, op := range ops {
		v := aws.ToString(op.Value)
		switch aws.ToString(op.Path) {
		case "/deploymentId":
			s.DeploymentId = op.Value
		case "/tracingEnabled":
			s.TracingEnabled = v == "true"
		case "/*/*/throttling/rateLimit":
			m.ThrottlingRateLimit, _ = strconv.ParseFloat(v, 64)
		case "/*/*/throttling/burstLimit":
			n, _ := strconv.Atoi(v)
			m.ThrottlingBurstLimit = int32(n)
		case "/*/*/metrics/enabled":
			m.MetricsEnabled = v == "true"
		}
	}
	s.MethodSettings["*/*"] = m
}

const restTestFn = "arn:aws:lambda:us-east-1:000000000000:function:x"

func restUnitProps() *spec.RestAPI {
	return restTestProps("us-east-1", "000000000000")
}

func TestRestAPIDiff(t *testing.T) {
	o := miscOwner("api")
	live := func() state.Resource {
		return state.Resource{Props: restUnitProps(), Attrs: map[string]string{restDeployedAttr: restRoutesHash(restUnitProps().Routes)}}
	}
	for _, tc := range []apigwDiffCase[*spec.RestAPI]{
		{"no change", func(*spec.RestAPI) {}, ""},
		{"route order and default authorization", func(p *spec.RestAPI) {
			p.Routes[0], p.Routes[1] = p.Routes[1], p.Routes[0]
			p.Routes[1].Authorization = ""
		}, ""},
		{"description", func(p *spec.RestAPI) { p.Description = "x" }, "description"},
		{"endpoint type", func(p *spec.RestAPI) { p.EndpointType = "EDGE" }, "endpoint_type"},
		{"route function", func(p *spec.RestAPI) { p.Routes[0].Function = "arn:other" }, "routes"},
		{"route authorization", func(p *spec.RestAPI) { p.Routes[1].Authorization = "NONE" }, "routes"},
		{"route added", func(p *spec.RestAPI) {
			p.Routes = append(p.Routes, spec.Route{Path: "/x", Method: "ANY", Function: "f"})
		}, "routes"},
		{"stage name", func(p *spec.RestAPI) { p.Stage.Name = "v2" }, "stage.name"},
		{"tracing", func(p *spec.RestAPI) { p.Stage.TracingEnabled = false }, "stage.tracing_enabled"},
		{"rate", func(p *spec.RestAPI) { p.Stage.ThrottlingRateLimit = 1 }, "stage.throttling_rate_limit"},
		{"burst", func(p *spec.RestAPI) { p.Stage.ThrottlingBurstLimit = 1 }, "stage.throttling_burst_limit"},
		{"metrics", func(p *spec.RestAPI) { p.Stage.MetricsEnabled = false }, "stage.metrics_enabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := restUnitProps()
			tc.change(w)
			got := tk[spec.RestAPI](&RestAPI{}).Diff(desired(o, "api", w), live())
			var paths []string
			for _, fd := range got {
				paths = append(paths, fd.Path)
				assert.False(t, fd.ForceNew, "every rest api field changes in place")
			}
			if tc.path == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, paths, tc.path)
		})
	}
	t.Run("stale deployment", func(t *testing.T) {
		l := live()
		l.Attrs[restDeployedAttr] = ""
		got := tk[spec.RestAPI](&RestAPI{}).Diff(desired(o, "api", restUnitProps()), l)
		require.Len(t, got, 1)
		assert.Equal(t, "stage.deployment", got[0].Path)
	})
	t.Run("no stage-level limit reads back as -1", func(t *testing.T) {
		l, w := live(), restUnitProps()
		l.Props.(*spec.RestAPI).Stage.ThrottlingRateLimit, w.Stage.ThrottlingRateLimit = -1, 0
		assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(desired(o, "api", w), l))
	})
}

func TestRestFunctionOf(t *testing.T) {
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + restTestFn + "/invocations"
	assert.Equal(t, restTestFn, restFunctionOf(&types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: aws.String(uri)}))
	assert.Equal(t, "", restFunctionOf(nil))
	assert.Equal(t, "AWS "+uri, restFunctionOf(&types.Integration{Type: types.IntegrationTypeAws, Uri: aws.String(uri)}))
	assert.Equal(t, "HTTP_PROXY https://x", restFunctionOf(&types.Integration{Type: types.IntegrationTypeHttpProxy, Uri: aws.String("https://x")}))
}

func TestRestParent(t *testing.T) {
	for path, want := range map[string][2]string{"/a": {"/", "a"}, "/a/{id}": {"/a", "{id}"}, "/a/b/c": {"/a/b", "c"}} {
		parent, part := restParent(path)
		assert.Equal(t, want, [2]string{parent, part}, path)
	}
}

func TestRestStagePatch(t *testing.T) {
	want := spec.Stage{Name: "v1", TracingEnabled: true, MetricsEnabled: true}
	assert.Equal(t, []types.PatchOperation{
		apigwReplace("/tracingEnabled", "true"),
		apigwReplace("/*/*/throttling/rateLimit", "-1"), apigwReplace("/*/*/throttling/burstLimit", "-1"),
		apigwReplace("/*/*/metrics/enabled", "true"),
	}, restStagePatch(spec.Stage{Name: "v1"}, want), "a limit left out is written as none, so that defaults do not creep in")
	want.ThrottlingRateLimit, want.ThrottlingBurstLimit = 12.5, 7
	assert.Equal(t, []types.PatchOperation{
		apigwReplace("/*/*/throttling/rateLimit", "12.5"), apigwReplace("/*/*/throttling/burstLimit", "7"),
		apigwReplace("/*/*/metrics/enabled", "true"),
	}, restStagePatch(spec.Stage{Name: "v1", TracingEnabled: true, MetricsEnabled: true, ThrottlingRateLimit: 1}, want))
	assert.Empty(t, restStagePatch(want, want))
}

func TestRestAPIList(t *testing.T) {
	ours := miscOwner("api")
	apis := map[string]*memRest{
		"a1": memNewRest("a1", "ours", apigwOwnedTags(ours)),
		"a2": memNewRest("a2", "untagged", nil),
		"a3": memNewRest("a3", "other-suffix", apigwOwnedTags(state.Owner{Stack: "shop", Suffix: "prod", ID: "api"})),
		"a4": memNewRest("a4", "other-stack", apigwOwnedTags(state.Owner{Stack: "billing", Suffix: "dev", ID: "api"})),
	}
	f := memRestAPI(apis)
	all := f.getRestApis
	f.getRestApis = func(in *apigateway.GetRestApisInput) (*apigateway.GetRestApisOutput, error) {
		out, _ := all(in)
		if in.Position == nil { // two pages
			return &apigateway.GetRestApisOutput{Items: out.Items[:2], Position: aws.String("2")}, nil
		}
		return &apigateway.GetRestApisOutput{Items: out.Items[2:]}, nil
	}
	got, err := unitRestAPI(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "a1", got[0].ID)
	assert.Equal(t, "arn:aws:execute-api:us-east-1:000000000000:a1", got[0].Attrs["execution_arn"])
	assert.Empty(t, got[0].Attrs["url"], "no stage yet, no url")
	assert.Equal(t, 2, f.calls.count("GetRestApis"), "all pages are read")
	assert.Equal(t, 1, f.calls.count("GetResources"), "children are read for matching APIs only")
}

func TestRestAPICreate(t *testing.T) {
	o := miscOwner("api")
	t.Run("creates beside an untagged namesake, retrying throttling, and deploys", func(t *testing.T) {
		apis := map[string]*memRest{"x": memNewRest("x", "api-dev", nil)}
		f := memRestAPI(apis)
		f.createRestApi = apigwFails(2, "TooManyRequestsException", f.createRestApi)
		f.createDeployment = apigwFails(1, "TooManyRequestsException", f.createDeployment)
		d := desired(o, "api-dev", restUnitProps())
		got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
		assert.Equal(t, d.Tags, apis[got.ID].api.Tags, "the tags go in CreateRestApi")
		assert.Equal(t, 3, f.calls.count("CreateRestApi"))
		assert.Equal(t, 2, f.calls.count("CreateDeployment"))
		assert.Equal(t, 3, f.calls.count("CreateResource"), "/webhook, /events, /events/{eventId}")
		assert.Equal(t, "v1", got.Attrs["stage_name"])
		assert.Len(t, apis["x"].resources, 1, "the namesake is untouched")
	})
	t.Run("a new API is not observed before it is brought to d", func(t *testing.T) {
		f := memRestAPI(map[string]*memRest{})
		d := desired(o, "api-dev", restUnitProps())
		got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
		// CreateRestApi's answer says the API is empty, and the answers of the writes say what
		// they made: nothing is read but the adoption listing and the new API's visibility.
		for _, op := range []string{"GetResources", "GetStages", "GetAuthorizers", "GetDeployment"} {
			assert.Zero(t, f.calls.count(op), op)
		}
		assert.Equal(t, 1, f.calls.count("GetRestApis"))
		assert.Equal(t, 1, f.calls.count("GetRestApi"))
		restAssertObserved(t, f, got)
	})
	// Siblings are created, and routes' methods put, at once; AWS may answer
	// ConflictException ("concurrent modification") to either when nothing exists yet. That
	// is sent again; a method there as wanted (a lost answer, resent) is ours.
	t.Run("concurrent-modification conflicts are sent again", func(t *testing.T) {
		apis := map[string]*memRest{}
		f := memRestAPI(apis)
		f.createResource = apigwFails(2, "ConflictException", f.createResource)
		f.putMethod = apigwFails(1, "ConflictException", f.putMethod)
		d := desired(o, "api-dev", restUnitProps())
		got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
		assert.Len(t, apis[got.ID].resources, 4, "/, /webhook, /events, /events/{eventId}: one each")
		assert.Equal(t, 5, f.calls.count("CreateResource"), "3 resources, 2 sent again")
		assert.Equal(t, 3, f.calls.count("PutMethod"), "2 methods, 1 sent again")
	})
	t.Run("a resent PutMethod refused as existing, as wanted, is done", func(t *testing.T) {
		apis := map[string]*memRest{}
		f := memRestAPI(apis)
		put := f.putMethod
		f.putMethod = func(in *apigateway.PutMethodInput) (*apigateway.PutMethodOutput, error) {
			if _, err := put(in); err != nil { // done, answer lost, sent again
				return nil, err
			}
			return nil, miscAPIErr("ConflictException")
		}
		d := desired(o, "api-dev", restUnitProps())
		got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
		assert.Equal(t, 2, f.calls.count("PutMethod"), "each once")
	})
	t.Run("a PutMethod refused for a different existing method keeps the refusal", func(t *testing.T) {
		apis := map[string]*memRest{}
		f := memRestAPI(apis)
		put := f.putMethod
		f.putMethod = func(in *apigateway.PutMethodInput) (*apigateway.PutMethodOutput, error) {
			other := *in
			other.AuthorizationType = aws.String("AWS_IAM") // someone else's method, made just before
			other.ApiKeyRequired = !in.ApiKeyRequired
			if _, err := put(&other); err != nil {
				return nil, err
			}
			return put(in)
		}
		_, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), desired(o, "api-dev", restUnitProps()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "put method:")
		assert.Contains(t, err.Error(), "ConflictException")
	})
	// A CreateResource whose answer was lost is sent again and refused: by AWS as a conflict,
	// by LocalStack 4.14.0 (for "{eventId}") as a second variable part. The path is ours.
	for _, code := range []string{"ConflictException", "BadRequestException"} {
		t.Run("a resent CreateResource refused with "+code+" uses the resource made", func(t *testing.T) {
			apis := map[string]*memRest{}
			f := memRestAPI(apis)
			create := f.createResource
			f.createResource = func(in *apigateway.CreateResourceInput) (*apigateway.CreateResourceOutput, error) {
				if aws.ToString(in.PathPart) != "{eventId}" {
					return create(in)
				}
				if _, err := create(in); err != nil { // done, answer lost, sent again
					return nil, err
				}
				return nil, miscAPIErr(code)
			}
			d := desired(o, "api-dev", restUnitProps())
			got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
			assert.Len(t, apis[got.ID].resources, 4, "/, /webhook, /events, /events/{eventId}: one each")
		})
	}
	// A CreateResource whose answer was lost is not sent again by the SDK (LocalStack would make
	// a second /webhook): the kind looks the path up and uses the one made, or sends it again
	// when there is none.
	for _, made := range []bool{true, false} {
		t.Run(fmt.Sprintf("a lost CreateResource answer (made: %v) leaves one resource a path", made), func(t *testing.T) {
			apis := map[string]*memRest{}
			f := memRestAPI(apis)
			f.createResource = apigwLoses(made, restWebhook, f.createResource)
			d := desired(o, "api-dev", restUnitProps())
			got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
			assert.Len(t, apis[got.ID].resources, 4, "/, /webhook, /events, /events/{eventId}: one each")
		})
	}
	t.Run("a CreateResource refused with no such path keeps the refusal", func(t *testing.T) {
		apis := map[string]*memRest{}
		f := memRestAPI(apis)
		f.createResource = func(in *apigateway.CreateResourceInput) (*apigateway.CreateResourceOutput, error) {
			return nil, miscAPIErr("BadRequestException")
		}
		_, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), desired(o, "api-dev", restUnitProps()))
		require.Error(t, err)
		assert.Regexp(t, `create resource /(events|webhook):`, err.Error(), "siblings are created at once: either fails first")
		assert.Contains(t, err.Error(), "BadRequestException")
	})
	t.Run("adopts ours; nothing to do", func(t *testing.T) {
		apis := map[string]*memRest{}
		f := memRestAPI(apis)
		d := desired(o, "api-dev", restUnitProps())
		first, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		f.calls = nil
		again, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		f.calls.none(t, "CreateRestApi", "CreateResource", "PutMethod", "PutIntegration", "CreateDeployment", "UpdateStage", "CreateStage")
	})
}

func TestRestAPIUpdateRoutes(t *testing.T) {
	o := miscOwner("api")
	a := memNewRest("a1", "api-dev", apigwOwnedTags(o))
	uri := func(fn string) string {
		return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
	}
	memAddRoute(a, "/webhook", "POST", "AWS_IAM", false, uri(restTestFn))        // authorization differs
	memAddRoute(a, "/events", "GET", "NONE", false, uri(restTestFn))             // not wanted
	memAddRoute(a, "/events/{eventId}", "GET", "AWS_IAM", false, uri("arn:old")) // function differs
	memAddRoute(a, "/old", "DELETE", "NONE", false, uri(restTestFn))             // not wanted, resource goes
	a.deployments["d0"] = "made by hand"
	a.stages["v1"] = &types.Stage{StageName: aws.String("v1"), DeploymentId: aws.String("d0")}
	a.stages["old"] = &types.Stage{StageName: aws.String("old"), DeploymentId: aws.String("d0")}
	f := memRestAPI(map[string]*memRest{"a1": a})
	k := unitRestAPI(f)
	live, err := k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, live, 1)
	assert.Equal(t, "old", live[0].Props.(*spec.RestAPI).Stage.Name, "the first stage by name is observed")

	f.updateStage = apigwFails(1, "ConflictException", f.updateStage)
	d := desired(o, "api-dev", restUnitProps())
	got, err := tk[spec.RestAPI](k).Update(context.Background(), d, live[0])
	require.NoError(t, err)
	assert.Empty(t, tk[spec.RestAPI](k).Diff(d, got))
	assert.Equal(t, 3, f.calls.count("DeleteMethod"), "GET /events and DELETE /old go, POST /webhook is put again")
	assert.Equal(t, 1, f.calls.count("PutMethod"))
	assert.Equal(t, 2, f.calls.count("PutIntegration"))
	assert.Equal(t, 1, f.calls.count("DeleteResource"), "/old is left empty; /events still has a child")
	assert.Equal(t, 1, f.calls.count("CreateDeployment"))
	assert.Equal(t, "d2", aws.ToString(a.stages["v1"].DeploymentId), "the stage serves the new deployment")
	assert.NotContains(t, a.stages, "old", "other stages are deleted")
	assert.Equal(t, 2, f.calls.count("UpdateStage"), "a conflict is retried")
}

func TestRestAPIRedeploysStaleStage(t *testing.T) {
	o := miscOwner("api")
	apis := map[string]*memRest{}
	f := memRestAPI(apis)
	k := unitRestAPI(f)
	d := desired(o, "api-dev", restUnitProps())
	live, err := tk[spec.RestAPI](k).Create(context.Background(), d)
	require.NoError(t, err)
	// A run that put a route and crashed before deploying leaves a stage serving fewer routes.
	stale := restUnitProps()
	stale.Routes = stale.Routes[:1]
	_, err = tk[spec.RestAPI](k).Update(context.Background(), desired(o, "api-dev", stale), live) // deploys one route
	require.NoError(t, err)
	f.calls = nil
	memAddRoute(apis[live.ID], "/events/{eventId}", "GET", "AWS_IAM", false,
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"+restTestFn+"/invocations")
	got, err := k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	diff := tk[spec.RestAPI](k).Diff(d, got[0])
	require.Len(t, diff, 1, "routes match, the deployment does not")
	assert.Equal(t, "stage.deployment", diff[0].Path)
	updated, err := tk[spec.RestAPI](k).Update(context.Background(), d, got[0])
	require.NoError(t, err)
	assert.Empty(t, tk[spec.RestAPI](k).Diff(d, updated))
	assert.Equal(t, 1, f.calls.count("CreateDeployment"))
}

func TestRestAPIDelete(t *testing.T) {
	o := miscOwner("api")
	live := state.Resource{Kind: "apigateway.rest_api", Owner: o, ID: "a1", Name: "api-dev"}
	t.Run("retries throttling, waits until gone", func(t *testing.T) {
		apis := map[string]*memRest{"a1": memNewRest("a1", "api-dev", apigwOwnedTags(o))}
		f := memRestAPI(apis)
		f.deleteRestApi = apigwFails(2, "TooManyRequestsException", f.deleteRestApi)
		require.NoError(t, unitRestAPI(f).Delete(context.Background(), live))
		assert.Empty(t, apis)
		assert.Equal(t, 3, f.calls.count("DeleteRestApi"))
	})
	t.Run("already gone", func(t *testing.T) {
		f := memRestAPI(map[string]*memRest{})
		require.NoError(t, unitRestAPI(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteRestApi")
	})
	t.Run("refuses an api that is not ours", func(t *testing.T) {
		apis := map[string]*memRest{"a1": memNewRest("a1", "api-dev", map[string]string{"Team": "x"})}
		f := memRestAPI(apis)
		require.ErrorIs(t, unitRestAPI(f).Delete(context.Background(), live), reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteRestApi")
		assert.Len(t, apis, 1)
	})
	t.Run("gone between the check and the delete", func(t *testing.T) {
		apis := map[string]*memRest{"a1": memNewRest("a1", "api-dev", apigwOwnedTags(o))}
		f := memRestAPI(apis)
		f.deleteRestApi = func(*apigateway.DeleteRestApiInput) (*apigateway.DeleteRestApiOutput, error) {
			delete(apis, "a1")
			return nil, miscAPIErr("NotFoundException")
		}
		require.NoError(t, unitRestAPI(f).Delete(context.Background(), live))
	})
}

func TestRestAPIUpdateRefusesForeignLive(t *testing.T) {
	f := &fakeAPIGW{}
	live := state.Resource{ID: "a1", Name: "api-dev", Props: restUnitProps(), Tags: map[string]string{"Team": "x"}}
	_, err := tk[spec.RestAPI](unitRestAPI(f)).Update(context.Background(), desired(miscOwner("api"), "api-dev", restUnitProps()), live)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Empty(t, f.calls)
}

// ---- integration tests against the emulator ----

// restTestProps is the seed stack's API: two routes on a function ARN that need not exist
// (API Gateway does not check it until invocation), tracing and throttling on the stage.
func restTestProps(region, account string) *spec.RestAPI {
	fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:x", region, account)
	return &spec.RestAPI{
		Description: "payment webhooks", EndpointType: "REGIONAL",
		Routes: []spec.Route{
			{Path: "/webhook", Method: "POST", Authorization: "NONE", APIKeyRequired: true, Function: fn},
			{Path: "/events/{eventId}", Method: "GET", Authorization: "AWS_IAM", Function: fn},
		},
		Stage: spec.Stage{Name: "v1", TracingEnabled: true, ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50, MetricsEnabled: true},
	}
}

// restEmu is a REST API kind on the test emulator and a desired API for a fresh owner.
type restEmu struct {
	client          *apigateway.Client
	region, account string
	k               *RestAPI
	d               reconcile.Desired
}

// restOnEmulator sets up a restEmu whose API has the properties props gives for the emulator's
// region and account.
func restOnEmulator(t *testing.T, props func(region, account string) *spec.RestAPI) restEmu {
	t.Helper()
	client, region, account := integrationAPIGW(t)
	o := testOwner(t, "api")
	return restEmu{client: client, region: region, account: account, k: NewRestAPI(client, region, account),
		d: desired(o, "kindtest-api-"+o.Suffix, props(region, account))}
}

func TestRestAPILifecycle(t *testing.T) {
	e := restOnEmulator(t, restTestProps)
	k, d := e.k, e.d
	checkLifecycle(t, tk[spec.RestAPI](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.RestAPI)
		p.Routes = append(append([]spec.Route{}, p.Routes...),
			spec.Route{Path: "/events/{eventId}/replay", Method: "POST", Authorization: "AWS_IAM", Function: p.Routes[0].Function})
		p.Stage.ThrottlingRateLimit, p.Stage.ThrottlingBurstLimit = 20, 10
		p.Description = "payment webhooks, v2"
		d.Props = &p
		return d
	})
}

func TestRestAPIAttrs(t *testing.T) {
	e := restOnEmulator(t, restTestProps)
	client, region, account, k, d := e.client, e.region, e.account, e.k, e.d
	got := createForTest(t, tk[spec.RestAPI](k), d)

	id := got.ID
	assert.Equal(t, id, got.Attrs["id"])
	assert.NotEmpty(t, got.Attrs["root_resource_id"])
	assert.Equal(t, "v1", got.Attrs["stage_name"])
	assert.Equal(t, fmt.Sprintf("arn:aws:execute-api:%s:%s:%s", region, account, id), got.Attrs["execution_arn"])
	assert.Equal(t, fmt.Sprintf("arn:aws:apigateway:%s::/restapis/%s/stages/v1", region, id), got.Attrs["stage_arn"])
	assert.Equal(t, fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com/v1", id, region), got.Attrs["url"])
	for _, a := range spec.Kinds {
		if a.Kind == k.Kind() {
			for _, name := range a.Attributes {
				assert.Contains(t, got.Attrs, name)
			}
		}
	}
	out, err := client.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: aws.String(id)})
	require.NoError(t, err)
	var paths []string
	for _, r := range out.Items {
		paths = append(paths, aws.ToString(r.Path))
	}
	assert.ElementsMatch(t, []string{"/", "/webhook", "/events", "/events/{eventId}"}, paths)
}

// TestRestAPIDeploysAfterRouteChange checks what API Gateway needs to serve a change: a new
// deployment, with the stage pointed at it; a stage-only change deploys nothing.
func TestRestAPIDeploysAfterRouteChange(t *testing.T) {
	e := restOnEmulator(t, restTestProps)
	ctx := context.Background()
	client, k, d := e.client, e.k, e.d
	live := createForTest(t, tk[spec.RestAPI](k), d)
	var err error
	deployment := func() (string, int) {
		st, err := client.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(live.ID), StageName: aws.String("v1")})
		require.NoError(t, err)
		deps, err := client.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: aws.String(live.ID)})
		require.NoError(t, err)
		return aws.ToString(st.DeploymentId), len(deps.Items)
	}
	first, n := deployment()
	require.NotEmpty(t, first)
	assert.Equal(t, 1, n)

	p := *d.Props.(*spec.RestAPI)
	p.Stage.MetricsEnabled = false
	d.Props = &p
	live, err = tk[spec.RestAPI](k).Update(ctx, d, live)
	require.NoError(t, err)
	assert.Empty(t, tk[spec.RestAPI](k).Diff(d, live))
	same, n := deployment()
	assert.Equal(t, first, same, "a stage setting alone deploys nothing")
	assert.Equal(t, 1, n)

	p.Routes = []spec.Route{p.Routes[0], {Path: "/webhook", Method: "PUT", Function: p.Routes[0].Function}}
	live, err = tk[spec.RestAPI](k).Update(ctx, d, live)
	require.NoError(t, err)
	assert.Empty(t, tk[spec.RestAPI](k).Diff(d, live))
	second, n := deployment()
	assert.NotEqual(t, first, second, "the stage serves a new deployment")
	assert.Equal(t, 2, n)
	out, err := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(live.ID)})
	require.NoError(t, err)
	var paths []string
	for _, r := range out.Items {
		paths = append(paths, aws.ToString(r.Path))
	}
	assert.ElementsMatch(t, []string{"/", "/webhook"}, paths, "resources left empty are deleted")
}

// REST API names are not unique: an untagged namesake is left alone, and ours is made beside it.
func TestRestAPILeavesUntaggedNamesakeAndListsBySuffix(t *testing.T) {
	client, region, account := integrationAPIGW(t)
	ctx := context.Background()
	k := NewRestAPI(client, region, account)
	o := testOwner(t, "api")
	name := "kindtest-api-" + o.Suffix
	foreign, err := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name), Description: aws.String("theirs")})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteRestApi(context.Background(), &apigateway.DeleteRestApiInput{RestApiId: foreign.Id})
	})

	apigwCheckBesideNamesake(t, tk[spec.RestAPI](k), desired(o, name, restTestProps(region, account)), aws.ToString(foreign.Id), func() {
		theirs, err := client.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: foreign.Id})
		require.NoError(t, err)
		assert.Equal(t, "theirs", aws.ToString(theirs.Description))
		assert.Empty(t, theirs.Tags, "the namesake is left untouched")
		res, err := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: foreign.Id})
		require.NoError(t, err)
		assert.Len(t, res.Items, 1, "only its root resource")
	})
}

// restAssertObserved checks that what Create returned is what observing the API finds.
func restAssertObserved(t *testing.T, f *fakeAPIGW, got state.Resource) {
	t.Helper()
	read, err := unitRestAPI(f).gw().readBack(context.Background(), "read", got.Name, got.ID)
	require.NoError(t, err)
	assert.Equal(t, read, got)
}

func restWebhook(in *apigateway.CreateResourceInput) bool {
	return aws.ToString(in.PathPart) == "webhook"
}

// TestRestAPICreateFreshAPI: the first writes on a new API do not wait for its visibility
// read; they wait out a NotFoundException for the new id themselves, as does the look-up that
// settles a lost answer. Nothing is made twice.
func TestRestAPICreateFreshAPI(t *testing.T) {
	o := miscOwner("api")
	notFound := miscAPIErr("NotFoundException")
	for _, tc := range []struct {
		name   string
		inject func(f *fakeAPIGW)
	}{
		{"CreateResource misses the API", func(f *fakeAPIGW) {
			f.createResource = missing(2, notFound, f.createResource)
		}},
		{"CreateAuthorizer misses the API", func(f *fakeAPIGW) {
			f.createAuthorizer = missing(2, notFound, f.createAuthorizer)
		}},
		{"a lost CreateResource answer is settled once the tree reads", func(f *fakeAPIGW) {
			f.createResource = apigwLoses(true, restWebhook, f.createResource)
			f.getResources = missing(2, notFound, f.getResources)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apis := map[string]*memRest{}
			f := memRestAPI(apis)
			tc.inject(f)
			ctx, lines := reports(t)
			d := desired(o, "api-dev", restAuthorizedProps("us-east-1", "000000000000"))
			got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(ctx, d)
			require.NoError(t, err)
			assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
			assert.Equal(t, 1, f.calls.count("CreateRestApi"))
			a := apis[got.ID]
			assert.Len(t, a.resources, 5, "/, /webhook, /webhook/{provider}, /events, /events/{eventId}: one each")
			assert.Len(t, a.authorizers, 1)
			assertWaited(t, *lines, "api gateway rest api api-dev to be visible")
		})
	}
	t.Run("the visibility read runs beside the first writes", func(t *testing.T) {
		f := memRestAPI(map[string]*memRest{})
		apigwReadAfter(&f.createResource, &f.getRestApi)
		d := desired(o, "api-dev", restUnitProps())
		got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
	})
	t.Run("a visibility read that fails fails the create", func(t *testing.T) {
		f := memRestAPI(map[string]*memRest{})
		f.getRestApi = func(*apigateway.GetRestApiInput) (*apigateway.GetRestApiOutput, error) {
			return nil, miscAPIErr("AccessDeniedException")
		}
		_, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), desired(o, "api-dev", restUnitProps()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "create api gateway rest api api-dev:")
		assert.Contains(t, err.Error(), "AccessDeniedException")
	})
}

// TestRestAPICreateLostAnswer: CreateRestApi is sent once; a lost answer is settled by the
// adoption listing, which finds the API the lost answer made, and the build completes it.
func TestRestAPICreateLostAnswer(t *testing.T) {
	quickSettle(t)
	for _, made := range []bool{true, false} {
		t.Run(fmt.Sprintf("made: %v", made), func(t *testing.T) {
			apis := map[string]*memRest{}
			f := memRestAPI(apis)
			f.createRestApi = apigwLoses(made, func(*apigateway.CreateRestApiInput) bool { return true }, f.createRestApi)
			d := desired(miscOwner("api"), "api-dev", restUnitProps())
			got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
			assert.Len(t, apis, 1, "one API, never two")
			want := 2
			if made {
				want = 1 // the look-up found it
			}
			assert.Equal(t, want, f.calls.count("CreateRestApi"))
		})
	}
}

// TestRestAPICreateStage: the deployment creates the stage (CreateDeployment's stageName, no
// CreateStage), and one UpdateStage writes what CreateDeployment cannot carry, or nothing
// when the stage wants only defaults.
func TestRestAPICreateStage(t *testing.T) {
	for _, tc := range []struct {
		name         string
		stage        spec.Stage
		ignoreTrace  bool // as moto: CreateDeployment's tracingEnabled is dropped
		updateStages int
	}{
		{"settings", spec.Stage{Name: "v1", TracingEnabled: true, ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50, MetricsEnabled: true}, false, 1},
		{"tracing where CreateDeployment drops it", spec.Stage{Name: "v1", TracingEnabled: true}, true, 1},
		{"defaults only", spec.Stage{Name: "v1"}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apis := map[string]*memRest{}
			f := memRestAPI(apis)
			deploy := f.createDeployment
			f.createDeployment = func(in *apigateway.CreateDeploymentInput) (*apigateway.CreateDeploymentOutput, error) {
				assert.Equal(t, tc.stage.Name, aws.ToString(in.StageName), "the new stage comes with the deployment")
				if tc.ignoreTrace {
					c := *in
					c.TracingEnabled = nil
					in = &c
				}
				return deploy(in)
			}
			p := restUnitProps()
			p.Stage = tc.stage
			d := desired(miscOwner("api"), "api-dev", p)
			got, err := tk[spec.RestAPI](unitRestAPI(f)).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Empty(t, tk[spec.RestAPI](&RestAPI{}).Diff(d, got))
			assert.Equal(t, 1, f.calls.count("CreateDeployment"))
			assert.Equal(t, tc.updateStages, f.calls.count("UpdateStage"))
			f.calls.none(t, "CreateStage")
			restAssertObserved(t, f, got)
		})
	}
	t.Run("a renamed stage is created by the new deployment, the old one deleted", func(t *testing.T) {
		apis := map[string]*memRest{}
		f := memRestAPI(apis)
		k := tk[spec.RestAPI](unitRestAPI(f))
		o := miscOwner("api")
		live, err := k.Create(context.Background(), desired(o, "api-dev", restUnitProps()))
		require.NoError(t, err)
		p := restUnitProps()
		p.Stage.Name = "v2"
		d := desired(o, "api-dev", p)
		f.calls = nil
		got, err := k.Update(context.Background(), d, live)
		require.NoError(t, err)
		assert.Empty(t, k.Diff(d, got))
		assert.Equal(t, []string{"v2"}, slices.Sorted(maps.Keys(apis[live.ID].stages)))
		assert.Equal(t, 1, f.calls.count("CreateDeployment"))
		f.calls.none(t, "CreateStage")
	})
}
