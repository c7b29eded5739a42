package spec

// This file holds the typed properties of every resource kind the language describes. The
// struct returned by a kind's New already carries the defaults; decoding a resource's YAML
// into it overrides what the user wrote. String fields may hold ${...} references, resolved by
// the engine once the referenced resource exists (see Resolve).
//
// Field tags: yaml and json names are identical (snake_case); the JSON Schema is generated
// from these types, so `jsonschema` tags carry enums, ranges and descriptions.

// Properties is the typed property set of one resource kind.
type Properties interface {
	Kind() string
}

// KindInfo describes one kind to the language: how to make its properties with defaults,
// which attributes other resources may reference, and its physical-name rule.
type KindInfo struct {
	Kind       string
	New        func() Properties
	Attributes []string // referable as ${logical.<attribute>}
	Name       NameRule
}

// NameRule is a service's rule for physical names, checked after the suffix is expanded.
type NameRule struct {
	Min, Max int
	Pattern  string // a Go regexp the whole name must match
	Hint     string // the rule in words, for error messages
}

// Kinds lists every kind the language knows, in the order a whole stack is created (a kind
// may depend only on kinds before it). Destroy without a spec walks it backwards.
// Roles come after the tables, buckets, queues and log groups their policies name, and
// permissions after the APIs they admit. Load does not enforce the order: a few valid specs
// cross it (a security group rule on a gateway endpoint's prefix list).
var Kinds = []KindInfo{
	{Kind: "ec2.vpc", New: func() Properties { return &VPC{EnableDNSHostnames: true, EnableDNSSupport: true} },
		Attributes: []string{"id", "arn", "cidr", "main_route_table_id"},
		Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters (the Name tag)"}},
	{Kind: "ec2.subnet", New: func() Properties { return &Subnet{} },
		Attributes: []string{"id", "arn", "cidr", "availability_zone"},
		Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters (the Name tag)"}},
	{Kind: "ec2.security_group", New: func() Properties { return &SecurityGroup{} },
		Attributes: []string{"id", "arn", "name"},
		Name:       NameRule{1, 255, `^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`, "1-255 characters: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"}},
	{Kind: "ec2.vpc_endpoint", New: func() Properties { return &VPCEndpoint{Type: "Gateway"} },
		Attributes: []string{"id", "prefix_list_id"},
		Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters (the Name tag)"}},
	{Kind: "logs.log_group", New: func() Properties { return &LogGroup{RetentionDays: 7} },
		Attributes: []string{"arn", "name"},
		Name:       NameRule{1, 512, `^[\.\-_/#A-Za-z0-9]+$`, "1-512 characters: letters, digits and ._-/#"}},
	{Kind: "sqs.queue", New: func() Properties {
		return &SQSQueue{VisibilityTimeoutSeconds: 30, MessageRetentionSeconds: 345600, SSE: true, MaxMessageSizeBytes: 262144}
	},
		Attributes: []string{"arn", "url", "name"},
		Name:       NameRule{1, 80, `^[A-Za-z0-9_-]+(\.fifo)?$`, "1-80 characters: letters, digits, - and _ (and .fifo at the end)"}},
	{Kind: "dynamodb.table", New: func() Properties { return &DynamoDBTable{BillingMode: "PAY_PER_REQUEST", SSE: SSE{Enabled: true}} },
		Attributes: []string{"arn", "name", "stream_arn"},
		Name:       NameRule{3, 255, `^[a-zA-Z0-9_.-]+$`, "3-255 characters: letters, digits and _.-"}},
	{Kind: "s3.bucket", New: func() Properties {
		return &S3Bucket{Versioning: true, Encryption: "AES256", BlockPublicAccess: true, DenyInsecureTransport: true}
	},
		Attributes: []string{"arn", "name", "domain_name"},
		Name:       NameRule{3, 63, `^[a-z0-9][a-z0-9.-]*[a-z0-9]$`, "3-63 characters: lowercase letters, digits, . and -, starting and ending with a letter or digit"}},
	{Kind: "iam.role", New: func() Properties { return &IAMRole{Path: "/", MaxSessionDuration: 3600} },
		Attributes: []string{"arn", "name", "id"},
		Name:       NameRule{1, 64, `^[\w+=,.@-]+$`, "1-64 characters: letters, digits and +=,.@_-"}},
	{Kind: "lambda.function", New: func() Properties {
		return &LambdaFunction{Runtime: "provided.al2023", Architecture: "arm64", MemoryMB: 128, TimeoutSeconds: 3, Tracing: "PassThrough"}
	},
		Attributes: []string{"arn", "name", "invoke_arn", "version"},
		Name:       NameRule{1, 64, `^[a-zA-Z0-9_-]+$`, "1-64 characters: letters, digits, - and _"}},
	{Kind: "lambda.event_source_mapping", New: func() Properties {
		return &EventSourceMapping{BatchSize: 100, Enabled: true, MaximumRetryAttempts: -1, MaximumRecordAgeSeconds: -1}
	},
		Attributes: []string{"id", "arn"},
		Name:       NameRule{1, 255, `^.+$`, "1-255 characters"}},
	{Kind: "apigateway.rest_api", New: func() Properties {
		return &RestAPI{EndpointType: "REGIONAL", Stage: Stage{Name: "v1"}}
	},
		Attributes: []string{"id", "root_resource_id", "execution_arn", "stage_name", "stage_arn", "url"},
		Name:       NameRule{1, 1024, `^.+$`, "1-1024 characters"}},
	{Kind: "lambda.permission", New: func() Properties { return &LambdaPermission{Action: "lambda:InvokeFunction"} },
		Attributes: []string{"statement_id"},
		Name:       NameRule{1, 100, `^[a-zA-Z0-9_-]+$`, "1-100 characters: letters, digits, - and _ (the statement id)"}},
	{Kind: "apigateway.api_key", New: func() Properties { return &APIKey{Enabled: true} },
		Attributes: []string{"id", "name"},
		Name:       NameRule{1, 1024, `^.+$`, "1-1024 characters"}},
	{Kind: "apigateway.usage_plan", New: func() Properties { return &UsagePlan{} },
		Attributes: []string{"id", "name"},
		Name:       NameRule{1, 1024, `^.+$`, "1-1024 characters"}},
	{Kind: "cloudwatch.metric_alarm", New: func() Properties {
		return &MetricAlarm{EvaluationPeriods: 1, TreatMissingData: "missing", ComparisonOperator: "GreaterThanThreshold"}
	},
		Attributes: []string{"arn", "name"},
		Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters"}},
}

// ---- ec2 ----

// VPC is ec2.vpc.
type VPC struct {
	CIDR               string `yaml:"cidr" json:"cidr" jsonschema:"required,description=IPv4 CIDR block\\, e.g. 10.0.0.0/16"`
	EnableDNSHostnames bool   `yaml:"enable_dns_hostnames" json:"enable_dns_hostnames" jsonschema:"default=true"`
	EnableDNSSupport   bool   `yaml:"enable_dns_support" json:"enable_dns_support" jsonschema:"default=true"`
}

// Subnet is ec2.subnet. Its CIDR must lie inside its VPC's when the VPC is in the same spec.
type Subnet struct {
	VPC              string `yaml:"vpc" json:"vpc" jsonschema:"required,description=VPC id\\, usually ${<vpc>.id}"`
	CIDR             string `yaml:"cidr" json:"cidr" jsonschema:"required"`
	AvailabilityZone string `yaml:"availability_zone" json:"availability_zone,omitempty" jsonschema:"description=e.g. ${region}a"`
	MapPublicIP      bool   `yaml:"map_public_ip_on_launch" json:"map_public_ip_on_launch"`
}

// SecurityGroup is ec2.security_group. Rules are the whole set: rules not listed are revoked.
type SecurityGroup struct {
	VPC         string   `yaml:"vpc" json:"vpc" jsonschema:"required"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Ingress     []SGRule `yaml:"ingress" json:"ingress,omitempty"`
	Egress      []SGRule `yaml:"egress" json:"egress,omitempty"`
}

// SGRule is one security-group rule. Exactly one of CIDRs, SourceSecurityGroup or PrefixList is set.
type SGRule struct {
	Protocol            string   `yaml:"protocol" json:"protocol" jsonschema:"required,enum=tcp,enum=udp,enum=icmp,enum=all"`
	FromPort            int      `yaml:"from_port" json:"from_port" jsonschema:"minimum=-1,maximum=65535"`
	ToPort              int      `yaml:"to_port" json:"to_port" jsonschema:"minimum=-1,maximum=65535"`
	CIDRs               []string `yaml:"cidrs" json:"cidrs,omitempty"`
	SourceSecurityGroup string   `yaml:"security_group" json:"security_group,omitempty" jsonschema:"description=another group's id\\, e.g. ${lambda-sg.id}"`
	PrefixList          string   `yaml:"prefix_list" json:"prefix_list,omitempty" jsonschema:"description=a prefix list id\\, e.g. ${s3-endpoint.prefix_list_id}"`
	Description         string   `yaml:"description" json:"description,omitempty"`
}

// VPCEndpoint is ec2.vpc_endpoint. Service is the short name (s3, dynamodb, xray); the full
// name com.amazonaws.<region>.<service> is derived.
type VPCEndpoint struct {
	VPC              string   `yaml:"vpc" json:"vpc" jsonschema:"required"`
	Service          string   `yaml:"service" json:"service" jsonschema:"required,description=short service name: s3\\, dynamodb\\, xray\\, sqs\\, logs\\, ..."`
	Type             string   `yaml:"type" json:"type" jsonschema:"enum=Gateway,enum=Interface,default=Gateway"`
	RouteTableIDs    []string `yaml:"route_table_ids" json:"route_table_ids,omitempty" jsonschema:"description=Gateway only"`
	SubnetIDs        []string `yaml:"subnet_ids" json:"subnet_ids,omitempty" jsonschema:"description=Interface only"`
	SecurityGroupIDs []string `yaml:"security_group_ids" json:"security_group_ids,omitempty" jsonschema:"description=Interface only"`
	PrivateDNS       bool     `yaml:"private_dns" json:"private_dns,omitempty" jsonschema:"description=Interface only"`
}

// ---- iam ----

// IAMRole is iam.role. Inline policies and managed attachments are the whole set.
type IAMRole struct {
	Description        string         `yaml:"description" json:"description,omitempty"`
	Path               string         `yaml:"path" json:"path" jsonschema:"default=/"`
	AssumedBy          []string       `yaml:"assumed_by" json:"assumed_by" jsonschema:"required,description=service principals trusted to assume the role\\, e.g. lambda.amazonaws.com"`
	MaxSessionDuration int            `yaml:"max_session_duration" json:"max_session_duration" jsonschema:"minimum=3600,maximum=43200,default=3600"`
	Policies           []InlinePolicy `yaml:"policies" json:"policies,omitempty"`
	ManagedPolicyARNs  []string       `yaml:"managed_policy_arns" json:"managed_policy_arns,omitempty"`
}

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

// ---- logs ----

// LogGroup is logs.log_group.
type LogGroup struct {
	RetentionDays int    `yaml:"retention_days" json:"retention_days" jsonschema:"enum=0,enum=1,enum=3,enum=5,enum=7,enum=14,enum=30,enum=60,enum=90,enum=120,enum=150,enum=180,enum=365,enum=400,enum=545,enum=731,enum=1096,enum=1827,enum=2192,enum=2557,enum=2922,enum=3288,enum=3653,default=7,description=0 keeps logs forever"`
	KMSKeyID      string `yaml:"kms_key_id" json:"kms_key_id,omitempty"`
}

// ---- sqs ----

// SQSQueue is sqs.queue.
type SQSQueue struct {
	VisibilityTimeoutSeconds int      `yaml:"visibility_timeout_seconds" json:"visibility_timeout_seconds" jsonschema:"minimum=0,maximum=43200,default=30"`
	MessageRetentionSeconds  int      `yaml:"message_retention_seconds" json:"message_retention_seconds" jsonschema:"minimum=60,maximum=1209600,default=345600"`
	MaxMessageSizeBytes      int      `yaml:"max_message_size_bytes" json:"max_message_size_bytes" jsonschema:"minimum=1024,maximum=262144,default=262144"`
	DelaySeconds             int      `yaml:"delay_seconds" json:"delay_seconds" jsonschema:"minimum=0,maximum=900"`
	ReceiveWaitTimeSeconds   int      `yaml:"receive_wait_time_seconds" json:"receive_wait_time_seconds" jsonschema:"minimum=0,maximum=20"`
	SSE                      bool     `yaml:"sse" json:"sse" jsonschema:"default=true,description=SQS-managed server-side encryption (ignored when kms_key_id is set)"`
	KMSKeyID                 string   `yaml:"kms_key_id" json:"kms_key_id,omitempty"`
	Redrive                  *Redrive `yaml:"redrive" json:"redrive,omitempty"`
}

// Redrive sends messages received too often to a dead-letter queue.
type Redrive struct {
	DeadLetterQueueARN string `yaml:"dead_letter_queue_arn" json:"dead_letter_queue_arn" jsonschema:"required"`
	MaxReceiveCount    int    `yaml:"max_receive_count" json:"max_receive_count" jsonschema:"required,minimum=1,maximum=1000"`
}

// ---- dynamodb ----

// DynamoDBTable is dynamodb.table. The key schema cannot change in place (a change replaces
// the table), nor can the stream view type while the stream stays on.
type DynamoDBTable struct {
	HashKey             Key    `yaml:"hash_key" json:"hash_key" jsonschema:"required"`
	RangeKey            *Key   `yaml:"range_key" json:"range_key,omitempty"`
	BillingMode         string `yaml:"billing_mode" json:"billing_mode" jsonschema:"enum=PAY_PER_REQUEST,enum=PROVISIONED,default=PAY_PER_REQUEST"`
	ReadCapacity        int    `yaml:"read_capacity" json:"read_capacity,omitempty" jsonschema:"minimum=1,description=PROVISIONED only"`
	WriteCapacity       int    `yaml:"write_capacity" json:"write_capacity,omitempty" jsonschema:"minimum=1,description=PROVISIONED only"`
	StreamViewType      string `yaml:"stream_view_type" json:"stream_view_type,omitempty" jsonschema:"enum=,enum=KEYS_ONLY,enum=NEW_IMAGE,enum=OLD_IMAGE,enum=NEW_AND_OLD_IMAGES,description=empty: no stream"`
	PointInTimeRecovery bool   `yaml:"point_in_time_recovery" json:"point_in_time_recovery"`
	SSE                 SSE    `yaml:"sse" json:"sse"`
	TTLAttribute        string `yaml:"ttl_attribute" json:"ttl_attribute,omitempty"`
	DeletionProtection  bool   `yaml:"deletion_protection" json:"deletion_protection"`
}

// Key is one attribute of a DynamoDB key schema.
type Key struct {
	Name string `yaml:"name" json:"name" jsonschema:"required"`
	Type string `yaml:"type" json:"type" jsonschema:"required,enum=S,enum=N,enum=B"`
}

// SSE is server-side encryption with an AWS-owned key (Enabled false), the AWS-managed KMS
// key (Enabled true, no KMSKeyARN) or a customer key.
type SSE struct {
	Enabled   bool   `yaml:"enabled" json:"enabled" jsonschema:"default=true"`
	KMSKeyARN string `yaml:"kms_key_arn" json:"kms_key_arn,omitempty"`
}

// ---- s3 ----

// S3Bucket is s3.bucket. Its default physical name carries the account id, since bucket names
// are global.
type S3Bucket struct {
	Versioning            bool            `yaml:"versioning" json:"versioning" jsonschema:"default=true"`
	Encryption            string          `yaml:"encryption" json:"encryption" jsonschema:"enum=AES256,enum=aws:kms,default=AES256"`
	KMSKeyARN             string          `yaml:"kms_key_arn" json:"kms_key_arn,omitempty"`
	BucketKey             bool            `yaml:"bucket_key" json:"bucket_key,omitempty"`
	BlockPublicAccess     bool            `yaml:"block_public_access" json:"block_public_access" jsonschema:"default=true,description=all four public access block settings"`
	DenyInsecureTransport bool            `yaml:"deny_insecure_transport" json:"deny_insecure_transport" jsonschema:"default=true,description=a bucket policy denying requests without TLS"`
	Lifecycle             []LifecycleRule `yaml:"lifecycle" json:"lifecycle,omitempty"`
}

// LifecycleRule moves or expires objects under a prefix.
type LifecycleRule struct {
	ID                        string       `yaml:"id" json:"id" jsonschema:"required"`
	Prefix                    string       `yaml:"prefix" json:"prefix,omitempty"`
	Transitions               []Transition `yaml:"transitions" json:"transitions,omitempty"`
	ExpirationDays            int          `yaml:"expiration_days" json:"expiration_days,omitempty" jsonschema:"minimum=1"`
	NoncurrentExpirationDays  int          `yaml:"noncurrent_expiration_days" json:"noncurrent_expiration_days,omitempty" jsonschema:"minimum=1"`
	AbortIncompleteUploadDays int          `yaml:"abort_incomplete_upload_days" json:"abort_incomplete_upload_days,omitempty" jsonschema:"minimum=1"`
}

// Transition moves objects to another storage class after Days.
type Transition struct {
	Days         int    `yaml:"days" json:"days" jsonschema:"required,minimum=0"`
	StorageClass string `yaml:"storage_class" json:"storage_class" jsonschema:"required,enum=STANDARD_IA,enum=ONEZONE_IA,enum=INTELLIGENT_TIERING,enum=GLACIER_IR,enum=GLACIER,enum=DEEP_ARCHIVE"`
}

// ---- lambda ----

// LambdaFunction is lambda.function. Exactly one of Handler (a program in handlers/, built by
// the provisioner) or Zip (a path to a ready zip) gives the code.
type LambdaFunction struct {
	Handler             string            `yaml:"handler" json:"handler,omitempty" jsonschema:"description=a handler in handlers/: receiver\\, processor or deadletter"`
	Zip                 string            `yaml:"zip" json:"zip,omitempty" jsonschema:"description=path to a deployment zip\\, relative to the spec file"`
	Runtime             string            `yaml:"runtime" json:"runtime" jsonschema:"enum=provided.al2023,enum=provided.al2,default=provided.al2023"`
	Architecture        string            `yaml:"architecture" json:"architecture" jsonschema:"enum=arm64,enum=x86_64,default=arm64"`
	MemoryMB            int               `yaml:"memory_mb" json:"memory_mb" jsonschema:"minimum=128,maximum=10240,default=128"`
	TimeoutSeconds      int               `yaml:"timeout_seconds" json:"timeout_seconds" jsonschema:"minimum=1,maximum=900,default=3"`
	Role                string            `yaml:"role" json:"role" jsonschema:"required,description=execution role ARN\\, e.g. ${receiver-role.arn}"`
	Description         string            `yaml:"description" json:"description,omitempty"`
	Environment         map[string]string `yaml:"environment" json:"environment,omitempty"`
	VPC                 *LambdaVPC        `yaml:"vpc" json:"vpc,omitempty"`
	Tracing             string            `yaml:"tracing" json:"tracing" jsonschema:"enum=Active,enum=PassThrough,default=PassThrough"`
	ReservedConcurrency *int              `yaml:"reserved_concurrency" json:"reserved_concurrency,omitempty" jsonschema:"minimum=0"`
	LogGroup            string            `yaml:"log_group" json:"log_group,omitempty" jsonschema:"description=the function's log group name\\, e.g. ${receiver-logs.name}; it must exist before the function"`
}

// LambdaVPC places a function in private subnets.
type LambdaVPC struct {
	SubnetIDs        []string `yaml:"subnet_ids" json:"subnet_ids" jsonschema:"required,minItems=1"`
	SecurityGroupIDs []string `yaml:"security_group_ids" json:"security_group_ids" jsonschema:"required,minItems=1"`
}

// EventSourceMapping is lambda.event_source_mapping, from a DynamoDB stream or an SQS queue.
type EventSourceMapping struct {
	Function                   string `yaml:"function" json:"function" jsonschema:"required,description=function name or ARN"`
	Source                     string `yaml:"source" json:"source" jsonschema:"required,description=stream or queue ARN\\, e.g. ${events.stream_arn}"`
	BatchSize                  int    `yaml:"batch_size" json:"batch_size" jsonschema:"minimum=1,maximum=10000,default=100"`
	MaximumBatchingWindowSecs  int    `yaml:"maximum_batching_window_seconds" json:"maximum_batching_window_seconds,omitempty" jsonschema:"minimum=0,maximum=300"`
	StartingPosition           string `yaml:"starting_position" json:"starting_position,omitempty" jsonschema:"enum=,enum=LATEST,enum=TRIM_HORIZON,description=streams only"`
	MaximumRetryAttempts       int    `yaml:"maximum_retry_attempts" json:"maximum_retry_attempts" jsonschema:"minimum=-1,maximum=10000,default=-1,description=streams only; -1 retries until the record expires"`
	MaximumRecordAgeSeconds    int    `yaml:"maximum_record_age_seconds" json:"maximum_record_age_seconds" jsonschema:"minimum=-1,maximum=604800,default=-1,description=streams only"`
	BisectBatchOnFunctionError bool   `yaml:"bisect_batch_on_function_error" json:"bisect_batch_on_function_error,omitempty"`
	ReportBatchItemFailures    bool   `yaml:"report_batch_item_failures" json:"report_batch_item_failures,omitempty"`
	OnFailure                  string `yaml:"on_failure" json:"on_failure,omitempty" jsonschema:"description=destination ARN (SQS queue or SNS topic) for failed stream batches"`
	Enabled                    bool   `yaml:"enabled" json:"enabled" jsonschema:"default=true"`
}

// LambdaPermission is lambda.permission: lets a principal invoke a function. Its physical
// name is the statement id.
type LambdaPermission struct {
	Function  string `yaml:"function" json:"function" jsonschema:"required"`
	Action    string `yaml:"action" json:"action" jsonschema:"default=lambda:InvokeFunction"`
	Principal string `yaml:"principal" json:"principal" jsonschema:"required,description=e.g. apigateway.amazonaws.com"`
	SourceARN string `yaml:"source_arn" json:"source_arn,omitempty" jsonschema:"description=e.g. ${api.execution_arn}/*/*"`
}

// ---- apigateway ----

// RestAPI is apigateway.rest_api with its routes, Lambda proxy integrations, deployment and
// one stage.
type RestAPI struct {
	Description  string  `yaml:"description" json:"description,omitempty"`
	EndpointType string  `yaml:"endpoint_type" json:"endpoint_type" jsonschema:"enum=REGIONAL,enum=EDGE,enum=PRIVATE,default=REGIONAL"`
	Routes       []Route `yaml:"routes" json:"routes" jsonschema:"required,minItems=1"`
	Stage        Stage   `yaml:"stage" json:"stage"`
}

// Route is one method on one path, proxied to a Lambda function.
type Route struct {
	Path           string `yaml:"path" json:"path" jsonschema:"required,description=e.g. /webhook or /events/{eventId}"`
	Method         string `yaml:"method" json:"method" jsonschema:"required,enum=GET,enum=POST,enum=PUT,enum=PATCH,enum=DELETE,enum=HEAD,enum=OPTIONS,enum=ANY"`
	Authorization  string `yaml:"authorization" json:"authorization" jsonschema:"enum=NONE,enum=AWS_IAM,default=NONE"`
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

// APIKey is apigateway.api_key. Its value is generated by API Gateway and never printed unless
// asked for.
type APIKey struct {
	Description string `yaml:"description" json:"description,omitempty"`
	Enabled     bool   `yaml:"enabled" json:"enabled" jsonschema:"default=true"`
}

// UsagePlan is apigateway.usage_plan.
type UsagePlan struct {
	Description string           `yaml:"description" json:"description,omitempty"`
	Stages      []UsagePlanStage `yaml:"stages" json:"stages" jsonschema:"required,minItems=1"`
	Throttle    *Throttle        `yaml:"throttle" json:"throttle,omitempty"`
	Quota       *Quota           `yaml:"quota" json:"quota,omitempty"`
	Keys        []string         `yaml:"keys" json:"keys,omitempty" jsonschema:"description=API key ids\\, e.g. ${partner-key.id}"`
}

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

// ---- cloudwatch ----

// MetricAlarm is cloudwatch.metric_alarm, on one metric or on metric math (Metrics).
type MetricAlarm struct {
	Description        string        `yaml:"description" json:"description,omitempty"`
	ComparisonOperator string        `yaml:"comparison_operator" json:"comparison_operator" jsonschema:"enum=GreaterThanThreshold,enum=GreaterThanOrEqualToThreshold,enum=LessThanThreshold,enum=LessThanOrEqualToThreshold,default=GreaterThanThreshold"`
	Threshold          float64       `yaml:"threshold" json:"threshold"`
	EvaluationPeriods  int           `yaml:"evaluation_periods" json:"evaluation_periods" jsonschema:"minimum=1,default=1"`
	DatapointsToAlarm  int           `yaml:"datapoints_to_alarm" json:"datapoints_to_alarm,omitempty" jsonschema:"minimum=1"`
	TreatMissingData   string        `yaml:"treat_missing_data" json:"treat_missing_data" jsonschema:"enum=missing,enum=notBreaching,enum=breaching,enum=ignore,default=missing"`
	Metrics            []MetricQuery `yaml:"metrics" json:"metrics" jsonschema:"required,minItems=1"`
	AlarmActions       []string      `yaml:"alarm_actions" json:"alarm_actions,omitempty"`
}

// MetricQuery is one metric (Metric set) or expression (Expression set) of an alarm; exactly
// one query has ReturnData true: the value compared with the threshold.
type MetricQuery struct {
	ID         string      `yaml:"id" json:"id" jsonschema:"required,pattern=^[a-z][a-zA-Z0-9_]*$"`
	Expression string      `yaml:"expression" json:"expression,omitempty" jsonschema:"description=metric math\\, e.g. errors / invocations * 100"`
	Metric     *MetricStat `yaml:"metric" json:"metric,omitempty"`
	Label      string      `yaml:"label" json:"label,omitempty"`
	ReturnData bool        `yaml:"return_data" json:"return_data,omitempty"`
}

// MetricStat is one CloudWatch metric with a statistic over a period.
type MetricStat struct {
	Namespace  string            `yaml:"namespace" json:"namespace" jsonschema:"required"`
	Name       string            `yaml:"name" json:"name" jsonschema:"required"`
	Dimensions map[string]string `yaml:"dimensions" json:"dimensions,omitempty"`
	Period     int               `yaml:"period" json:"period" jsonschema:"required,minimum=10"`
	Stat       string            `yaml:"stat" json:"stat" jsonschema:"required,description=Sum\\, Average\\, Maximum\\, Minimum\\, SampleCount or pNN"`
}

func (*VPC) Kind() string                { return "ec2.vpc" }
func (*Subnet) Kind() string             { return "ec2.subnet" }
func (*SecurityGroup) Kind() string      { return "ec2.security_group" }
func (*VPCEndpoint) Kind() string        { return "ec2.vpc_endpoint" }
func (*IAMRole) Kind() string            { return "iam.role" }
func (*LogGroup) Kind() string           { return "logs.log_group" }
func (*SQSQueue) Kind() string           { return "sqs.queue" }
func (*DynamoDBTable) Kind() string      { return "dynamodb.table" }
func (*S3Bucket) Kind() string           { return "s3.bucket" }
func (*LambdaFunction) Kind() string     { return "lambda.function" }
func (*EventSourceMapping) Kind() string { return "lambda.event_source_mapping" }
func (*LambdaPermission) Kind() string   { return "lambda.permission" }
func (*RestAPI) Kind() string            { return "apigateway.rest_api" }
func (*APIKey) Kind() string             { return "apigateway.api_key" }
func (*UsagePlan) Kind() string          { return "apigateway.usage_plan" }
func (*MetricAlarm) Kind() string        { return "cloudwatch.metric_alarm" }
