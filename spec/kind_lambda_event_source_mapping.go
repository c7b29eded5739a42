package spec

import "strings"

// eventSourceMappingKind describes lambda.event_source_mapping to the language.
var eventSourceMappingKind = KindInfo{
	Kind: "lambda.event_source_mapping",
	New: func() Properties {
		return &EventSourceMapping{BatchSize: 100, ParallelizationFactor: 1, Enabled: true, MaximumRetryAttempts: -1, MaximumRecordAgeSeconds: -1}
	},
	Attributes: []string{"id", "arn"},
	Name:       NameRule{1, 255, `^.+$`, "1-255 characters"},
	References: []string{"sqs.queue", "dynamodb.table", "lambda.function"},
}

// EventSourceMapping is lambda.event_source_mapping, from a DynamoDB stream or an SQS queue.
type EventSourceMapping struct {
	Function                   string `yaml:"function" json:"function" jsonschema:"required,description=function name or ARN"`
	Source                     string `yaml:"source" json:"source" jsonschema:"required,description=stream or queue ARN\\, e.g. ${events.stream_arn}"`
	BatchSize                  int    `yaml:"batch_size" json:"batch_size" jsonschema:"minimum=1,maximum=10000,default=100"`
	MaximumBatchingWindowSecs  int    `yaml:"maximum_batching_window_seconds" json:"maximum_batching_window_seconds,omitempty" jsonschema:"minimum=0,maximum=300"`
	ParallelizationFactor      int    `yaml:"parallelization_factor" json:"parallelization_factor" jsonschema:"minimum=1,maximum=10,default=1,description=streams only; batches in flight per shard (order is kept per partition key)"`
	StartingPosition           string `yaml:"starting_position" json:"starting_position,omitempty" jsonschema:"enum=,enum=LATEST,enum=TRIM_HORIZON,description=streams only"`
	MaximumRetryAttempts       int    `yaml:"maximum_retry_attempts" json:"maximum_retry_attempts" jsonschema:"minimum=-1,maximum=10000,default=-1,description=streams only; -1 retries until the record expires"`
	MaximumRecordAgeSeconds    int    `yaml:"maximum_record_age_seconds" json:"maximum_record_age_seconds" jsonschema:"minimum=-1,maximum=604800,default=-1,description=streams only"`
	BisectBatchOnFunctionError bool   `yaml:"bisect_batch_on_function_error" json:"bisect_batch_on_function_error,omitempty"`
	ReportBatchItemFailures    bool   `yaml:"report_batch_item_failures" json:"report_batch_item_failures,omitempty"`
	OnFailure                  string `yaml:"on_failure" json:"on_failure,omitempty" jsonschema:"description=destination ARN (SQS queue or SNS topic) for failed stream batches"`
	Enabled                    bool   `yaml:"enabled" json:"enabled" jsonschema:"default=true"`
}

func (*EventSourceMapping) Kind() string { return "lambda.event_source_mapping" }

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

func (p *EventSourceMapping) check(c *checker, r *loaded) {
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
var streamOnly = []string{"starting_position", "parallelization_factor", "maximum_retry_attempts", "maximum_record_age_seconds", "bisect_batch_on_function_error", "on_failure"}

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
