package kinds

import (
	"context"
	"errors"
	"testing"

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

func newTestVPC(f *fakeEC2) *VPC {
	k := NewVPC(f, "eu-west-1")
	k.wait, k.dependencyWait = reconcile.InstantBackoff, reconcile.InstantBackoff
	return k
}

// vpcFake answers describes from vpcs (ignoring filters other than ids, so the kind's own
// tag check is what keeps foreign VPCs out), with DNS support and hostnames on.
func vpcFake(vpcs ...types.Vpc) *fakeEC2 {
	return &fakeEC2{
		describeVpcs: func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
			return ec2FakeDescribe(vpcs, func(v types.Vpc) *string { return v.VpcId }, in.VpcIds, vpcNotFound,
				func(found []types.Vpc) *ec2.DescribeVpcsOutput { return &ec2.DescribeVpcsOutput{Vpcs: found} })
		},
		describeVpcAttribute: func(in *ec2.DescribeVpcAttributeInput) (*ec2.DescribeVpcAttributeOutput, error) {
			on := &types.AttributeBooleanValue{Value: aws.Bool(true)}
			return &ec2.DescribeVpcAttributeOutput{EnableDnsSupport: on, EnableDnsHostnames: on}, nil
		},
		describeRouteTables: func(*ec2.DescribeRouteTablesInput) (*ec2.DescribeRouteTablesOutput, error) {
			return &ec2.DescribeRouteTablesOutput{RouteTables: []types.RouteTable{{RouteTableId: aws.String("rtb-main")}}}, nil
		},
	}
}

func testVPCObject(id string, tags []types.Tag) types.Vpc {
	return types.Vpc{VpcId: aws.String(id), CidrBlock: aws.String("10.0.0.0/16"), OwnerId: aws.String("111122223333"), Tags: tags}
}

func TestVPCDiff(t *testing.T) {
	base := spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true}
	tests := []struct {
		name     string
		change   func(*spec.VPC)
		path     string
		forceNew bool
	}{
		{"no change", func(*spec.VPC) {}, "", false},
		{"dns support", func(p *spec.VPC) { p.EnableDNSSupport = false }, "enable_dns_support", false},
		{"dns hostnames", func(p *spec.VPC) { p.EnableDNSHostnames = false }, "enable_dns_hostnames", false},
		{"cidr", func(p *spec.VPC) { p.CIDR = "10.1.0.0/16" }, "cidr", true},
	}
	k := newTestVPC(&fakeEC2{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := base
			tt.change(&want)
			live := base
			ec2CheckDiff(t, tk[spec.VPC](k), &want, &live, tt.path, tt.forceNew)
		})
	}
}

func TestVPCListKeepsOnlyOurs(t *testing.T) {
	other := ec2UnitOwner
	other.Suffix = "u2"
	f := vpcFake(
		testVPCObject("vpc-ours", ec2OwnedTags(ec2UnitOwner, "net-u1")),
		testVPCObject("vpc-untagged", []types.Tag{{Key: aws.String("Name"), Value: aws.String("net-u1")}}),
		testVPCObject("vpc-other", ec2OwnedTags(other, "net-u2")),
	)
	var filters []types.Filter
	list := f.describeVpcs
	f.describeVpcs = func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
		filters = in.Filters
		return list(in)
	}
	got, err := newTestVPC(f).List(context.Background(), state.Selector{Stack: "unit", Suffix: "u1"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "vpc-ours", got[0].ID)
	assert.Equal(t, ec2UnitOwner, got[0].Owner)
	assert.Equal(t, "net-u1", got[0].Name)
	assert.Equal(t, map[string]string{
		"id": "vpc-ours", "arn": "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-ours",
		"cidr": "10.0.0.0/16", "main_route_table_id": "rtb-main",
	}, got[0].Attrs)
	assert.Equal(t, &spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true}, got[0].Props)
	assert.Contains(t, filters, ec2TagFilter(state.TagSuffix, "u1"))
	assert.Contains(t, filters, ec2TagFilter(state.TagStack, "unit"))
}

func TestVPCCreateAdoptsOurs(t *testing.T) {
	f := vpcFake(testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1")))
	var modified []*ec2.ModifyVpcAttributeInput
	f.modifyVpcAttribute = func(in *ec2.ModifyVpcAttributeInput) (*ec2.ModifyVpcAttributeOutput, error) {
		modified = append(modified, in)
		return &ec2.ModifyVpcAttributeOutput{}, nil
	}
	var tagged map[string]string
	f.createTags = func(in *ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) {
		tagged = ec2TagMap(in.Tags)
		return &ec2.CreateTagsOutput{}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "net-u1", Tags: ec2WithUserTag(ec2UnitOwner),
		Props: &spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: false}}
	got, err := tk[spec.VPC](newTestVPC(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "vpc-1", got.ID)
	assert.Zero(t, f.count("CreateVpc"), "an owned VPC is adopted, not created again")
	require.Len(t, modified, 1)
	assert.False(t, aws.ToBool(modified[0].EnableDnsHostnames.Value))
	assert.Equal(t, map[string]string{"Project": "unit"}, tagged)
}

func TestVPCCreateRefusesOwnedVPCWithOtherCIDR(t *testing.T) {
	f := vpcFake(testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1")))
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "net-u1", Tags: ec2UnitOwner.Tags(), Props: &spec.VPC{CIDR: "10.9.0.0/16", EnableDNSSupport: true}}
	_, err := tk[spec.VPC](newTestVPC(f)).Create(context.Background(), d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cidr")
	assert.Zero(t, f.count("CreateVpc")+f.count("ModifyVpcAttribute")+f.count("CreateTags"))
}

func TestVPCCreateWaitsForTheNewID(t *testing.T) {
	created := testVPCObject("vpc-new", ec2OwnedTags(ec2UnitOwner, "net-u1"))
	f := vpcFake(created)
	f.describeVpcs = func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
		if len(in.VpcIds) == 0 {
			return &ec2.DescribeVpcsOutput{}, nil // no earlier attempt
		}
		if f.count("DescribeVpcs") < 3 {
			return nil, ec2APIErr(vpcNotFound) // not visible yet
		}
		return &ec2.DescribeVpcsOutput{Vpcs: []types.Vpc{created}}, nil
	}
	var createIn *ec2.CreateVpcInput
	f.createVpc = func(in *ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error) {
		createIn = in
		return &ec2.CreateVpcOutput{Vpc: &created}, nil
	}
	f.modifyVpcAttribute = func(*ec2.ModifyVpcAttributeInput) (*ec2.ModifyVpcAttributeOutput, error) {
		if f.count("ModifyVpcAttribute") < 3 {
			return nil, ec2APIErr(vpcNotFound)
		}
		return &ec2.ModifyVpcAttributeOutput{}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "net-u1", Tags: ec2UnitOwner.Tags(), Props: &spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true}}
	ctx, lines := reports(t)
	got, err := tk[spec.VPC](newTestVPC(f)).Create(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, "vpc-new", got.ID)
	assert.Equal(t, 3, f.count("ModifyVpcAttribute"), "hostnames retried until the VPC is visible")
	assertWaited(t, *lines, "ec2 vpc vpc-new to be visible")
	require.Len(t, createIn.TagSpecifications, 1, "tags in the create call itself")
	assert.Equal(t, types.ResourceTypeVpc, createIn.TagSpecifications[0].ResourceType)
	assert.Equal(t, map[string]string{state.TagStack: "unit", state.TagSuffix: "u1", state.TagID: "net", "Name": "net-u1"}, ec2TagMap(createIn.TagSpecifications[0].Tags))
}

// vpcRecordDNS makes f accept ModifyVpcAttribute and record which DNS attribute each call sets.
func vpcRecordDNS(f *fakeEC2) *[]string {
	var calls []string
	f.modifyVpcAttribute = func(in *ec2.ModifyVpcAttributeInput) (*ec2.ModifyVpcAttributeOutput, error) {
		if in.EnableDnsHostnames != nil {
			calls = append(calls, "hostnames")
		} else {
			calls = append(calls, "support")
		}
		return &ec2.ModifyVpcAttributeOutput{}, nil
	}
	return &calls
}

func TestVPCUpdateDNSOrder(t *testing.T) {
	f := vpcFake(testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1")))
	order := vpcRecordDNS(f)
	tags := ec2UnitOwner.Tags()
	tags["Name"] = "net-u1"
	live := state.Resource{ID: "vpc-1", Owner: ec2UnitOwner, Tags: tags, Props: &spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true}}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "net-u1", Tags: ec2UnitOwner.Tags(), Props: &spec.VPC{CIDR: "10.0.0.0/16"}}
	_, err := tk[spec.VPC](newTestVPC(f)).Update(context.Background(), d, live)
	require.NoError(t, err)
	assert.Equal(t, []string{"hostnames", "support"}, *order, "hostnames need support: off first")

	*order = nil
	live.Props, d.Props = d.Props, live.Props
	_, err = tk[spec.VPC](newTestVPC(f)).Update(context.Background(), d, live)
	require.NoError(t, err)
	assert.Equal(t, []string{"support", "hostnames"}, *order, "support on first")
}

// TestVPCUpdateFollowsChanges: one ModifyVpcAttribute per DNS path the plan's changes name.
func TestVPCUpdateFollowsChanges(t *testing.T) {
	on := &spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true}
	cases := []struct {
		name       string
		live, want spec.VPC
		calls      []string
	}{
		{"hostnames off", *on, spec.VPC{CIDR: on.CIDR, EnableDNSSupport: true}, []string{"hostnames"}},
		{"support on", spec.VPC{CIDR: on.CIDR}, spec.VPC{CIDR: on.CIDR, EnableDNSSupport: true}, []string{"support"}},
		{"both on", spec.VPC{CIDR: on.CIDR}, *on, []string{"support", "hostnames"}},
		{"nothing", *on, *on, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := vpcFake(testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1")))
			calls := vpcRecordDNS(f)
			tags := ec2UnitOwner.Tags()
			tags["Name"] = "net-u1"
			live, want := tc.live, tc.want
			r := state.Resource{ID: "vpc-1", Owner: ec2UnitOwner, Name: "net-u1", Tags: tags, Props: &live}
			d := reconcile.Desired{Owner: ec2UnitOwner, Name: "net-u1", Tags: tags, Props: &want}
			_, err := tk[spec.VPC](newTestVPC(f)).Update(context.Background(), d, r)
			require.NoError(t, err)
			assert.Equal(t, tc.calls, *calls)
		})
	}
}

func TestVPCUpdateRefusesForeignTags(t *testing.T) {
	f := &fakeEC2{}
	live := state.Resource{ID: "vpc-1", Tags: map[string]string{"Name": "x"}, Props: &spec.VPC{}}
	_, err := tk[spec.VPC](newTestVPC(f)).Update(context.Background(), reconcile.Desired{Owner: ec2UnitOwner, Props: &spec.VPC{EnableDNSSupport: true}}, live)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Empty(t, f.calls)
}

func TestVPCDeleteToleratesNotFound(t *testing.T) {
	f := vpcFake() // describe by id answers InvalidVpcID.NotFound
	ec2CheckDeleteGone(t, newTestVPC(f), f, "vpc-gone", "DeleteVpc")

	f = vpcFake(testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1")))
	describe := f.describeVpcs
	f.describeVpcs = func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
		if f.count("DeleteVpc") > 0 {
			return nil, ec2APIErr(vpcNotFound)
		}
		return describe(in)
	}
	f.deleteVpc = func(*ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error) { return nil, ec2APIErr(vpcNotFound) }
	require.NoError(t, newTestVPC(f).Delete(context.Background(), state.Resource{ID: "vpc-1", Owner: ec2UnitOwner}), "gone between describe and delete")
}

func TestVPCDeleteRetriesDependencyViolation(t *testing.T) {
	vpc := testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1"))
	f := vpcFake(vpc)
	deleted := false
	f.deleteVpc = func(*ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error) {
		if f.count("DeleteVpc") < 3 {
			return nil, ec2APIErr(ec2DependencyViolation)
		}
		deleted = true
		return &ec2.DeleteVpcOutput{}, nil
	}
	describe := f.describeVpcs
	f.describeVpcs = func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
		if deleted {
			return nil, ec2APIErr(vpcNotFound)
		}
		return describe(in)
	}
	k := newTestVPC(f)
	var progress []string
	ctx := reconcile.WithReporter(context.Background(), func(msg string) { progress = append(progress, msg) })
	require.NoError(t, k.Delete(ctx, state.Resource{ID: "vpc-1", Owner: ec2UnitOwner}))
	assert.Equal(t, 3, f.count("DeleteVpc"))
	assert.Len(t, progress, 2, "each blocked attempt is reported")
}

func TestVPCDeleteRefusesForeignTags(t *testing.T) {
	f := vpcFake(testVPCObject("vpc-1", []types.Tag{{Key: aws.String("Name"), Value: aws.String("net-u1")}}))
	ec2CheckDeleteRefused(t, newTestVPC(f), f, "vpc-1", "DeleteVpc")
}

func TestVPCDeleteGivesUpOnOtherErrors(t *testing.T) {
	f := vpcFake(testVPCObject("vpc-1", ec2OwnedTags(ec2UnitOwner, "net-u1")))
	f.deleteVpc = func(*ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error) {
		return nil, ec2APIErr("UnauthorizedOperation")
	}
	err := newTestVPC(f).Delete(context.Background(), state.Resource{ID: "vpc-1", Owner: ec2UnitOwner})
	require.Error(t, err)
	assert.Equal(t, "UnauthorizedOperation", awscall.Code(err))
	assert.Equal(t, 1, f.count("DeleteVpc"), "not retried")
	assert.False(t, errors.Is(err, reconcile.ErrNotFound))
}

// ---- against the emulator ----

func TestVPCLifecycle(t *testing.T) {
	api, region := testEC2(t)
	k := NewVPC(api, region)
	o := testOwner(t, "net")
	d := desired(o, "vpc-"+o.Suffix, &spec.VPC{CIDR: "10.40.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true})
	checkLifecycle(t, tk[spec.VPC](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = &spec.VPC{CIDR: "10.40.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: false}
		return d
	})
}

func TestVPCAttrsAndSelector(t *testing.T) {
	api, region := testEC2(t)
	k := NewVPC(api, region)
	o := testOwner(t, "net")
	ctx := context.Background()
	r, err := tk[spec.VPC](k).Create(ctx, desired(o, "vpc-"+o.Suffix, &spec.VPC{CIDR: "10.45.0.0/16", EnableDNSSupport: true}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })
	assert.Equal(t, r.ID, r.Attrs["id"])
	assert.Regexp(t, `^arn:aws[\w-]*:ec2:`+region+`:\d+:vpc/`+r.ID+`$`, r.Attrs["arn"])
	assert.Equal(t, "10.45.0.0/16", r.Attrs["cidr"])
	assert.Regexp(t, `^rtb-`, r.Attrs["main_route_table_id"])

	others, err := k.List(ctx, ec2OtherSuffix(o))
	require.NoError(t, err)
	assert.Empty(t, others, "another suffix's selector sees nothing of ours")
}
