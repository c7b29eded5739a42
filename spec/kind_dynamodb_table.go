package spec

import "strings"

// dynamoDBTableKind describes dynamodb.table to the language.
var dynamoDBTableKind = KindInfo{
	Kind:       "dynamodb.table",
	New:        func() Properties { return &DynamoDBTable{BillingMode: "PAY_PER_REQUEST", SSE: SSE{Enabled: true}} },
	Attributes: []string{"arn", "name", "stream_arn"},
	Name:       NameRule{3, 255, `^[a-zA-Z0-9_.-]+$`, "3-255 characters: letters, digits and _.-"},
}

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

func (*DynamoDBTable) Kind() string { return "dynamodb.table" }

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

func (p *DynamoDBTable) check(c *checker, r *loaded) {
	var missing []string
	for _, f := range []struct {
		name  string
		value int
	}{{"read_capacity", p.ReadCapacity}, {"write_capacity", p.WriteCapacity}} {
		switch {
		case p.BillingMode == "PROVISIONED" && f.value == 0:
			missing = append(missing, f.name)
		case p.BillingMode != "PROVISIONED" && r.set(f.name):
			c.errAt(r, f.name, "expected no %s with billing_mode %s (capacity is for PROVISIONED)", f.name, p.BillingMode)
		}
	}
	if len(missing) > 0 {
		c.errAt(r, "billing_mode", "expected %s with billing_mode PROVISIONED, found none", strings.Join(missing, " and "))
	}
	if p.RangeKey != nil && p.RangeKey.Name == p.HashKey.Name {
		c.errAt(r, "range_key.name", "expected a range key other than the hash key, found %q for both", p.HashKey.Name)
	}
	if p.SSE.KMSKeyARN != "" && !p.SSE.Enabled {
		c.errAt(r, "sse.kms_key_arn", "expected sse.enabled true with a kms_key_arn, found enabled false")
	}
}
