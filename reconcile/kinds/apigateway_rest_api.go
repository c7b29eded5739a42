package kinds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// RestAPIAPI is the part of the API Gateway API the apigateway.rest_api kind uses;
// *apigateway.Client satisfies it.
type RestAPIAPI interface {
	CreateRestApi(ctx context.Context, in *apigateway.CreateRestApiInput, opts ...func(*apigateway.Options)) (*apigateway.CreateRestApiOutput, error)
	GetRestApi(ctx context.Context, in *apigateway.GetRestApiInput, opts ...func(*apigateway.Options)) (*apigateway.GetRestApiOutput, error)
	GetRestApis(ctx context.Context, in *apigateway.GetRestApisInput, opts ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error)
	UpdateRestApi(ctx context.Context, in *apigateway.UpdateRestApiInput, opts ...func(*apigateway.Options)) (*apigateway.UpdateRestApiOutput, error)
	DeleteRestApi(ctx context.Context, in *apigateway.DeleteRestApiInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteRestApiOutput, error)
	GetResources(ctx context.Context, in *apigateway.GetResourcesInput, opts ...func(*apigateway.Options)) (*apigateway.GetResourcesOutput, error)
	CreateResource(ctx context.Context, in *apigateway.CreateResourceInput, opts ...func(*apigateway.Options)) (*apigateway.CreateResourceOutput, error)
	DeleteResource(ctx context.Context, in *apigateway.DeleteResourceInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteResourceOutput, error)
	PutMethod(ctx context.Context, in *apigateway.PutMethodInput, opts ...func(*apigateway.Options)) (*apigateway.PutMethodOutput, error)
	DeleteMethod(ctx context.Context, in *apigateway.DeleteMethodInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteMethodOutput, error)
	PutIntegration(ctx context.Context, in *apigateway.PutIntegrationInput, opts ...func(*apigateway.Options)) (*apigateway.PutIntegrationOutput, error)
	CreateDeployment(ctx context.Context, in *apigateway.CreateDeploymentInput, opts ...func(*apigateway.Options)) (*apigateway.CreateDeploymentOutput, error)
	GetDeployment(ctx context.Context, in *apigateway.GetDeploymentInput, opts ...func(*apigateway.Options)) (*apigateway.GetDeploymentOutput, error)
	GetStages(ctx context.Context, in *apigateway.GetStagesInput, opts ...func(*apigateway.Options)) (*apigateway.GetStagesOutput, error)
	UpdateStage(ctx context.Context, in *apigateway.UpdateStageInput, opts ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error)
	DeleteStage(ctx context.Context, in *apigateway.DeleteStageInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteStageOutput, error)
	RestAuthorizerAPI
	apigwTagAPI
}

// RestAPI implements apigateway.rest_api: the API, its resources, methods and Lambda proxy
// integrations, one deployment and one stage. Its ID is the API id.
//
// Everything changes in place, so Diff marks nothing ForceNew: description and endpoint type
// through UpdateRestApi, routes through PutMethod / DeleteMethod / PutIntegration (a method
// whose authorization or api key flag changes is deleted and put again: the deployed stage is
// unaffected until the next deployment), the stage through CreateDeployment (which creates a
// missing stage) and UpdateStage. A stage name change creates the new stage and deletes the
// old one.
//
// API Gateway serves nothing new until a deployment: after any route change Update creates a
// deployment and points the stage at it. The deployment's description carries a hash of the
// routes it was made from, observed as the extra attribute deployed_routes, so that a run
// that crashed between the route changes and the deployment still shows a diff (and
// redeploys) on the next run.
//
// REST API names are not unique: Create adopts an API of that name carrying exactly d's
// ownership tags and otherwise creates one, leaving an untagged namesake alone.
type RestAPI struct {
	apigwBase
	api     RestAPIAPI
	account string
}

// NewRestAPI returns the apigateway.rest_api kind over api (an *apigateway.Client); region and
// account make its ARNs and URL.
func NewRestAPI(api RestAPIAPI, region, account string) *RestAPI {
	return &RestAPI{apigwBase: apigwNewBase(region), api: api, account: account}
}

func (*RestAPI) Kind() string { return "apigateway.rest_api" }

// CreateCost is a create's round trips one after another (reconcile.Costed): the adoption
// listing, CreateRestApi, a level of resources per path depth (two in the example; the
// authorizer and the new API's visibility read alongside the first), methods, integrations,
// the deployment that creates the stage, and the stage's settings.
func (*RestAPI) CreateCost() int { return 8 }

// gw describes REST APIs to the steps the API Gateway kinds share.
func (k *RestAPI) gw() apigwType[types.RestApi, spec.RestAPI, *spec.RestAPI] {
	return apigwType[types.RestApi, spec.RestAPI, *spec.RestAPI]{apigwBase: k.apigwBase, kind: k, api: k.api,
		noun: "api gateway rest api", path: "/restapis/", get: k.get, observe: k.observe,
		list: func(ctx context.Context, _ string) ([]types.RestApi, error) { return k.apis(ctx) },
		name: func(api types.RestApi) string { return aws.ToString(api.Name) },
		tags: func(api types.RestApi) map[string]string { return api.Tags },
	}
}

const (
	restDeployedAttr  = "deployed_routes"
	restDeployPrefix  = "provisioner routes "
	restAllMethods    = "/*/*"
	restMethodsKey    = "*/*"
	restLambdaPathFmt = "arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
)

// Diff compares every property; all change in place. Routes compare as a sorted list with
// authorization defaulting to NONE; throttling limits of zero or less mean "none".
func (*RestAPI) Diff(d reconcile.Want[*spec.RestAPI], live reconcile.Have[*spec.RestAPI]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("description", l.Description, w.Description)
	ds.Field("endpoint_type", l.EndpointType, w.EndpointType)
	ds.Field("routes", restRoutes(l.Routes), restRoutes(w.Routes))
	ds.Field("stage.name", l.Stage.Name, w.Stage.Name)
	ds.Field("stage.tracing_enabled", l.Stage.TracingEnabled, w.Stage.TracingEnabled)
	ds.Field("stage.throttling_rate_limit", restRate(l.Stage.ThrottlingRateLimit), restRate(w.Stage.ThrottlingRateLimit))
	ds.Field("stage.throttling_burst_limit", restBurst(l.Stage.ThrottlingBurstLimit), restBurst(w.Stage.ThrottlingBurstLimit))
	ds.Field("stage.metrics_enabled", l.Stage.MetricsEnabled, w.Stage.MetricsEnabled)
	ds.Field("stage.deployment", live.Attrs[restDeployedAttr], restRoutesHash(w.Routes))
	ds.Field("api_key_source", restAPIKeySource(types.ApiKeySourceType(l.APIKeySource)), restAPIKeySource(types.ApiKeySourceType(w.APIKeySource)))
	ds.Field("authorizer", l.Authorizer, w.Authorizer)
	return ds
}

func restRate(v float64) float64 { return max(v, 0) }
func restBurst(v int) int        { return max(v, 0) }

// restRoutes is the canonical form of routes: authorization "" is NONE, sorted by path, then
// method.
func restRoutes(in []spec.Route) []spec.Route {
	out := make([]spec.Route, 0, len(in))
	for _, r := range in {
		if r.Authorization == "" {
			r.Authorization = "NONE"
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// restRoutesHash identifies a set of routes, for the deployment made from it.
func restRoutesHash(routes []spec.Route) string {
	h := sha256.New()
	for _, r := range restRoutes(routes) {
		fmt.Fprintf(h, "%s %s %s %t %s\n", r.Method, r.Path, r.Authorization, r.APIKeyRequired, r.Function)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// List pages through every REST API (GetRestApis returns their tags) and observes those whose
// tags the selector matches.
func (k *RestAPI) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return k.gw().listOwned(ctx, sel)
}

func (k *RestAPI) apis(ctx context.Context) ([]types.RestApi, error) {
	in := &apigateway.GetRestApisInput{Limit: aws.Int32(apigwPageSize)}
	return apigwPages(ctx, in, &in.Position, k.api.GetRestApis, func(o *apigateway.GetRestApisOutput) ([]types.RestApi, *string) {
		return o.Items, o.Position
	})
}

// Create adopts the API named d.Name that carries d's ownership tags, or creates one with the
// tags in CreateRestApi; either way it then brings routes and stage to d. A crash in between
// leaves a tagged API that a rerun adopts and completes.
func (k *RestAPI) Create(ctx context.Context, d reconcile.Want[*spec.RestAPI]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) {
		return k.gw().create(ctx, d, k.create)
	})
}

// create makes the API, tags included, then builds it to d, the new API's visibility read
// alongside (apigwType.visibleBeside).
func (k *RestAPI) create(ctx context.Context, d reconcile.Desired, p *spec.RestAPI) (state.Resource, error) {
	in := &apigateway.CreateRestApiInput{Name: aws.String(d.Name), Description: aws.String(p.Description), Tags: d.Tags,
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointType(p.EndpointType)}}}
	if p.APIKeySource != "" {
		in.ApiKeySource = types.ApiKeySourceType(p.APIKeySource)
	}
	var api types.RestApi
	err := apigwDo(awscall.Once(ctx), k.wait, apigwRetryable, func(ctx context.Context) error {
		out, err := k.api.CreateRestApi(ctx, in)
		if err == nil {
			api = types.RestApi{Id: out.Id, Name: out.Name, Description: out.Description, Tags: out.Tags,
				RootResourceId: out.RootResourceId, EndpointConfiguration: out.EndpointConfiguration, ApiKeySource: out.ApiKeySource}
		}
		return err
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create api gateway rest api %s: %w", d.Name, err)
	}
	var r state.Resource
	err = k.gw().visibleBeside(ctx, d.Name, aws.ToString(api.Id), func(ctx context.Context, fresh apigwWrite) (err error) {
		r, err = k.build(ctx, api, p, fresh)
		return err
	})
	return r, err
}

// build brings a new API, which has only its root resource (CreateRestApi's answer names
// it), to p without reading anything: the authorizer alongside the first level of resources
// (those first writes through fresh), the resources level by level (siblings at once), the
// methods of every route at once, then their integrations, the deployment that creates the
// stage, and the stage's settings. What was written, and their answers, are
// what observing the API would find, so the resource returned is made from them: reading back
// the tree, stage, deployment and authorizer just written cost five round trips on the apply's
// critical path, and the verifying pass after the apply observes the API anyway. API Gateway
// writes are paced per call (awscall.Pacer), so the writes at once stay within its quotas.
//
// A failure part-way leaves a tagged API that the next run adopts and completes through
// Update, as after a crash.
func (k *RestAPI) build(ctx context.Context, api types.RestApi, p *spec.RestAPI, fresh apigwWrite) (state.Resource, error) {
	id := aws.ToString(api.Id)
	tree := &restTree{ids: map[string]string{"/": aws.ToString(api.RootResourceId)}, methods: map[string]map[string]types.Method{}}
	var aid string
	var aerr error
	var wg sync.WaitGroup
	if p.Authorizer != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			aid, _, aerr = k.createAuthorizer(ctx, id, p.Authorizer, fresh)
		}()
	}
	rerr := k.makePaths(ctx, id, tree, p.Routes, fresh)
	wg.Wait()
	if err := errors.Join(aerr, rerr); err != nil {
		return state.Resource{}, err
	}
	routes := restRoutes(p.Routes)
	if err := k.putRoutes(ctx, id, tree, routes, aid); err != nil {
		return state.Resource{}, fmt.Errorf("routes: %w", err)
	}
	hash := restRoutesHash(p.Routes)
	if err := k.pointStage(ctx, id, p.Stage, nil, true, hash); err != nil {
		return state.Resource{}, fmt.Errorf("stage %s: %w", p.Stage.Name, err)
	}
	var auth *spec.RestAuthorizer
	if p.Authorizer != nil {
		a := *p.Authorizer
		auth = &a
	}
	stage := spec.Stage{Name: p.Stage.Name, TracingEnabled: p.Stage.TracingEnabled, MetricsEnabled: p.Stage.MetricsEnabled,
		ThrottlingRateLimit: restRate(p.Stage.ThrottlingRateLimit), ThrottlingBurstLimit: restBurst(p.Stage.ThrottlingBurstLimit)}
	return k.resource(api, routes, stage, hash, auth), nil
}

// makePaths creates every resource the routes need that tree lacks, parents before children
// and the resources of one depth at once (CreateResource takes the parent's id). The first
// level goes through first (build's fresh), the later ones follow a write the API answered.
func (k *RestAPI) makePaths(ctx context.Context, apiID string, tree *restTree, routes []spec.Route, first apigwWrite) error {
	byDepth := map[int][]string{}
	deepest := 0
	seen := map[string]bool{}
	for _, r := range routes {
		for p := r.Path; p != "/" && !seen[p]; p, _ = restParent(p) {
			seen[p] = true
			if _, ok := tree.ids[p]; !ok {
				depth := strings.Count(p, "/")
				byDepth[depth] = append(byDepth[depth], p)
				deepest = max(deepest, depth)
			}
		}
	}
	on := first
	for depth := 1; depth <= deepest; depth++ {
		paths := byDepth[depth]
		if len(paths) == 0 {
			continue
		}
		sort.Strings(paths)
		ids, err := awscall.Gather(ctx, paths, func(ctx context.Context, path string) (string, bool, error) {
			parent, _ := restParent(path)
			id, err := k.createResource(ctx, apiID, tree.ids[parent], path, on)
			return id, true, err
		})
		if err != nil {
			return err
		}
		for i, path := range paths {
			tree.ids[path] = ids[i]
		}
		on = apigwNow
	}
	return nil
}

// putRoutes puts the methods of every route at once, then their integrations (an integration
// needs its method). Their resources are in tree.
func (k *RestAPI) putRoutes(ctx context.Context, apiID string, tree *restTree, routes []spec.Route, authID string) error {
	each := func(step func(ctx context.Context, r spec.Route) error) error {
		_, err := awscall.Gather(ctx, routes, func(ctx context.Context, r spec.Route) (struct{}, bool, error) {
			if err := step(ctx, r); err != nil {
				return struct{}{}, false, fmt.Errorf("%s %s: %w", r.Method, r.Path, err)
			}
			return struct{}{}, false, nil
		})
		return err
	}
	if err := each(func(ctx context.Context, r spec.Route) error {
		return k.putMethod(ctx, apiID, tree.ids[r.Path], r, authID)
	}); err != nil {
		return err
	}
	return each(func(ctx context.Context, r spec.Route) error {
		return k.putIntegration(ctx, apiID, tree.ids[r.Path], r)
	})
}

// Update brings the API to d: its own settings, the routes, a new deployment when routes
// changed, the stage, and the tags; then reads it back.
func (k *RestAPI) Update(ctx context.Context, d reconcile.Want[*spec.RestAPI], live reconcile.Have[*spec.RestAPI], changes reconcile.Changes) (state.Resource, error) {
	gw := k.gw()
	w, l := d.Props, live.Props
	if err := gw.owned(d.Desired, live.Resource); err != nil {
		return state.Resource{}, err
	}
	if err := k.updateAPI(ctx, live.ID, changes, l, w); err != nil {
		return state.Resource{}, fmt.Errorf("update api gateway rest api %s: %w", d.Name, err)
	}
	authID, authChanged, err := k.syncAuthorizer(ctx, live.ID, w.Authorizer)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update api gateway rest api %s: %w", d.Name, err)
	}
	changed, err := k.syncRoutes(ctx, live.ID, w.Routes, authID)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update api gateway rest api %s: routes: %w", d.Name, err)
	}
	dropped, err := k.dropAuthorizer(ctx, live.ID, authID, w.Authorizer)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update api gateway rest api %s: %w", d.Name, err)
	}
	if err := k.syncStage(ctx, live.ID, w, changed || authChanged || dropped); err != nil {
		return state.Resource{}, fmt.Errorf("update api gateway rest api %s: stage %s: %w", d.Name, w.Stage.Name, err)
	}
	if err := gw.syncTags(ctx, d.Desired, live.Resource); err != nil {
		return state.Resource{}, err
	}
	return gw.readBack(ctx, "update", d.Name, live.ID)
}

// updateAPI patches the description, the endpoint type and the key source.
func (k *RestAPI) updateAPI(ctx context.Context, id string, changes reconcile.Changes, live, want *spec.RestAPI) error {
	var ops apigwPatch
	ops.replace(changes.Changed("description"), "/description", want.Description)
	ops.replace(changes.Changed("endpoint_type"), "/endpointConfiguration/types/"+live.EndpointType, want.EndpointType)
	ops.replace(changes.Changed("api_key_source"), "/apiKeySource", restAPIKeySource(types.ApiKeySourceType(want.APIKeySource)))
	return ops.send(ctx, k.wait, func(ctx context.Context, ops []types.PatchOperation) error {
		_, err := k.api.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: aws.String(id), PatchOperations: ops})
		return err
	})
}

// Delete re-reads the API's tags, deletes it only when they still are live's ownership tags
// (its resources, methods, deployments and stages go with it), and waits until it is gone.
// DeleteRestApi is limited to about one call per 30 s per account: TooManyRequestsException is
// retried with the backoff.
func (k *RestAPI) Delete(ctx context.Context, live state.Resource) error {
	return k.gw().delete(ctx, live, k.deleteAPI)
}

// deleteAPI deletes the API; its resources, methods, deployments and stages go with it.
func (k *RestAPI) deleteAPI(ctx context.Context, id string, _ types.RestApi) error {
	return apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		_, err := k.api.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: aws.String(id)})
		return err
	})
}

func (k *RestAPI) get(ctx context.Context, id string) (types.RestApi, error) {
	out, err := apigwGet(ctx, func(ctx context.Context) (*apigateway.GetRestApiOutput, error) {
		return k.api.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(id)})
	})
	if err != nil {
		return types.RestApi{}, err
	}
	return types.RestApi{Id: out.Id, Name: out.Name, Description: out.Description, Tags: out.Tags,
		RootResourceId: out.RootResourceId, EndpointConfiguration: out.EndpointConfiguration, ApiKeySource: out.ApiKeySource}, nil
}

// observe reads the API's routes and stage. Tags come from the API itself: GetRestApi(s)
// return them (moto keeps REST API tags only there, not behind GetTags).
//
// The three reads are independent and run at once: the tree, the stage (then its
// deployment) and the authorizer, two round trips instead of four.
func (k *RestAPI) observe(ctx context.Context, api types.RestApi) (state.Resource, error) {
	id, name := aws.ToString(api.Id), aws.ToString(api.Name)
	var (
		wg                         sync.WaitGroup
		tree                       *restTree
		stage                      spec.Stage
		deployed                   string
		auth                       *spec.RestAuthorizer
		treeErr, stageErr, authErr error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		stage, deployed, stageErr = k.observeStage(ctx, id)
	}()
	go func() {
		defer wg.Done()
		auth, _, authErr = k.readAuthorizer(ctx, id)
	}()
	tree, treeErr = k.readTree(ctx, id)
	wg.Wait()
	switch {
	case treeErr != nil:
		return state.Resource{}, fmt.Errorf("read resources of rest api %s: %w", name, treeErr)
	case stageErr != nil:
		return state.Resource{}, fmt.Errorf("read stage of rest api %s: %w", name, stageErr)
	case authErr != nil:
		return state.Resource{}, fmt.Errorf("read rest api %s: %w", name, authErr)
	}
	return k.resource(api, tree.routes(), stage, deployed, auth), nil
}

// resource is the observed API from its settings, routes, stage (with the routes hash its
// deployment carries) and authorizer.
func (k *RestAPI) resource(api types.RestApi, routes []spec.Route, stage spec.Stage, deployed string, auth *spec.RestAuthorizer) state.Resource {
	id := aws.ToString(api.Id)
	owner, _ := state.OwnerOf(api.Tags)
	p := &spec.RestAPI{Description: aws.ToString(api.Description), EndpointType: restEndpointType(api.EndpointConfiguration),
		Routes: routes, Stage: stage, APIKeySource: restAPIKeySource(api.ApiKeySource), Authorizer: auth}
	attrs := k.attrs(id, aws.ToString(api.RootResourceId), stage.Name)
	attrs[restDeployedAttr] = deployed
	return state.Resource{Kind: "apigateway.rest_api", Owner: owner, ID: id, Name: aws.ToString(api.Name), Tags: apigwTags(api.Tags),
		Props: p, Attrs: attrs}
}

func restEndpointType(c *types.EndpointConfiguration) string {
	if c == nil || len(c.Types) == 0 {
		return ""
	}
	return string(c.Types[0])
}

// attrs are the referable attributes; the stage ones are empty while the API has no stage.
func (k *RestAPI) attrs(id, root, stage string) map[string]string {
	a := map[string]string{
		"id": id, "root_resource_id": root, "stage_name": stage, "stage_arn": "", "url": "",
		"execution_arn": fmt.Sprintf("arn:%s:execute-api:%s:%s:%s", partition(k.region), k.region, k.account, id),
	}
	if stage != "" {
		a["stage_arn"] = apigwARN(k.region, "/restapis/"+id+"/stages/"+stage)
		a["url"] = fmt.Sprintf("https://%s.execute-api.%s.%s/%s", id, k.region, dnsSuffix(k.region), stage)
	}
	return a
}

// ---- routes: resources, methods, integrations ----

// restTree is an API's resources by path, with their methods.
type restTree struct {
	ids     map[string]string                  // path → resource id
	methods map[string]map[string]types.Method // path → HTTP method → method
}

func (k *RestAPI) readTree(ctx context.Context, apiID string) (*restTree, error) {
	in := &apigateway.GetResourcesInput{RestApiId: aws.String(apiID), Embed: []string{"methods"}, Limit: aws.Int32(apigwPageSize)}
	resources, err := apigwPages(ctx, in, &in.Position, k.api.GetResources, func(o *apigateway.GetResourcesOutput) ([]types.Resource, *string) {
		return o.Items, o.Position
	})
	if err != nil {
		return nil, err
	}
	t := &restTree{ids: map[string]string{}, methods: map[string]map[string]types.Method{}}
	for _, r := range resources {
		path := aws.ToString(r.Path)
		t.ids[path] = aws.ToString(r.Id)
		if len(r.ResourceMethods) > 0 {
			t.methods[path] = r.ResourceMethods
		}
	}
	return t, nil
}

// routes observes the tree as the spec's routes, canonically sorted.
func (t *restTree) routes() []spec.Route {
	var out []spec.Route
	for path, ms := range t.methods {
		for verb, m := range ms {
			out = append(out, spec.Route{Path: path, Method: verb, Authorization: aws.ToString(m.AuthorizationType),
				APIKeyRequired: aws.ToBool(m.ApiKeyRequired), Function: restFunctionOf(m.MethodIntegration)})
		}
	}
	return restRoutes(out)
}

// restFunctionOf reads the function ARN out of a Lambda proxy integration's URI. Any other
// integration reads back as its type and URI, so that it differs from every desired route.
func restFunctionOf(in *types.Integration) string {
	if in == nil {
		return ""
	}
	uri := aws.ToString(in.Uri)
	fn, ok := restFunctionOfURI(uri)
	if in.Type != types.IntegrationTypeAwsProxy || !ok {
		return string(in.Type) + " " + uri
	}
	return fn
}

// syncRoutes makes the API's methods and integrations those of want, and reports whether it
// changed anything (and so whether a deployment is due).
// authID is the API's authorizer, for CUSTOM routes.
func (k *RestAPI) syncRoutes(ctx context.Context, apiID string, want []spec.Route, authID string) (bool, error) {
	tree, err := k.readTree(ctx, apiID)
	if err != nil {
		return false, err
	}
	live := map[string]spec.Route{}
	for _, r := range tree.routes() {
		live[r.Method+" "+r.Path] = r
	}
	changed := false
	for _, w := range restRoutes(want) {
		key := w.Method + " " + w.Path
		l, exists := live[key]
		delete(live, key)
		did, err := k.syncRoute(ctx, apiID, tree, l, w, exists, authID)
		if err != nil {
			return false, fmt.Errorf("%s: %w", key, err)
		}
		changed = changed || did
	}
	for key, l := range live {
		if err := k.deleteMethod(ctx, apiID, tree.ids[l.Path], l.Method); err != nil {
			return false, fmt.Errorf("%s: %w", key, err)
		}
		changed = true
	}
	pruned, err := k.prune(ctx, apiID, tree, want)
	return changed || pruned, err
}

// syncRoute brings one route from l (when it exists) to w.
func (k *RestAPI) syncRoute(ctx context.Context, apiID string, tree *restTree, l, w spec.Route, exists bool, authID string) (bool, error) {
	switch {
	case exists && l == w:
		return false, nil
	case exists && l.Authorization == w.Authorization && l.APIKeyRequired == w.APIKeyRequired:
		return true, k.putIntegration(ctx, apiID, tree.ids[w.Path], w)
	case exists:
		// PutMethod refuses an existing method, and moto has no UpdateMethod: put it again.
		if err := k.deleteMethod(ctx, apiID, tree.ids[w.Path], w.Method); err != nil {
			return false, err
		}
	}
	resID, err := k.ensurePath(ctx, apiID, tree, w.Path)
	if err != nil {
		return false, err
	}
	if err := k.putMethod(ctx, apiID, resID, w, authID); err != nil {
		return false, err
	}
	return true, k.putIntegration(ctx, apiID, resID, w)
}

// ensurePath creates the missing resources along path, parent by parent, and returns the id
// of the last one.
func (k *RestAPI) ensurePath(ctx context.Context, apiID string, tree *restTree, path string) (string, error) {
	if id, ok := tree.ids[path]; ok {
		return id, nil
	}
	parent, _ := restParent(path)
	parentID, err := k.ensurePath(ctx, apiID, tree, parent)
	if err != nil {
		return "", err
	}
	id, err := k.createResource(ctx, apiID, parentID, path, apigwNow)
	if err != nil {
		return "", err
	}
	tree.ids[path] = id
	return id, nil
}

// createResource creates the resource at path under parentID and returns its id.
//
// It is sent once (awscall.Once): LocalStack 4.14.0 makes a second resource of the same static
// name when the SDK resends a create whose answer was lost, where AWS would refuse it. A lost
// answer, and a refusal that may mean the path exists, are settled by looking the path up
// (existingResource): AWS answers a path made since our read with ConflictException ("another
// resource with the same parent already has this name"); LocalStack answers a second variable
// part ("{id}") with BadRequestException ("a sibling of this resource already has a variable
// path part"). A path that now exists is ours to use. A lost answer with no such path, and a
// ConflictException with none (API Gateway's "concurrent modification" of the same API, as
// siblings are created at once), are sent again, with the backoff. Any other refusal is kept.
// The call and the look-up each go through on (apigwType.fresh on a new API): a
// NotFoundException of either is waited out there, never taken for an earlier send's outcome.
func (k *RestAPI) createResource(ctx context.Context, apiID, parentID, path string, on apigwWrite) (string, error) {
	_, part := restParent(path)
	in := &apigateway.CreateResourceInput{RestApiId: aws.String(apiID), ParentId: aws.String(parentID), PathPart: aws.String(part)}
	var id string
	err := k.wait.Retry(ctx, func(err error) bool { return errors.Is(err, errRestConcurrent) }, func(ctx context.Context) error {
		err := on(ctx, func(ctx context.Context) error {
			return apigwDo(awscall.Once(ctx), k.wait, awscall.Throttled, func(ctx context.Context) error {
				out, err := k.api.CreateResource(ctx, in)
				if err == nil {
					id = aws.ToString(out.Id)
				}
				return err
			})
		})
		if errors.Is(err, awscall.ErrUnknownOutcome) || awscall.Is(err, awscall.ConflictException) || awscall.Is(err, awscall.BadRequestException) {
			id, err = k.existingResource(ctx, apiID, path, err, on)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create resource %s: %w", path, err)
	}
	return id, nil
}

// errRestConcurrent marks a CreateResource (or CreateAuthorizer) to send again: a
// ConflictException that was not "already exists" (another write to the same API was under
// way), or a lost answer whose resource does not exist.
var errRestConcurrent = errors.New("concurrent modification of the api")

// existingResource looks path up after CreateResource refused it or its answer was lost
// (createResource says when). A path that now exists is ours to use; one that does not keeps
// the refusal, marked errRestConcurrent when it was a ConflictException or a lost answer.
func (k *RestAPI) existingResource(ctx context.Context, apiID, path string, refusal error, on apigwWrite) (string, error) {
	var tree *restTree
	err := on(ctx, func(ctx context.Context) (err error) {
		tree, err = k.readTree(ctx, apiID)
		return err
	})
	if err != nil {
		return "", err
	}
	if id, ok := tree.ids[path]; ok {
		return id, nil
	}
	if awscall.Is(refusal, awscall.ConflictException) || errors.Is(refusal, awscall.ErrUnknownOutcome) {
		return "", fmt.Errorf("%w: %w", errRestConcurrent, refusal)
	}
	return "", refusal
}

// restParent splits "/a/b" into "/a" and "b", and "/a" into "/" and "a".
func restParent(path string) (parent, part string) {
	i := strings.LastIndex(path, "/")
	if i <= 0 {
		return "/", path[i+1:]
	}
	return path[:i], path[i+1:]
}

func (k *RestAPI) putMethod(ctx context.Context, apiID, resID string, r spec.Route, authID string) error {
	in := &apigateway.PutMethodInput{RestApiId: aws.String(apiID), ResourceId: aws.String(resID), HttpMethod: aws.String(r.Method),
		AuthorizationType: aws.String(r.Authorization), ApiKeyRequired: r.APIKeyRequired}
	if r.Authorization == "CUSTOM" {
		if authID == "" {
			return errors.New("put method: authorization CUSTOM, but the API has no authorizer")
		}
		in.AuthorizerId = aws.String(authID)
	}
	err := k.wait.Retry(ctx, func(err error) bool { return errors.Is(err, errRestConcurrent) }, func(ctx context.Context) error {
		err := apigwDo(ctx, k.wait, awscall.Throttled, func(ctx context.Context) error {
			_, err := k.api.PutMethod(ctx, in)
			return err
		})
		if awscall.Is(err, awscall.ConflictException) {
			err = k.existingMethod(ctx, apiID, resID, r, authID, err)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("put method: %w", err)
	}
	return nil
}

// existingMethod looks the method up after PutMethod answered ConflictException, which is
// both API Gateway's "method already exists" and its "concurrent modification" of the API
// (the routes' methods are put at once). A method there as r wants it (our own put, whose
// answer was lost and that the SDK sent again) is done; a different one keeps the refusal;
// none is a concurrent modification (errRestConcurrent), to send again.
func (k *RestAPI) existingMethod(ctx context.Context, apiID, resID string, r spec.Route, authID string, refusal error) error {
	tree, err := k.readTree(ctx, apiID)
	if err != nil {
		return err
	}
	for path, id := range tree.ids {
		if id != resID {
			continue
		}
		m, ok := tree.methods[path][r.Method]
		switch {
		case !ok:
			return fmt.Errorf("%w: %w", errRestConcurrent, refusal)
		case aws.ToString(m.AuthorizationType) == r.Authorization && aws.ToBool(m.ApiKeyRequired) == r.APIKeyRequired &&
			(r.Authorization != "CUSTOM" || aws.ToString(m.AuthorizerId) == authID):
			return nil
		}
		return refusal
	}
	return refusal
}

// putIntegration sets the method's Lambda proxy integration (PutIntegration replaces one).
func (k *RestAPI) putIntegration(ctx context.Context, apiID, resID string, r spec.Route) error {
	in := &apigateway.PutIntegrationInput{RestApiId: aws.String(apiID), ResourceId: aws.String(resID), HttpMethod: aws.String(r.Method),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String(fmt.Sprintf(restLambdaPathFmt, partition(k.region), k.region, r.Function))}
	err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		_, err := k.api.PutIntegration(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("put integration: %w", err)
	}
	return nil
}

func (k *RestAPI) deleteMethod(ctx context.Context, apiID, resID, method string) error {
	err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		_, err := k.api.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: aws.String(apiID),
			ResourceId: aws.String(resID), HttpMethod: aws.String(method)})
		return err
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete method: %w", err)
	}
	return nil
}

// prune deletes the resources no wanted route needs (neither on nor under them), deepest
// first, the root excepted.
func (k *RestAPI) prune(ctx context.Context, apiID string, tree *restTree, want []spec.Route) (bool, error) {
	needed := map[string]bool{"/": true}
	for _, r := range want {
		for p := r.Path; !needed[p]; p, _ = restParent(p) {
			needed[p] = true
		}
	}
	var extra []string
	for path := range tree.ids {
		if !needed[path] {
			extra = append(extra, path)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return strings.Count(extra[i], "/") > strings.Count(extra[j], "/") })
	for _, path := range extra {
		err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
			_, err := k.api.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: aws.String(apiID), ResourceId: aws.String(tree.ids[path])})
			return err
		})
		if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
			return false, fmt.Errorf("delete resource %s: %w", path, err)
		}
		delete(tree.ids, path)
	}
	return len(extra) > 0, nil
}

// ---- deployment and stage ----

// observeStage reads the API's stage (the first by name if there are several: Update deletes
// the others) and the routes hash of its deployment.
func (k *RestAPI) observeStage(ctx context.Context, apiID string) (spec.Stage, string, error) {
	stages, err := k.stages(ctx, apiID)
	if err != nil || len(stages) == 0 {
		return spec.Stage{}, "", err
	}
	s := stages[0]
	deployed, err := k.deployedHash(ctx, apiID, aws.ToString(s.DeploymentId))
	return restStageProps(s), deployed, err
}

// stages lists the API's stages, sorted by name.
func (k *RestAPI) stages(ctx context.Context, apiID string) ([]types.Stage, error) {
	out, err := apigwGet(ctx, func(ctx context.Context) (*apigateway.GetStagesOutput, error) {
		return k.api.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String(apiID)})
	})
	if err != nil {
		return nil, err
	}
	stages := out.Item
	sort.Slice(stages, func(i, j int) bool { return aws.ToString(stages[i].StageName) < aws.ToString(stages[j].StageName) })
	return stages, nil
}

// restStageProps observes a stage; method settings for every method live under "*/*".
func restStageProps(s types.Stage) spec.Stage {
	p := spec.Stage{Name: aws.ToString(s.StageName), TracingEnabled: s.TracingEnabled}
	if m, ok := s.MethodSettings[restMethodsKey]; ok {
		p.ThrottlingRateLimit = restRate(m.ThrottlingRateLimit)
		p.ThrottlingBurstLimit = restBurst(int(m.ThrottlingBurstLimit))
		p.MetricsEnabled = m.MetricsEnabled
	}
	return p
}

// deployedHash is the routes hash a deployment of ours carries in its description ("" for a
// deployment made elsewhere, or none).
func (k *RestAPI) deployedHash(ctx context.Context, apiID, deploymentID string) (string, error) {
	if deploymentID == "" {
		return "", nil
	}
	out, err := apigwGet(ctx, func(ctx context.Context) (*apigateway.GetDeploymentOutput, error) {
		return k.api.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: aws.String(apiID), DeploymentId: aws.String(deploymentID)})
	})
	if errors.Is(err, reconcile.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	hash, _ := strings.CutPrefix(aws.ToString(out.Description), restDeployPrefix)
	return hash, nil
}

// syncStage deploys when routes changed or the stage does not serve the wanted routes, creates
// or updates the stage, and deletes any other stage.
func (k *RestAPI) syncStage(ctx context.Context, apiID string, w *spec.RestAPI, routesChanged bool) error {
	stages, err := k.stages(ctx, apiID)
	if err != nil {
		return err
	}
	var current *types.Stage
	for i := range stages {
		if aws.ToString(stages[i].StageName) == w.Stage.Name {
			current = &stages[i]
		}
	}
	hash := restRoutesHash(w.Routes)
	deploy := routesChanged || current == nil
	if !deploy {
		deployed, err := k.deployedHash(ctx, apiID, aws.ToString(current.DeploymentId))
		if err != nil {
			return err
		}
		deploy = deployed != hash
	}
	if err := k.pointStage(ctx, apiID, w.Stage, current, deploy, hash); err != nil {
		return err
	}
	return k.deleteOtherStages(ctx, apiID, stages, w.Stage.Name)
}

// pointStage makes a deployment when deploy is set, then brings the stage onto it: a missing
// stage (current nil, always with deploy) is created by the deployment itself
// (CreateDeployment's stageName), one round trip instead of CreateDeployment and CreateStage;
// an existing one is updated (its deployment and settings). Neither call takes method settings
// (throttling, metrics), so those take one UpdateStage either way.
func (k *RestAPI) pointStage(ctx context.Context, apiID string, want spec.Stage, current *types.Stage, deploy bool, hash string) error {
	if current == nil {
		if _, err := k.createDeployment(ctx, apiID, hash, &want); err != nil {
			return err
		}
		// The stage is taken to be a new one, so that every setting want has is written. Its
		// tracing is written again when wanted: moto ignores CreateDeployment's tracingEnabled.
		return k.updateStage(ctx, apiID, want.Name, restStagePatch(spec.Stage{}, want))
	}
	var depID string
	if deploy {
		var err error
		if depID, err = k.createDeployment(ctx, apiID, hash, nil); err != nil {
			return err
		}
	}
	ops := restStagePatch(restStageProps(*current), want)
	if depID != "" {
		ops = append(ops, apigwReplace("/deploymentId", depID))
	}
	return k.updateStage(ctx, apiID, want.Name, ops)
}

// updateStage sends ops to the stage; nothing when there are none.
func (k *RestAPI) updateStage(ctx context.Context, apiID, stage string, ops []types.PatchOperation) error {
	if len(ops) == 0 {
		return nil
	}
	return apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		_, err := k.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: aws.String(apiID),
			StageName: aws.String(stage), PatchOperations: ops})
		return err
	})
}

// createDeployment deploys the API as it is now. With stage, the deployment creates that
// stage (with its tracing); an existing stage of that name would instead be pointed at it
// (AWS) or replaced by a new one with default settings (moto), so an existing stage is never
// named here: it is repointed by UpdateStage, keeping its settings. A deployment made twice
// (the SDK resending a lost answer) leaves an unused deployment and the stage on the second.
func (k *RestAPI) createDeployment(ctx context.Context, apiID, hash string, stage *spec.Stage) (string, error) {
	in := &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID), Description: aws.String(restDeployPrefix + hash)}
	if stage != nil {
		in.StageName, in.TracingEnabled = aws.String(stage.Name), aws.Bool(stage.TracingEnabled)
	}
	var id string
	err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		out, err := k.api.CreateDeployment(ctx, in)
		if err == nil {
			id = aws.ToString(out.Id)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create deployment: %w", err)
	}
	return id, nil
}

// restStagePatch is the UpdateStage patch that turns live's settings into want's. Method
// settings are written together: the first one written makes API Gateway fill the others with
// defaults, so a limit the spec leaves out is written as -1 ("no stage-level limit").
func restStagePatch(live, want spec.Stage) []types.PatchOperation {
	var ops []types.PatchOperation
	if live.TracingEnabled != want.TracingEnabled {
		ops = append(ops, apigwReplace("/tracingEnabled", strconv.FormatBool(want.TracingEnabled)))
	}
	rate, burst := restRate(want.ThrottlingRateLimit), restBurst(want.ThrottlingBurstLimit)
	if restRate(live.ThrottlingRateLimit) == rate && restBurst(live.ThrottlingBurstLimit) == burst && live.MetricsEnabled == want.MetricsEnabled {
		return ops
	}
	rateV, burstV := strconv.FormatFloat(rate, 'f', -1, 64), strconv.Itoa(burst)
	if rate == 0 {
		rateV = "-1"
	}
	if burst == 0 {
		burstV = "-1"
	}
	return append(ops,
		apigwReplace(restAllMethods+"/throttling/rateLimit", rateV),
		apigwReplace(restAllMethods+"/throttling/burstLimit", burstV),
		apigwReplace(restAllMethods+"/metrics/enabled", strconv.FormatBool(want.MetricsEnabled)))
}

// deleteOtherStages deletes the API's stages other than keep: the kind manages one stage.
func (k *RestAPI) deleteOtherStages(ctx context.Context, apiID string, stages []types.Stage, keep string) error {
	for _, s := range stages {
		name := aws.ToString(s.StageName)
		if name == keep {
			continue
		}
		err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
			_, err := k.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(apiID), StageName: aws.String(name)})
			return err
		})
		if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
			return fmt.Errorf("delete stage %s: %w", name, err)
		}
	}
	return nil
}
