package spec

import "fmt"

// usagePlanKind describes apigateway.usage_plan to the language.
var usagePlanKind = KindInfo{
	Kind:       "apigateway.usage_plan",
	New:        func() Properties { return &UsagePlan{} },
	Attributes: []string{"id", "name"},
	Name:       NameRule{1, 1024, `^.+$`, "1-1024 characters"},
	References: []string{"apigateway.rest_api", "apigateway.api_key"},
}

// UsagePlan is apigateway.usage_plan.
type UsagePlan struct {
	Description string           `yaml:"description" json:"description,omitempty"`
	Stages      []UsagePlanStage `yaml:"stages" json:"stages" jsonschema:"required,minItems=1"`
	Throttle    *Throttle        `yaml:"throttle" json:"throttle,omitempty"`
	Quota       *Quota           `yaml:"quota" json:"quota,omitempty"`
	Keys        []string         `yaml:"keys" json:"keys,omitempty" jsonschema:"description=API key ids\\, e.g. ${partner-key.id}"`
}

func (*UsagePlan) Kind() string { return "apigateway.usage_plan" }

// UsagePlanStage names one API stage a usage plan covers.
type UsagePlanStage struct {
	API   string `yaml:"api" json:"api" jsonschema:"required,description=REST API id\\, e.g. ${api.id}"`
	Stage string `yaml:"stage" json:"stage" jsonschema:"required,description=e.g. ${api.stage_name}"`
}

// Throttle limits requests per second.
type Throttle struct {
	RateLimit  float64 `yaml:"rate_limit" json:"rate_limit" jsonschema:"required,exclusiveMinimum=0"`
	BurstLimit int     `yaml:"burst_limit" json:"burst_limit" jsonschema:"required,exclusiveMinimum=0"`
}

// Quota limits requests per period.
type Quota struct {
	Limit  int    `yaml:"limit" json:"limit" jsonschema:"required,exclusiveMinimum=0"`
	Period string `yaml:"period" json:"period" jsonschema:"required,enum=DAY,enum=WEEK,enum=MONTH"`
}

func (p *UsagePlan) check(c *checker, r *loaded) {
	for i, s := range p.Stages {
		path := fmt.Sprintf("stages[%d]", i)
		api := c.expectRef(r, path+".api", s.API, "apigateway.rest_api", "id")
		c.expectRef(r, path+".stage", s.Stage, "apigateway.rest_api", "stage_name")
		if api != nil && !hasRef(s.Stage) && s.Stage != api.Props.(*RestAPI).Stage.Name {
			c.errAt(r, path+".stage", "expected %q, the stage of API %q (or ${%s.stage_name}), found %q",
				api.Props.(*RestAPI).Stage.Name, api.Logical, api.Logical, s.Stage)
		}
	}
	c.expectRefs(r, "keys", p.Keys, "apigateway.api_key", "id")
}
