package spec

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	principalPattern  = regexp.MustCompile(`^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$`)
	rolePathPattern   = regexp.MustCompile(`^/([\x21-\x7e]{0,510}/)?$`)
	policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	actionPattern     = regexp.MustCompile(`^(\*|[a-z0-9-]+:[A-Za-z0-9*]+)$`)
)

func (c *checker) checkRole(r *loaded, p *IAMRole) {
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

func (c *checker) checkTable(r *loaded, p *DynamoDBTable) {
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

func (c *checker) checkBucket(r *loaded, p *S3Bucket) {
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
