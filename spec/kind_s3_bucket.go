package spec

import "fmt"

// s3BucketKind describes s3.bucket to the language.
var s3BucketKind = KindInfo{
	Kind: "s3.bucket",
	New: func() Properties {
		return &S3Bucket{Versioning: true, Encryption: "AES256", BlockPublicAccess: true, DenyInsecureTransport: true}
	},
	Attributes: []string{"arn", "name", "domain_name"},
	Name:       NameRule{3, 63, `^[a-z0-9][a-z0-9.-]*[a-z0-9]$`, "3-63 characters: lowercase letters, digits, . and -, starting and ending with a letter or digit"},
}

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

func (*S3Bucket) Kind() string { return "s3.bucket" }

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

func (p *S3Bucket) check(c *checker, r *loaded) {
	if p.Encryption != "aws:kms" {
		for _, name := range []string{"kms_key_arn", "bucket_key"} {
			if r.set(name) {
				c.errAt(r, name, "expected no %s with encryption %s (it is for aws:kms)", name, p.Encryption)
			}
		}
	}
	ids := map[string]int{}
	for i, rule := range p.Lifecycle {
		path := fmt.Sprintf("lifecycle[%d]", i)
		if prev, dup := ids[rule.ID]; dup {
			c.errAt(r, path+".id", "expected a rule id unique in the bucket, found %q again (lifecycle[%d])", rule.ID, prev)
		}
		ids[rule.ID] = i
		c.checkLifecycleRule(r, path, rule)
	}
}

// minTransitionDays are S3's minimum ages for transitions to the infrequent-access classes.
var minTransitionDays = map[string]int{"STANDARD_IA": 30, "ONEZONE_IA": 30}

func (c *checker) checkLifecycleRule(r *loaded, path string, rule LifecycleRule) {
	if len(rule.Transitions) == 0 && rule.ExpirationDays == 0 && rule.NoncurrentExpirationDays == 0 && rule.AbortIncompleteUploadDays == 0 {
		c.errAt(r, path, "expected at least one of transitions, expiration_days, noncurrent_expiration_days or abort_incomplete_upload_days, found none")
	}
	last := 0
	for i, t := range rule.Transitions {
		if low, ok := minTransitionDays[t.StorageClass]; ok && t.Days < low {
			c.errAt(r, fmt.Sprintf("%s.transitions[%d].days", path, i), "expected at least %d days before a transition to %s, found %d", low, t.StorageClass, t.Days)
		}
		last = max(last, t.Days)
	}
	if rule.ExpirationDays != 0 && rule.ExpirationDays <= last {
		c.errAt(r, path+".expiration_days", "expected expiration after the last transition (day %d), found %d", last, rule.ExpirationDays)
	}
}
