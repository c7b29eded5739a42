package spec

import (
	"fmt"
	"slices"
	"strings"
)

// vpcEndpointKind describes ec2.vpc_endpoint to the language.
var vpcEndpointKind = KindInfo{
	Kind:       "ec2.vpc_endpoint",
	New:        func() Properties { return &VPCEndpoint{Type: "Gateway"} },
	Attributes: []string{"id", "prefix_list_id", "dns_name"},
	Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters (the Name tag)"},
	References: []string{"ec2.vpc", "ec2.subnet", "ec2.security_group"},
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

func (*VPCEndpoint) Kind() string { return "ec2.vpc_endpoint" }

// gatewayServices are the services with Gateway endpoints; every other is Interface only.
var gatewayServices = []string{"s3", "dynamodb"}

func (p *VPCEndpoint) check(c *checker, r *loaded) {
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
