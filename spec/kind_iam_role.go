package spec

import (
	"fmt"
	"regexp"
	"strings"
)

// iamRoleKind describes iam.role to the language.
var iamRoleKind = KindInfo{
	Kind:       "iam.role",
	New:        func() Properties { return &IAMRole{Path: "/", MaxSessionDuration: 3600} },
	Attributes: []string{"arn", "name", "id"},
	Name:       NameRule{1, 64, `^[\w+=,.@-]+$`, "1-64 characters: letters, digits and +=,.@_-"},
	References: []string{"logs.log_group", "sqs.queue", "dynamodb.table", "s3.bucket", "ssm.parameter"},
}

// IAMRole is iam.role. Inline policies and managed attachments are the whole set.
type IAMRole struct {
	Description        string         `yaml:"description" json:"description,omitempty"`
	Path               string         `yaml:"path" json:"path" jsonschema:"default=/"`
	AssumedBy          []string       `yaml:"assumed_by" json:"assumed_by" jsonschema:"required,description=service principals trusted to assume the role\\, e.g. lambda.amazonaws.com"`
	MaxSessionDuration int            `yaml:"max_session_duration" json:"max_session_duration" jsonschema:"minimum=3600,maximum=43200,default=3600"`
	Policies           []InlinePolicy `yaml:"policies" json:"policies,omitempty"`
	ManagedPolicyARNs  []string       `yaml:"managed_policy_arns" json:"managed_policy_arns,omitempty"`
}

func (*IAMRole) Kind() string { return "iam.role" }

// InlinePolicy is one named inline policy of a role.
type InlinePolicy struct {
	Name       string      `yaml:"name" json:"name" jsonschema:"required"`
	Statements []Statement `yaml:"statements" json:"statements" jsonschema:"required,minItems=1"`
}

// Statement is one IAM policy statement. Effect defaults to Allow.
type Statement struct {
	Sid       string                         `yaml:"sid" json:"sid,omitempty"`
	Effect    string                         `yaml:"effect" json:"effect,omitempty" jsonschema:"enum=Allow,enum=Deny,default=Allow"`
	Actions   []string                       `yaml:"actions" json:"actions" jsonschema:"required,minItems=1"`
	Resources []string                       `yaml:"resources" json:"resources" jsonschema:"required,minItems=1"`
	Condition map[string]map[string][]string `yaml:"condition" json:"condition,omitempty"`
}

var (
	principalPattern  = regexp.MustCompile(`^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$`)
	rolePathPattern   = regexp.MustCompile(`^/([\x21-\x7e]{0,510}/)?$`)
	policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	actionPattern     = regexp.MustCompile(`^(\*|[a-z0-9-]+:[A-Za-z0-9*]+)$`)
)

func (p *IAMRole) check(c *checker, r *loaded) {
	for i, s := range p.AssumedBy {
		if !principalPattern.MatchString(s) {
			c.errAt(r, fmt.Sprintf("assumed_by[%d]", i), "expected a service principal such as lambda.amazonaws.com, found %q", s)
		}
	}
	if !rolePathPattern.MatchString(p.Path) {
		c.errAt(r, "path", "expected a path that starts and ends with /, such as /service/, found %q", p.Path)
	}
	names := map[string]int{}
	for i, pol := range p.Policies {
		path := fmt.Sprintf("policies[%d]", i)
		if prev, dup := names[pol.Name]; dup {
			c.errAt(r, path+".name", "expected a policy name unique in the role, found %q again (policies[%d])", pol.Name, prev)
		}
		names[pol.Name] = i
		if !policyNamePattern.MatchString(pol.Name) {
			c.errAt(r, path+".name", "expected 1-128 characters: letters, digits and +=,.@_-, found %q", pol.Name)
		}
		c.checkStatements(r, path, pol.Statements)
	}
	for i, arn := range p.ManagedPolicyARNs {
		if !strings.HasPrefix(arn, "arn:") && !strings.HasPrefix(arn, "${") {
			c.errAt(r, fmt.Sprintf("managed_policy_arns[%d]", i), "expected a policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess, found %q", arn)
		}
	}
}

func (c *checker) checkStatements(r *loaded, path string, statements []Statement) {
	for i, st := range statements {
		sp := fmt.Sprintf("%s.statements[%d]", path, i)
		for j, a := range st.Actions {
			if !actionPattern.MatchString(a) {
				c.errAt(r, fmt.Sprintf("%s.actions[%d]", sp, j), "expected service:Action such as dynamodb:PutItem, found %q", a)
			}
		}
		for j, res := range st.Resources {
			if res != "*" && !strings.HasPrefix(res, "arn:") && !strings.HasPrefix(res, "${") {
				c.errAt(r, fmt.Sprintf("%s.resources[%d]", sp, j), "expected an ARN, a reference such as ${events.arn}, or *, found %q", res)
			}
		}
	}
}
