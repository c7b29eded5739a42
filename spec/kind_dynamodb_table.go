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
	// WarmThroughput pre-warms the table: raise-only on AWS, so the plan refuses a decrease.
	WarmThroughput *WarmThroughput `yaml:"warm_throughput" json:"warm_throughput,omitempty" jsonschema:"description=pre-warmed throughput; raise-only (a decrease is refused by plan) and billed per raise"`
}

// WarmThroughput is the read and write rate a table takes at once, without ramping up.
type WarmThroughput struct {
	ReadUnitsPerSecond  int `yaml:"read_units_per_second" json:"read_units_per_second" jsonschema:"required,minimum=1,description=at least 12000 on demand (a new table's own); at least read_capacity when PROVISIONED"`
	WriteUnitsPerSecond int `yaml:"write_units_per_second" json:"write_units_per_second" jsonschema:"required,minimum=1,description=at least 4000 on demand (a new table's own); at least write_capacity when PROVISIONED"`
}

// On-demand tables start at this warm throughput; AWS refuses a lower one.
const (
	OnDemandWarmReads  = 12000
	OnDemandWarmWrites = 4000
)

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
	p.checkWarm(c, r)
}

// checkWarm checks the static floor of warm throughput: a new on-demand table's own, or the
// provisioned capacity. Only the plan, against the live table, can tell a decrease.
func (p *DynamoDBTable) checkWarm(c *checker, r *loaded) {
	w := p.WarmThroughput
	if w == nil {
		return
	}
	minRead, minWrite, why := OnDemandWarmReads, OnDemandWarmWrites, "a new on-demand table's warm throughput"
	if p.BillingMode == "PROVISIONED" {
		minRead, minWrite, why = p.ReadCapacity, p.WriteCapacity, "the provisioned capacity"
	}
	for _, f := range []struct {
		path      string
		got, want int
	}{{"warm_throughput.read_units_per_second", w.ReadUnitsPerSecond, minRead}, {"warm_throughput.write_units_per_second", w.WriteUnitsPerSecond, minWrite}} {
		if f.got < f.want {
			c.errAt(r, f.path, "expected at least %d (%s), found %d", f.want, why, f.got)
		}
	}
}
