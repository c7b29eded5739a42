package kinds

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- unit tests ----

func newTestSubnet(f *fakeEC2) *Subnet {
	k := NewSubnet(f)
	k.wait, k.dependencyWait = reconcile.InstantBackoff, reconcile.InstantBackoff
	return k
}

func testSubnetObject(id string, tags []types.Tag) types.Subnet {
	return types.Subnet{
		SubnetId: aws.String(id), VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.1.0/24"),
		AvailabilityZone: aws.String("eu-west-1b"), MapPublicIpOnLaunch: aws.Bool(false),
		SubnetArn: aws.String("arn:aws:ec2:eu-west-1:111122223333:subnet/" + id), Tags: tags,
	}
}

// subnetFake answers describes from subnets, ignoring filters other than ids.
func subnetFake(subnets ...types.Subnet) *fakeEC2 {
	return &fakeEC2{describeSubnets: func(in *ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
		return ec2FakeDescribe(subnets, func(s types.Subnet) *string { return s.SubnetId }, in.SubnetIds, subnetNotFound,
			func(found []types.Subnet) *ec2.DescribeSubnetsOutput {
				return &ec2.DescribeSubnetsOutput{Subnets: found}
			})
	}}
}

func TestSubnetDiff(t *testing.T) {
	live := spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24", AvailabilityZone: "eu-west-1b"}
	tests := []struct {
		name     string
		want     spec.Subnet
		path     string
		forceNew bool
	}{
		{"no change", live, "", false},
		{"zone left to AWS", spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24"}, "", false},
		{"map public ip", spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24", MapPublicIP: true}, "map_public_ip_on_launch", false},
		{"vpc", spec.Subnet{VPC: "vpc-2", CIDR: "10.0.1.0/24"}, "vpc", true},
		{"cidr", spec.Subnet{VPC: "vpc-1", CIDR: "10.0.2.0/24"}, "cidr", true},
		{"zone", spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24", AvailabilityZone: "eu-west-1a"}, "availability_zone", true},
	}
	k := newTestSubnet(&fakeEC2{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, got := tt.want, live
			ec2CheckDiff(t, tk[spec.Subnet](k), &want, &got, tt.path, tt.forceNew)
		})
	}
}

func TestSubnetListKeepsOnlyOurs(t *testing.T) {
	other := ec2UnitOwner
	other.Stack = "elsewhere"
	f := subnetFake(
		testSubnetObject("subnet-ours", ec2OwnedTags(ec2UnitOwner, "a-u1")),
		testSubnetObject("subnet-untagged", nil),
		testSubnetObject("subnet-other-stack", ec2OwnedTags(other, "a-u1")),
	)
	got, err := newTestSubnet(f).List(context.Background(), state.Selector{Stack: "unit", Suffix: "u1"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "subnet-ours", got[0].ID)
	assert.Equal(t, map[string]string{
		"id": "subnet-ours", "arn": "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-ours",
		"cidr": "10.0.1.0/24", "availability_zone": "eu-west-1b",
	}, got[0].Attrs)
	assert.Equal(t, &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24", AvailabilityZone: "eu-west-1b"}, got[0].Props)
}

func TestSubnetCreateAdoptsOurs(t *testing.T) {
	f := subnetFake(testSubnetObject("subnet-1", ec2OwnedTags(ec2UnitOwner, "a-u1")))
	f.modifySubnetAttribute = func(in *ec2.ModifySubnetAttributeInput) (*ec2.ModifySubnetAttributeOutput, error) {
		return &ec2.ModifySubnetAttributeOutput{}, nil
	}
	f.createTags = func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) { return &ec2.CreateTagsOutput{}, nil }
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "a-u1", Tags: ec2WithUserTag(ec2UnitOwner),
		Props: &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24", MapPublicIP: true}}
	got, err := tk[spec.Subnet](newTestSubnet(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "subnet-1", got.ID)
	assert.Zero(t, f.count("CreateSubnet"))
	assert.Equal(t, 1, f.count("ModifySubnetAttribute"))
	assert.Equal(t, 1, f.count("CreateTags"))
}

func TestSubnetCreateWaitsForTheNewID(t *testing.T) {
	created := testSubnetObject("subnet-new", ec2OwnedTags(ec2UnitOwner, "a-u1"))
	created.MapPublicIpOnLaunch = aws.Bool(true)
	f := subnetFake(created)
	describe := f.describeSubnets
	f.describeSubnets = func(in *ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
		if len(in.SubnetIds) == 0 {
			return &ec2.DescribeSubnetsOutput{}, nil // no earlier attempt
		}
		return describe(in)
	}
	var createIn *ec2.CreateSubnetInput
	f.createSubnet = func(in *ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error) {
		createIn = in
		return &ec2.CreateSubnetOutput{Subnet: &created}, nil
	}
	f.modifySubnetAttribute = func(*ec2.ModifySubnetAttributeInput) (*ec2.ModifySubnetAttributeOutput, error) {
		if f.count("ModifySubnetAttribute") < 3 {
			return nil, ec2APIErr(subnetNotFound)
		}
		return &ec2.ModifySubnetAttributeOutput{}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "a-u1", Tags: ec2UnitOwner.Tags(), Props: &spec.Subnet{VPC: "vpc-1", CIDR: "10.0.1.0/24", MapPublicIP: true}}
	got, err := tk[spec.Subnet](newTestSubnet(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "subnet-new", got.ID)
	assert.Equal(t, 3, f.count("ModifySubnetAttribute"))
	assert.Nil(t, createIn.AvailabilityZone, "an empty zone is left to AWS")
	assert.Equal(t, "a-u1", ec2TagMap(createIn.TagSpecifications[0].Tags)["Name"])
}

func TestSubnetDeleteToleratesNotFound(t *testing.T) {
	f := subnetFake()
	ec2CheckDeleteGone(t, newTestSubnet(f), f, "subnet-gone", "DeleteSubnet")
}

func TestSubnetDeleteWaitsForNetworkInterfaces(t *testing.T) {
	f := subnetFake(testSubnetObject("subnet-1", ec2OwnedTags(ec2UnitOwner, "a-u1")))
	describe := f.describeSubnets
	f.describeSubnets = func(in *ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
		if f.count("DeleteSubnet") == 4 {
			return nil, ec2APIErr(subnetNotFound)
		}
		return describe(in)
	}
	f.deleteSubnet = func(*ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error) {
		if f.count("DeleteSubnet") < 4 {
			return nil, ec2APIErr(ec2DependencyViolation) // a Lambda's ENI is still attached
		}
		return &ec2.DeleteSubnetOutput{}, nil
	}
	k := newTestSubnet(f)
	var progress []string
	ctx := reconcile.WithReporter(context.Background(), func(msg string) { progress = append(progress, msg) })
	require.NoError(t, k.Delete(ctx, state.Resource{ID: "subnet-1", Owner: ec2UnitOwner}))
	assert.Equal(t, 4, f.count("DeleteSubnet"))
	require.Len(t, progress, 3)
	assert.Contains(t, progress[0], "subnet-1")
}

func TestSubnetDeleteReportsTheBudget(t *testing.T) {
	f := subnetFake(testSubnetObject("subnet-1", ec2OwnedTags(ec2UnitOwner, "a-u1")))
	f.deleteSubnet = func(*ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error) {
		return nil, ec2APIErr(ec2DependencyViolation)
	}
	k := newTestSubnet(f)
	k.dependencyWait = reconcile.Backoff{Initial: time.Microsecond, Max: time.Microsecond, Budget: 20 * time.Millisecond}
	err := k.Delete(context.Background(), state.Resource{ID: "subnet-1", Owner: ec2UnitOwner})
	require.Error(t, err)
	assert.Equal(t, ec2DependencyViolation, awscall.Code(err))
	assert.True(t, strings.Contains(err.Error(), "gave up after"), err.Error())
}

func TestSubnetDeleteRefusesForeignTags(t *testing.T) {
	f := subnetFake(testSubnetObject("subnet-1", nil))
	ec2CheckDeleteRefused(t, newTestSubnet(f), f, "subnet-1", "DeleteSubnet")
}

// ---- against the emulator ----

func TestSubnetLifecycle(t *testing.T) {
	api, _ := testEC2(t)
	vpc := testVPC(t, api, "10.41.0.0/16")
	k := NewSubnet(api)
	o := testOwner(t, "subnet-a")
	d := desired(o, "subnet-"+o.Suffix, &spec.Subnet{VPC: vpc, CIDR: "10.41.1.0/24"})
	checkLifecycle(t, tk[spec.Subnet](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = &spec.Subnet{VPC: vpc, CIDR: "10.41.1.0/24", MapPublicIP: true}
		return d
	})
}

func TestSubnetAttrsAndSelector(t *testing.T) {
	api, region := testEC2(t)
	vpc := testVPC(t, api, "10.46.0.0/16")
	k := NewSubnet(api)
	o := testOwner(t, "subnet-b")
	ctx := context.Background()
	zone := region + "b"
	r, err := tk[spec.Subnet](k).Create(ctx, desired(o, "subnet-"+o.Suffix, &spec.Subnet{VPC: vpc, CIDR: "10.46.2.0/24", AvailabilityZone: zone}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })
	assert.Equal(t, r.ID, r.Attrs["id"])
	assert.Regexp(t, `^arn:aws[\w-]*:ec2:`+region+`:\d+:subnet/`+r.ID+`$`, r.Attrs["arn"])
	assert.Equal(t, "10.46.2.0/24", r.Attrs["cidr"])
	assert.Equal(t, zone, r.Attrs["availability_zone"])

	others, err := k.List(ctx, ec2OtherSuffix(o))
	require.NoError(t, err)
	assert.Empty(t, others)
}
