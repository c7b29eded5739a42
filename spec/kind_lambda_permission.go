package spec

// lambdaPermissionKind describes lambda.permission to the language.
var lambdaPermissionKind = KindInfo{
	Kind:       "lambda.permission",
	New:        func() Properties { return &LambdaPermission{Action: "lambda:InvokeFunction"} },
	Attributes: []string{"statement_id"},
	Name:       NameRule{1, 100, `^[a-zA-Z0-9_-]+$`, "1-100 characters: letters, digits, - and _ (the statement id)"},
	References: []string{"lambda.function", "apigateway.rest_api"},
}

// LambdaPermission is lambda.permission: lets a principal invoke a function. Its physical
// name is the statement id.
type LambdaPermission struct {
	Function  string `yaml:"function" json:"function" jsonschema:"required"`
	Action    string `yaml:"action" json:"action" jsonschema:"default=lambda:InvokeFunction"`
	Principal string `yaml:"principal" json:"principal" jsonschema:"required,description=e.g. apigateway.amazonaws.com"`
	SourceARN string `yaml:"source_arn" json:"source_arn,omitempty" jsonschema:"description=e.g. ${api.execution_arn}/*/*"`
}

func (*LambdaPermission) Kind() string { return "lambda.permission" }

// check checks that the permission names a function.
func (p *LambdaPermission) check(c *checker, r *loaded) {
	c.expectRef(r, "function", p.Function, "lambda.function", "arn", "name")
}
