package spec

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// textRule is what a service accepts in a free-text or naming field, from its API reference.
// A ${...} reference counts as written: the values it stands for (ids, names, the suffix) are
// made of characters every rule here allows.
type textRule struct {
	min, max int
	pattern  *regexp.Regexp // nil: any character
	hint     string
}

var (
	// EC2 security group and rule descriptions (CreateSecurityGroup GroupDescription,
	// IpPermission descriptions): an apostrophe or any other character outside this set fails.
	ec2Description = textRule{0, 255, regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$`),
		"at most 255 characters: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"}
	// IAM role descriptions: tab, newline and Latin-1 printable characters.
	iamDescription = textRule{0, 1000, regexp.MustCompile(`^[\t\n\r\x{20}-\x{7e}\x{a1}-\x{ff}]*$`),
		"at most 1000 characters: printable ASCII and Latin-1, tabs and newlines"}
	// IAM statement ids: ASCII letters and digits only.
	statementID       = textRule{0, 1000, regexp.MustCompile(`^[A-Za-z0-9]*$`), "letters and digits only"}
	lambdaDescription = textRule{0, 256, nil, "at most 256 characters"}
	alarmDescription  = textRule{0, 1024, nil, "at most 1024 characters"}
	attributeName     = textRule{0, 255, nil, "at most 255 characters"} // empty is reported as missing
	lifecycleID       = textRule{0, 255, nil, "at most 255 characters"}
)

// checkTexts applies the text rules of r's kind.
func (c *checker) checkTexts(r *loaded) {
	switch p := r.Props.(type) {
	case *SecurityGroup:
		c.text(r, "description", p.Description, ec2Description)
		for i, rule := range p.Ingress {
			c.text(r, fmt.Sprintf("ingress[%d].description", i), rule.Description, ec2Description)
		}
		for i, rule := range p.Egress {
			c.text(r, fmt.Sprintf("egress[%d].description", i), rule.Description, ec2Description)
		}
	case *IAMRole:
		c.text(r, "description", p.Description, iamDescription)
		for i, pol := range p.Policies {
			for j, st := range pol.Statements {
				c.text(r, fmt.Sprintf("policies[%d].statements[%d].sid", i, j), st.Sid, statementID)
			}
		}
	case *LambdaFunction:
		c.text(r, "description", p.Description, lambdaDescription)
	case *MetricAlarm:
		c.text(r, "description", p.Description, alarmDescription)
	case *DynamoDBTable:
		c.text(r, "hash_key.name", p.HashKey.Name, attributeName)
		if p.RangeKey != nil {
			c.text(r, "range_key.name", p.RangeKey.Name, attributeName)
		}
		if p.TTLAttribute != "" {
			c.text(r, "ttl_attribute", p.TTLAttribute, attributeName)
		}
	case *S3Bucket:
		for i, rule := range p.Lifecycle {
			c.text(r, fmt.Sprintf("lifecycle[%d].id", i), rule.ID, lifecycleID)
		}
	}
}

// text reports s at path when it breaks rule, naming the first character that does.
func (c *checker) text(r *loaded, path, s string, rule textRule) {
	n := utf8.RuneCountInString(s)
	if n < rule.min || n > rule.max {
		c.errAt(r, path, "expected %s, found %d characters", rule.hint, n)
		return
	}
	if rule.pattern == nil || rule.pattern.MatchString(s) {
		return
	}
	for _, ch := range s {
		if !rule.pattern.MatchString(string(ch)) {
			c.errAt(r, path, "expected %s, found %q in %q", rule.hint, ch, s)
			return
		}
	}
}
