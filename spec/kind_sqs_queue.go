package spec

// sqsQueueKind describes sqs.queue to the language.
var sqsQueueKind = KindInfo{
	Kind: "sqs.queue",
	New: func() Properties {
		return &SQSQueue{VisibilityTimeoutSeconds: 30, MessageRetentionSeconds: 345600, SSE: true, MaxMessageSizeBytes: 262144}
	},
	Attributes: []string{"arn", "url", "name"},
	Name:       NameRule{1, 80, `^[A-Za-z0-9_-]+(\.fifo)?$`, "1-80 characters: letters, digits, - and _ (and .fifo at the end)"},
}

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

func (*SQSQueue) Kind() string { return "sqs.queue" }

// Redrive sends messages received too often to a dead-letter queue.
type Redrive struct {
	DeadLetterQueueARN string `yaml:"dead_letter_queue_arn" json:"dead_letter_queue_arn" jsonschema:"required"`
	MaxReceiveCount    int    `yaml:"max_receive_count" json:"max_receive_count" jsonschema:"required,minimum=1,maximum=1000"`
}

// check checks that the dead-letter queue is a queue's ARN.
func (p *SQSQueue) check(c *checker, r *loaded) {
	if p.Redrive != nil {
		c.expectRef(r, "redrive.dead_letter_queue_arn", p.Redrive.DeadLetterQueueARN, "sqs.queue", "arn")
	}
}
