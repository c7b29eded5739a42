package spec

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// cidr checks an IPv4 CIDR block: well formed, a network address, its prefix length within
// AWS's bounds. It returns the block when it is good.
func (c *checker) cidr(r *loaded, path, s string, minBits, maxBits int) (netip.Prefix, bool) {
	if hasRef(s) {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil || !p.Addr().Is4():
		c.errAt(r, path, "expected an IPv4 CIDR block such as 10.0.0.0/16, found %q", s)
	case p.Masked() != p:
		c.errAt(r, path, "expected a network address, found %s (host bits set); did you mean %s?", s, p.Masked())
	case p.Bits() < minBits || p.Bits() > maxBits:
		c.errAt(r, path, "expected a block from /%d to /%d, found /%d", minBits, maxBits, p.Bits())
	default:
		return p, true
	}
	return p, false
}

var azName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$`)

// checkSubnet checks the block, that it lies inside its VPC's and overlaps no other subnet
// of that VPC, and that the zone is in the stack's region.
func (c *checker) checkSubnet(r *loaded, p *Subnet) {
	block, ok := c.cidr(r, "cidr", p.CIDR, 16, 28)
	vpc := c.expectRef(r, "vpc", p.VPC, "ec2.vpc", "id")
	if az := p.AvailabilityZone; azName.MatchString(az) && !strings.HasPrefix(az, c.stack.Region) {
		c.errAt(r, "availability_zone", "expected a zone of region %s (e.g. ${region}a), found %q", c.stack.Region, az)
	}
	if !ok || vpc == nil {
		return
	}
	vpcBlock, err := netip.ParsePrefix(vpc.Props.(*VPC).CIDR)
	if err == nil && (!vpcBlock.Contains(block.Addr()) || block.Bits() < vpcBlock.Bits()) {
		c.errAt(r, "cidr", "expected a block inside %s, the CIDR of VPC %q, found %s", vpcBlock, vpc.Logical, block)
		return
	}
	for _, other := range c.subnets[vpc.Logical] {
		if other.cidr.Overlaps(block) {
			c.errAt(r, "cidr", "%s overlaps %s of subnet %q in the same VPC", block, other.cidr, other.r.Logical)
		}
	}
	c.subnets[vpc.Logical] = append(c.subnets[vpc.Logical], subnetAt{r, block})
}

func (c *checker) checkSecurityGroup(r *loaded, p *SecurityGroup) {
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

// gatewayServices are the services with Gateway endpoints; every other is Interface only.
var gatewayServices = []string{"s3", "dynamodb"}

func (c *checker) checkVPCEndpoint(r *loaded, p *VPCEndpoint) {
	c.expectRef(r, "vpc", p.VPC, "ec2.vpc", "id")
	switch p.Type {
	case "Gateway":
		c.checkGateway(r, p)
	case "Interface":
		c.checkInterface(r, p)
	}
	c.expectRefs(r, "route_table_ids", p.RouteTableIDs, "ec2.vpc", "main_route_table_id")
	c.expectRefs(r, "security_group_ids", p.SecurityGroupIDs, "ec2.security_group", "id")
}

func (c *checker) checkGateway(r *loaded, p *VPCEndpoint) {
	// A full name (com.amazonaws.<region>.s3) is accepted too, and names the same service.
	if short := strings.TrimPrefix(p.Service, "com.amazonaws."+c.stack.Region+"."); !slices.Contains(gatewayServices, short) {
		c.errAt(r, "type", "expected type Interface for service %q (only s3 and dynamodb have Gateway endpoints), found Gateway", p.Service)
	}
	if len(p.RouteTableIDs) == 0 {
		c.errAt(r, "route_table_ids", "expected route_table_ids for a Gateway endpoint, found none")
	}
	for _, name := range []string{"subnet_ids", "security_group_ids", "private_dns"} {
		if r.set(name) {
			c.errAt(r, name, "expected no %s on a Gateway endpoint (it is for type Interface)", name)
		}
	}
}

// checkInterface checks an Interface endpoint: subnets, at most one per zone, no route tables.
func (c *checker) checkInterface(r *loaded, p *VPCEndpoint) {
	if len(p.SubnetIDs) == 0 {
		c.errAt(r, "subnet_ids", "expected subnet_ids for an Interface endpoint, found none")
	}
	if r.set("route_table_ids") {
		c.errAt(r, "route_table_ids", "expected no route_table_ids on an Interface endpoint (they are for type Gateway)")
	}
	zones := map[string]string{}
	for i, id := range p.SubnetIDs {
		path := fmt.Sprintf("subnet_ids[%d]", i)
		s := c.expectRef(r, path, id, "ec2.subnet", "id")
		if s == nil {
			continue
		}
		az := s.Props.(*Subnet).AvailabilityZone
		if prev, dup := zones[az]; dup && az != "" {
			c.errAt(r, path, "expected one subnet per availability zone, found %q and %q both in %s", prev, s.Logical, az)
		}
		zones[az] = s.Logical
	}
}
