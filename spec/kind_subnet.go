package spec

import (
	"net/netip"
	"regexp"
	"strings"
)

// subnetKind describes ec2.subnet to the language.
var subnetKind = KindInfo{
	Kind:       "ec2.subnet",
	New:        func() Properties { return &Subnet{} },
	Attributes: []string{"id", "arn", "cidr", "availability_zone"},
	Name:       NameRule{1, 255, `^[\x20-\x7e]+$`, "1-255 printable ASCII characters (the Name tag)"},
	References: []string{"ec2.vpc"},
}

// Subnet is ec2.subnet. Its CIDR must lie inside its VPC's when the VPC is in the same spec.
type Subnet struct {
	VPC              string `yaml:"vpc" json:"vpc" jsonschema:"required,description=VPC id\\, usually ${<vpc>.id}"`
	CIDR             string `yaml:"cidr" json:"cidr" jsonschema:"required"`
	AvailabilityZone string `yaml:"availability_zone" json:"availability_zone,omitempty" jsonschema:"description=e.g. ${region}a"`
	MapPublicIP      bool   `yaml:"map_public_ip_on_launch" json:"map_public_ip_on_launch"`
}

func (*Subnet) Kind() string { return "ec2.subnet" }

var azName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$`)

// check checks the block, that it lies inside its VPC's and overlaps no other subnet
// of that VPC, and that the zone is in the stack's region.
func (p *Subnet) check(c *checker, r *loaded) {
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
