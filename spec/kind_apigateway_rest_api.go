package spec

import (
	"fmt"
	"regexp"
)

// restAPIKind describes apigateway.rest_api to the language.
var restAPIKind = KindInfo{
	Kind: "apigateway.rest_api",
	New: func() Properties {
		return &RestAPI{EndpointType: "REGIONAL", Stage: Stage{Name: "v1"}, APIKeySource: "HEADER"}
	},
	Attributes: []string{"id", "root_resource_id", "execution_arn", "stage_name", "stage_arn", "url"},
	Name:       NameRule{1, 1024, `^.+$`, "1-1024 characters"},
	References: []string{"lambda.function"},
}

// RestAPI is apigateway.rest_api with its routes, Lambda proxy integrations, deployment and
// one stage.
type RestAPI struct {
	Description  string          `yaml:"description" json:"description,omitempty"`
	EndpointType string          `yaml:"endpoint_type" json:"endpoint_type" jsonschema:"enum=REGIONAL,enum=EDGE,enum=PRIVATE,default=REGIONAL"`
	Routes       []Route         `yaml:"routes" json:"routes" jsonschema:"required,minItems=1"`
	Stage        Stage           `yaml:"stage" json:"stage"`
	APIKeySource string          `yaml:"api_key_source" json:"api_key_source" jsonschema:"enum=HEADER,enum=AUTHORIZER,default=HEADER,description=where API Gateway finds a request's API key: the x-api-key header\\, or the authorizer's usageIdentifierKey"`
	Authorizer   *RestAuthorizer `yaml:"authorizer" json:"authorizer,omitempty" jsonschema:"description=the REQUEST authorizer of the routes with authorization CUSTOM"`
}

// RestAuthorizer is a Lambda REQUEST authorizer of a REST API (one per API).
type RestAuthorizer struct {
	Name             string `yaml:"name" json:"name" jsonschema:"required"`
	Function         string `yaml:"function" json:"function" jsonschema:"required,description=the authorizer function's ARN\\, e.g. ${authorizer.arn}"`
	IdentitySource   string `yaml:"identity_source" json:"identity_source" jsonschema:"required,description=comma-separated request values\\, e.g. method.request.path.provider\\,method.request.querystring.token; a request missing one is refused with 401"`
	ResultTTLSeconds int    `yaml:"result_ttl_seconds" json:"result_ttl_seconds" jsonschema:"minimum=0,maximum=3600,description=how long API Gateway caches an answer per identity (e.g. 300); 0 caches none"`
}

func (*RestAPI) Kind() string { return "apigateway.rest_api" }

// Route is one method on one path, proxied to a Lambda function.
type Route struct {
	Path           string `yaml:"path" json:"path" jsonschema:"required,description=e.g. /webhook or /events/{eventId}"`
	Method         string `yaml:"method" json:"method" jsonschema:"required,enum=GET,enum=POST,enum=PUT,enum=PATCH,enum=DELETE,enum=HEAD,enum=OPTIONS,enum=ANY"`
	Authorization  string `yaml:"authorization" json:"authorization" jsonschema:"enum=NONE,enum=AWS_IAM,enum=CUSTOM,default=NONE,description=CUSTOM: the API's authorizer"`
	APIKeyRequired bool   `yaml:"api_key_required" json:"api_key_required,omitempty"`
	Function       string `yaml:"function" json:"function" jsonschema:"required,description=the function's ARN\\, e.g. ${receiver.arn}"`
}

// Stage is the deployed stage of a REST API.
type Stage struct {
	Name                 string  `yaml:"name" json:"name" jsonschema:"default=v1"`
	TracingEnabled       bool    `yaml:"tracing_enabled" json:"tracing_enabled,omitempty"`
	ThrottlingRateLimit  float64 `yaml:"throttling_rate_limit" json:"throttling_rate_limit,omitempty" jsonschema:"exclusiveMinimum=0,description=requests per second for every method"`
	ThrottlingBurstLimit int     `yaml:"throttling_burst_limit" json:"throttling_burst_limit,omitempty" jsonschema:"exclusiveMinimum=0"`
	MetricsEnabled       bool    `yaml:"metrics_enabled" json:"metrics_enabled,omitempty"`
}

var (
	routePathPattern = regexp.MustCompile(`^/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\})(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\}))*$|^/$`)
	stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,128}$`)
)

func (p *RestAPI) check(c *checker, r *loaded) {
	seen := map[string]int{}
	for i, route := range p.Routes {
		path := fmt.Sprintf("routes[%d]", i)
		if !routePathPattern.MatchString(route.Path) {
			c.errAt(r, path+".path", "expected a path such as /webhook or /events/{eventId}, found %q", route.Path)
		}
		key := route.Method + " " + route.Path
		if prev, dup := seen[key]; dup {
			c.errAt(r, path, "expected each method and path once, found %s again (routes[%d])", key, prev)
		}
		seen[key] = i
		c.expectRef(r, path+".function", route.Function, "lambda.function", "arn")
		if route.Authorization == "CUSTOM" && p.Authorizer == nil {
			c.errAt(r, path+".authorization", "expected an authorizer on the API for authorization CUSTOM, found none")
		}
	}
	c.checkAuthorizer(r, p)
	if !stageNamePattern.MatchString(p.Stage.Name) {
		c.errAt(r, "stage.name", "expected 1-128 letters, digits and _, found %q", p.Stage.Name)
	}
}

var identitySourcePattern = regexp.MustCompile(`^method\.request\.(header|querystring|path)\.[A-Za-z0-9_.-]+(,\s*method\.request\.(header|querystring|path)\.[A-Za-z0-9_.-]+)*$`)

// checkAuthorizer checks the authorizer and what depends on it.
func (c *checker) checkAuthorizer(r *loaded, p *RestAPI) {
	if p.Authorizer == nil {
		if p.APIKeySource == "AUTHORIZER" {
			c.errAt(r, "api_key_source", "expected an authorizer to return the API key for api_key_source AUTHORIZER, found none")
		}
		return
	}
	a := p.Authorizer
	c.expectRef(r, "authorizer.function", a.Function, "lambda.function", "arn")
	if !identitySourcePattern.MatchString(a.IdentitySource) {
		c.errAt(r, "authorizer.identity_source", "expected comma-separated method.request.(header|querystring|path).<name>, found %q", a.IdentitySource)
	}
	if a.Name == "" {
		c.errAt(r, "authorizer.name", "expected a name for the authorizer")
	}
}
