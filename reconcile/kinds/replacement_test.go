package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// A create-first replacement of a group shares the old group's VPC, where names are unique:
// the new group takes the replacement name, keeps the spec's name in its Name tag, and reads
// back under the spec's name (so it is not replaced again for its name).
func TestSecurityGroupReplacementTakesItsOwnName(t *testing.T) {
	created := testSecurityGroupObject("sg-new", ec2OwnedTags(ec2UnitOwner, "web-u1"))
	want := reconcile.ReplacementName("web-u1", "sg-old")
	created.GroupName = aws.String(want)
	f := sgFake(created)
	var createIn *ec2.CreateSecurityGroupInput
	f.createSecurityGroup = func(in *ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) {
		createIn = in
		return &ec2.CreateSecurityGroupOutput{GroupId: aws.String("sg-new")}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2UnitOwner.Tags(), Replaces: "sg-old",
		Props: sgWebProps(nil, []spec.SGRule{{Protocol: "all", CIDRs: []string{"0.0.0.0/0"}}})}
	got, err := tk[spec.SecurityGroup](newTestSG(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, want, aws.ToString(createIn.GroupName))
	assert.Equal(t, "web-u1", ec2TagMap(createIn.TagSpecifications[0].Tags)[ec2NameTag])
	assert.Equal(t, "web-u1", got.Name)
	assert.Equal(t, want, got.Attrs["name"], "the attribute is the group's real name")
}

// The resource being replaced carries the same ownership tags: the look-up for an earlier
// attempt must not adopt it.
func TestSubnetReplacementDoesNotAdoptTheOldOne(t *testing.T) {
	old := testSubnetObject("subnet-old", ec2OwnedTags(ec2UnitOwner, "a-u1"))
	created := testSubnetObject("subnet-new", ec2OwnedTags(ec2UnitOwner, "a-u1"))
	created.CidrBlock = aws.String("10.0.3.0/24")
	f := subnetFake(old, created)
	describe := f.describeSubnets
	f.describeSubnets = func(in *ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
		if len(in.SubnetIds) == 0 {
			return &ec2.DescribeSubnetsOutput{Subnets: []types.Subnet{old}}, nil // only the old one carries the tags yet
		}
		return describe(in)
	}
	f.createSubnet = func(*ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error) {
		return &ec2.CreateSubnetOutput{Subnet: &created}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "a-u1", Tags: ec2UnitOwner.Tags(), Replaces: "subnet-old",
		Props: &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.3.0/24"}}
	got, err := tk[spec.Subnet](newTestSubnet(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "subnet-new", got.ID)
	assert.Equal(t, 1, f.count("CreateSubnet"))
}

func TestCreateFirstRules(t *testing.T) {
	subnet := func(vpc, cidr string) state.Resource {
		return state.Resource{Props: &spec.Subnet{VPC: vpc, CIDR: cidr}}
	}
	diff := func(paths ...string) []reconcile.FieldDiff {
		var out []reconcile.FieldDiff
		for _, p := range paths {
			out = append(out, reconcile.FieldDiff{Path: p, ForceNew: true})
		}
		return out
	}
	for name, tc := range map[string]struct {
		r     reconcile.Replacer
		d     reconcile.Desired
		live  state.Resource
		diffs []reconcile.FieldDiff
		ok    bool
	}{
		"subnet, free cidr":        {&Subnet{}, reconcile.Desired{Props: &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.3.0/24"}}, subnet("vpc-1", "10.0.1.0/24"), diff("cidr"), true},
		"subnet, overlapping cidr": {&Subnet{}, reconcile.Desired{Props: &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.0.0/16"}}, subnet("vpc-1", "10.0.1.0/24"), diff("cidr"), false},
		"subnet, same cidr new az": {&Subnet{}, reconcile.Desired{Props: &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24"}}, subnet("vpc-1", "10.0.1.0/24"), diff("availability_zone"), false},
		"subnet, new vpc":          {&Subnet{}, reconcile.Desired{Props: &spec.Subnet{VPC: reconcile.Unknown, CIDR: "10.0.1.0/24"}}, subnet("vpc-1", "10.0.1.0/24"), diff("vpc"), true},
		"security group":           {&SecurityGroup{}, reconcile.Desired{}, state.Resource{}, diff("description"), true},
		"vpc":                      {&VPC{}, reconcile.Desired{}, state.Resource{}, diff("cidr"), true},
		"endpoint, new vpc":        {&VPCEndpoint{}, reconcile.Desired{}, state.Resource{}, diff("vpc"), true},
		"endpoint, new type":       {&VPCEndpoint{}, reconcile.Desired{}, state.Resource{}, diff("type"), false},
		"mapping, new source":      {&EventSourceMapping{}, reconcile.Desired{}, state.Resource{}, diff("source"), true},
		"mapping, new position":    {&EventSourceMapping{}, reconcile.Desired{}, state.Resource{}, diff("starting_position"), false},
		"permission, new function": {&LambdaPermission{}, reconcile.Desired{}, state.Resource{}, diff("function"), true},
		"permission, new source":   {&LambdaPermission{}, reconcile.Desired{}, state.Resource{}, diff("source_arn"), false},
		"table":                    {&DynamoDBTable{}, reconcile.Desired{Name: "t-dev"}, state.Resource{}, diff("hash_key"), false},
		"role":                     {&IAMRole{}, reconcile.Desired{Name: "r-dev"}, state.Resource{}, diff("path"), false},
	} {
		ok, why := tc.r.CreateFirst(tc.d, tc.live, tc.diffs)
		assert.Equal(t, tc.ok, ok, name)
		assert.Equal(t, tc.ok, why == "", "%s: a refusal says why, a yes says nothing: %q", name, why)
	}
}
