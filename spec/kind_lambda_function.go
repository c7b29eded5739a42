package spec

import (
	"github.com/provisioner-dev/provisioner/handlers"
	"maps"
	"regexp"
	"slices"
)

// lambdaFunctionKind describes lambda.function to the language.
var lambdaFunctionKind = KindInfo{
	Kind: "lambda.function",
	New: func() Properties {
		return &LambdaFunction{Runtime: "provided.al2023", Architecture: "arm64", MemoryMB: 128, TimeoutSeconds: 3, Tracing: "PassThrough"}
	},
	Attributes: []string{"arn", "name", "invoke_arn", "version"},
	Name:       NameRule{1, 64, `^[a-zA-Z0-9_-]+$`, "1-64 characters: letters, digits, - and _"},
	References: []string{"ec2.subnet", "ec2.security_group", "logs.log_group", "sqs.queue", "dynamodb.table", "s3.bucket", "iam.role", "ssm.parameter", "ec2.vpc_endpoint"},
}

// LambdaFunction is lambda.function. Exactly one of Handler (a program in handlers/, built by
// the provisioner) or Zip (a path to a ready zip) gives the code.
type LambdaFunction struct {
	Handler             string              `yaml:"handler" json:"handler,omitempty" jsonschema:"description=a handler in handlers/: receiver\\, processor\\, deadletter or authorizer"`
	Zip                 string              `yaml:"zip" json:"zip,omitempty" jsonschema:"description=path to a deployment zip\\, relative to the spec file"`
	Runtime             string              `yaml:"runtime" json:"runtime" jsonschema:"enum=provided.al2023,enum=provided.al2,default=provided.al2023"`
	Architecture        string              `yaml:"architecture" json:"architecture" jsonschema:"enum=arm64,enum=x86_64,default=arm64"`
	MemoryMB            int                 `yaml:"memory_mb" json:"memory_mb" jsonschema:"minimum=128,maximum=10240,default=128"`
	TimeoutSeconds      int                 `yaml:"timeout_seconds" json:"timeout_seconds" jsonschema:"minimum=1,maximum=900,default=3"`
	Role                string              `yaml:"role" json:"role" jsonschema:"required,description=execution role ARN\\, e.g. ${receiver-role.arn}"`
	Description         string              `yaml:"description" json:"description,omitempty"`
	Environment         map[string]string   `yaml:"environment" json:"environment,omitempty"`
	VPC                 *LambdaVPC          `yaml:"vpc" json:"vpc,omitempty"`
	Tracing             string              `yaml:"tracing" json:"tracing" jsonschema:"enum=Active,enum=PassThrough,default=PassThrough"`
	ReservedConcurrency *int                `yaml:"reserved_concurrency" json:"reserved_concurrency,omitempty" jsonschema:"minimum=0"`
	Providers           map[string]Provider `yaml:"providers" json:"providers,omitempty" jsonschema:"description=receiver or authorizer: the payment providers\\, by the {provider} of their URL; generates WEBHOOK_PROVIDERS or AUTHORIZER_PROVIDERS"`
	LogGroup            string              `yaml:"log_group" json:"log_group,omitempty" jsonschema:"description=the function's log group name\\, e.g. ${receiver-logs.name}; it must exist before the function"`
}

func (*LambdaFunction) Kind() string { return "lambda.function" }

// LambdaVPC places a function in private subnets.
type LambdaVPC struct {
	SubnetIDs        []string `yaml:"subnet_ids" json:"subnet_ids" jsonschema:"required,minItems=1"`
	SecurityGroupIDs []string `yaml:"security_group_ids" json:"security_group_ids" jsonschema:"required,minItems=1"`
}

// Handlers are the programs in handlers/ that the provisioner builds for lambda.function.
var Handlers = handlers.Names

var envKeyPattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)

// reservedEnv are the environment variables Lambda sets itself and refuses to take.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION",
	"AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME",
	"AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
}

func (p *LambdaFunction) check(c *checker, r *loaded) {
	c.oneOf(r, "", []string{"handler", "zip"}, []bool{p.Handler != "", p.Zip != ""})
	if p.Handler != "" && !slices.Contains(Handlers, p.Handler) && !IsPackageDir(p.Handler) {
		c.errAt(r, "handler", "expected one of %s, found %q%s", quoteList(Handlers), p.Handler, didYouMean(p.Handler, Handlers))
	}
	c.expectRef(r, "role", p.Role, "iam.role", "arn")
	c.expectRef(r, "log_group", p.LogGroup, "logs.log_group", "name")
	for _, k := range slices.Sorted(maps.Keys(p.Environment)) {
		switch {
		case !envKeyPattern.MatchString(k):
			c.errAt(r, "environment."+k, "expected a variable name of letters, digits and _, starting with a letter, found %q", k)
		case slices.Contains(reservedEnv, k):
			c.errAt(r, "environment."+k, "expected a variable Lambda does not reserve, found %s", k)
		}
	}
	c.checkProviders(r, p)
	if p.VPC != nil {
		c.expectRefs(r, "vpc.subnet_ids", p.VPC.SubnetIDs, "ec2.subnet", "id")
		c.expectRefs(r, "vpc.security_group_ids", p.VPC.SecurityGroupIDs, "ec2.security_group", "id")
	}
}
