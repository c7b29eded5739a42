package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/state"
)

// testEC2 is an EC2 client on the package's emulator, and its region.
func testEC2(t *testing.T) (*ec2.Client, string) {
	cfg := emutest.Config(t)
	return ec2.NewFromConfig(cfg), cfg.Region
}

// testVPC creates a plain VPC (no ownership tags) for the kinds that live in one, and deletes
// it when the test ends.
func testVPC(t *testing.T, api *ec2.Client, cidr string) string {
	t.Helper()
	out, err := api.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	require.NoError(t, err, "create test vpc")
	id := aws.ToString(out.Vpc.VpcId)
	t.Cleanup(func() { _, _ = api.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(id)}) })
	return id
}

// testSubnet creates a plain subnet in vpc, deleted when the test ends.
func testSubnet(t *testing.T, api *ec2.Client, vpc, cidr string) string {
	t.Helper()
	out, err := api.CreateSubnet(context.Background(), &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr)})
	require.NoError(t, err, "create test subnet")
	id := aws.ToString(out.Subnet.SubnetId)
	t.Cleanup(func() {
		_, _ = api.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
	})
	return id
}

// testRouteTable creates a route table in vpc, deleted when the test ends.
func testRouteTable(t *testing.T, api *ec2.Client, vpc string) string {
	t.Helper()
	out, err := api.CreateRouteTable(context.Background(), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})
	require.NoError(t, err, "create test route table")
	id := aws.ToString(out.RouteTable.RouteTableId)
	t.Cleanup(func() {
		_, _ = api.DeleteRouteTable(context.Background(), &ec2.DeleteRouteTableInput{RouteTableId: aws.String(id)})
	})
	return id
}

// ec2OtherSuffix is a selector for the same stack under another suffix: it must see nothing of o.
func ec2OtherSuffix(o state.Owner) state.Selector {
	return state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"}
}

// ec2OwnedTags are the EC2 tags of a resource of o named name.
func ec2OwnedTags(o state.Owner, name string) []types.Tag {
	tags := o.Tags()
	tags[ec2NameTag] = name
	return ec2Tags(tags)
}

// ec2UnitOwner is the owner unit tests use.
var ec2UnitOwner = state.Owner{Stack: "unit", Suffix: "u1", ID: "net"}
