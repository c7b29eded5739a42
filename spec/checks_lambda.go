package spec

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/provisioner-dev/provisioner/handlers"
)

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

func (c *checker) checkFunction(r *loaded, p *LambdaFunction) {
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
	if p.VPC != nil {
		c.expectRefs(r, "vpc.subnet_ids", p.VPC.SubnetIDs, "ec2.subnet", "id")
		c.expectRefs(r, "vpc.security_group_ids", p.VPC.SecurityGroupIDs, "ec2.security_group", "id")
	}
}

// sourceKind says what an event source mapping reads: "stream", "queue" or "" (unknown).
func (c *checker) sourceKind(r *loaded, p *EventSourceMapping) string {
	if t, ref := c.refTarget(p.Source); t != nil {
		switch {
		case t.Kind == "dynamodb.table" && ref.Attribute == "stream_arn":
			if t.Props.(*DynamoDBTable).StreamViewType == "" {
				c.errAt(r, "source", "table %q has no stream: set its stream_view_type", t.Logical)
			}
			return "stream"
		case t.Kind == "sqs.queue" && ref.Attribute == "arn":
			return "queue"
		}
		c.errAt(r, "source", "expected ${<dynamodb.table>.stream_arn} or ${<sqs.queue>.arn}, found %s (the %s of %s %q)", ref, ref.Attribute, t.Kind, t.Logical)
		return ""
	}
	switch {
	case strings.Contains(p.Source, ":dynamodb:") || strings.Contains(p.Source, ":kinesis:"):
		return "stream"
	case strings.Contains(p.Source, ":sqs:"):
		return "queue"
	}
	return ""
}

func (c *checker) checkMapping(r *loaded, p *EventSourceMapping) {
	fn := c.expectRef(r, "function", p.Function, "lambda.function", "arn", "name")
	c.expectRef(r, "on_failure", p.OnFailure, "sqs.queue", "arn")
	switch c.sourceKind(r, p) {
	case "stream":
		c.checkStreamMapping(r, p)
	case "queue":
		c.checkQueueMapping(r, p, fn)
	}
}

func (c *checker) checkStreamMapping(r *loaded, p *EventSourceMapping) {
	if p.StartingPosition == "" {
		c.errAt(r, "starting_position", "expected starting_position LATEST or TRIM_HORIZON for a stream source, found none")
	}
	if age := p.MaximumRecordAgeSeconds; age != -1 && age < 60 {
		c.errAt(r, "maximum_record_age_seconds", "expected -1 (no limit) or 60 to 604800, found %d", age)
	}
}

// streamOnly lists the stream-only settings an SQS mapping must leave alone.
var streamOnly = []string{"starting_position", "maximum_retry_attempts", "maximum_record_age_seconds", "bisect_batch_on_function_error", "on_failure"}

func (c *checker) checkQueueMapping(r *loaded, p *EventSourceMapping, fn *loaded) {
	for _, name := range streamOnly {
		if r.set(name) {
			c.errAt(r, name, "expected no %s for an SQS source (it is for streams; a queue's failures go to its redrive queue)", name)
		}
	}
	if p.BatchSize > 10 && p.MaximumBatchingWindowSecs == 0 {
		c.errAt(r, "batch_size", "expected maximum_batching_window_seconds of at least 1 with an SQS batch_size above 10, found batch_size %d without a window", p.BatchSize)
	}
	q, _ := c.refTarget(p.Source)
	if q == nil || fn == nil {
		return
	}
	visibility, timeout := q.Props.(*SQSQueue).VisibilityTimeoutSeconds, fn.Props.(*LambdaFunction).TimeoutSeconds
	if visibility < timeout {
		c.errAt(r, "source", "queue %q has visibility_timeout_seconds %d, below the %d s timeout of function %q: expected at least the timeout (AWS advises 6 times it)",
			q.Logical, visibility, timeout, fn.Logical)
	}
}
