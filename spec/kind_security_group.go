package spec

import "fmt"

// securityGroupKind describes ec2.security_group to the language. A rule may also name an
// ec2.vpc_endpoint's prefix_list_id without that ordering the kinds: the prefix list is AWS's
// own and outlives the endpoint, while an Interface endpoint uses security groups, which must
// outlive it.
var securityGroupKind = KindInfo{
	Kind:       "ec2.security_group",
	New:        func() Properties { return &SecurityGroup{} },
	Attributes: []string{"id", "arn", "name"},
	// AWS allows 255; a create-first replacement adds "-r" and 6 hex characters
	// (reconcile.ReplacementName), which must fit too.
	Name:       NameRule{1, 247, `^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`, "1-247 characters (AWS allows 255; a replacement adds 8): letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"},
	References: []string{"ec2.vpc"},
}

// SecurityGroup is ec2.security_group. Rules are the whole set: rules not listed are revoked.
type SecurityGroup struct {
	VPC         string   `yaml:"vpc" json:"vpc" jsonschema:"required"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Ingress     []SGRule `yaml:"ingress" json:"ingress,omitempty"`
	Egress      []SGRule `yaml:"egress" json:"egress,omitempty"`
}

func (*SecurityGroup) Kind() string { return "ec2.security_group" }

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

func (p *SecurityGroup) check(c *checker, r *loaded) {
	c.expectRef(r, "vpc", p.VPC, "ec2.vpc", "id")
	for i, rule := range p.Ingress {
		c.checkRule(r, fmt.Sprintf("ingress[%d]", i), rule)
	}
	for i, rule := range p.Egress {
		c.checkRule(r, fmt.Sprintf("egress[%d]", i), rule)
	}
}

// checkRule checks one rule: exactly one source, ports that fit the protocol, the sources.
func (c *checker) checkRule(r *loaded, path string, rule SGRule) {
	c.oneOf(r, path, []string{"cidrs", "security_group", "prefix_list"},
		[]bool{len(rule.CIDRs) > 0, rule.SourceSecurityGroup != "", rule.PrefixList != ""})
	c.checkPorts(r, path, rule)
	for i, s := range rule.CIDRs {
		c.cidr(r, fmt.Sprintf("%s.cidrs[%d]", path, i), s, 0, 32)
	}
	c.expectRef(r, path+".security_group", rule.SourceSecurityGroup, "ec2.security_group", "id")
	c.expectRef(r, path+".prefix_list", rule.PrefixList, "ec2.vpc_endpoint", "prefix_list_id")
}

func (c *checker) checkPorts(r *loaded, path string, rule SGRule) {
	switch rule.Protocol {
	case "tcp", "udp":
		switch {
		case !r.set(path+".from_port") || !r.set(path+".to_port"):
			c.errAt(r, path, "expected from_port and to_port for protocol %s", rule.Protocol)
		case rule.FromPort < 0 || rule.ToPort < 0:
			c.errAt(r, path+".from_port", "expected ports from 0 to 65535 for protocol %s, found %d-%d", rule.Protocol, rule.FromPort, rule.ToPort)
		case rule.FromPort > rule.ToPort:
			c.errAt(r, path+".from_port", "expected from_port <= to_port, found %d > %d", rule.FromPort, rule.ToPort)
		}
	case "icmp":
		if rule.FromPort > 255 || rule.ToPort > 255 {
			c.errAt(r, path+".from_port", "expected an ICMP type and code from -1 to 255, found %d and %d", rule.FromPort, rule.ToPort)
		}
	case "all":
		if r.set(path+".from_port") || r.set(path+".to_port") {
			c.errAt(r, path+".from_port", "expected no ports with protocol all, which covers every port")
		}
	}
}
