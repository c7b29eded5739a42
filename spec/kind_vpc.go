package spec

// vpcKind describes ec2.vpc to the language.
var vpcKind = KindInfo{
	Kind:       "ec2.vpc",
	New:        func() Properties { return &VPC{EnableDNSHostnames: true, EnableDNSSupport: true} },
	Attributes: []string{"id", "arn", "cidr", "main_route_table_id"},
	Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters (the Name tag)"},
}

// VPC is ec2.vpc.
type VPC struct {
	CIDR               string `yaml:"cidr" json:"cidr" jsonschema:"required,description=IPv4 CIDR block\\, e.g. 10.0.0.0/16"`
	EnableDNSHostnames bool   `yaml:"enable_dns_hostnames" json:"enable_dns_hostnames" jsonschema:"default=true"`
	EnableDNSSupport   bool   `yaml:"enable_dns_support" json:"enable_dns_support" jsonschema:"default=true"`
}

func (*VPC) Kind() string { return "ec2.vpc" }

// check checks the VPC's block.
func (p *VPC) check(c *checker, r *loaded) { c.cidr(r, "cidr", p.CIDR, 16, 28) }
