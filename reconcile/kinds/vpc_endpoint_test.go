package kinds

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- unit tests ----

func newTestEndpoint(f *fakeEC2) *VPCEndpoint {
	k := NewVPCEndpoint(f, "eu-west-1")
	k.wait = reconcile.InstantBackoff
	return k
}

func testEndpointObject(id, state string, tags []types.Tag) types.VpcEndpoint {
	return types.VpcEndpoint{
		VpcEndpointId: aws.String(id), VpcId: aws.String("vpc-1"), ServiceName: aws.String("com.amazonaws.eu-west-1.s3"),
		VpcEndpointType: types.VpcEndpointTypeGateway, State: types.State(state), RouteTableIds: []string{"rtb-2", "rtb-1"},
		PrivateDnsEnabled: aws.Bool(true), // as moto reports it for Gateway endpoints; meaningless there
		Tags:              tags,
	}
}

// vpceFake answers describes with states[i] on the i-th describe of ep (the last one
// repeating), and the S3 prefix list.
func vpceFake(ep types.VpcEndpoint, states ...string) *fakeEC2 {
	f := &fakeEC2{}
	n := 0
	f.describeVpcEndpoints = func(in *ec2.DescribeVpcEndpointsInput) (*ec2.DescribeVpcEndpointsOutput, error) {
		if len(in.VpcEndpointIds) == 0 {
			return &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: []types.VpcEndpoint{ep}}, nil
		}
		if !slices.Contains(in.VpcEndpointIds, aws.ToString(ep.VpcEndpointId)) {
			return nil, ec2APIErr("InvalidVpcEndpointId.NotFound")
		}
		e := ep
		if len(states) > 0 {
			e.State = types.State(states[min(n, len(states)-1)])
			n++
		}
		if e.State == "gone" {
			return nil, ec2APIErr("InvalidVpcEndpointId.NotFound")
		}
		return &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: []types.VpcEndpoint{e}}, nil
	}
	f.describePrefixLists = vpcePrefixLists
	return f
}

// vpcePrefixLists answers DescribePrefixLists as EC2 does unfiltered: the region's AWS-managed
// lists, one a Gateway service, over two pages.
func vpcePrefixLists(in *ec2.DescribePrefixListsInput) (*ec2.DescribePrefixListsOutput, error) {
	if len(in.Filters)+len(in.PrefixListIds) > 0 {
		return nil, fmt.Errorf("unexpected filter: one read serves every endpoint")
	}
	if aws.ToString(in.NextToken) == "" {
		return &ec2.DescribePrefixListsOutput{NextToken: aws.String("2"), PrefixLists: []types.PrefixList{
			{PrefixListId: aws.String("pl-ddb"), PrefixListName: aws.String("com.amazonaws.eu-west-1.dynamodb")}}}, nil
	}
	return &ec2.DescribePrefixListsOutput{PrefixLists: []types.PrefixList{
		{PrefixListId: aws.String("pl-s3"), PrefixListName: aws.String("com.amazonaws.eu-west-1.s3")}}}, nil
}

// vpceNoEarlierAttempt makes the lookup by ownership tags find nothing.
func vpceNoEarlierAttempt(f *fakeEC2) {
	next := f.describeVpcEndpoints
	f.describeVpcEndpoints = func(in *ec2.DescribeVpcEndpointsInput) (*ec2.DescribeVpcEndpointsOutput, error) {
		if len(in.VpcEndpointIds) == 0 {
			return &ec2.DescribeVpcEndpointsOutput{}, nil
		}
		return next(in)
	}
}

// vpceUnsuccessful answers DeleteVpcEndpoints with a failure for id in the output, as AWS
// reports one endpoint's failure.
func vpceUnsuccessful(id, code, message string) func(*ec2.DeleteVpcEndpointsInput) (*ec2.DeleteVpcEndpointsOutput, error) {
	return func(*ec2.DeleteVpcEndpointsInput) (*ec2.DeleteVpcEndpointsOutput, error) {
		return &ec2.DeleteVpcEndpointsOutput{Unsuccessful: []types.UnsuccessfulItem{{
			ResourceId: aws.String(id),
			Error:      &types.UnsuccessfulItemError{Code: aws.String(code), Message: aws.String(message)},
		}}}, nil
	}
}

func vpceGatewayProps(rts ...string) *spec.VPCEndpoint {
	return &spec.VPCEndpoint{VPC: "vpc-1", Service: "s3", Type: "Gateway", RouteTableIDs: rts}
}

func TestVPCEndpointDiff(t *testing.T) {
	iface := func(mod func(*spec.VPCEndpoint)) *spec.VPCEndpoint {
		p := &spec.VPCEndpoint{VPC: "vpc-1", Service: "sqs", Type: "Interface", SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}, PrivateDNS: true}
		mod(p)
		return p
	}
	tests := []struct {
		name       string
		live, want *spec.VPCEndpoint
		path       string
		forceNew   bool
	}{
		{"no change", vpceGatewayProps("rtb-1", "rtb-2"), vpceGatewayProps("rtb-2", "rtb-1"), "", false},
		{"full service name", vpceGatewayProps(), &spec.VPCEndpoint{VPC: "vpc-1", Service: "com.amazonaws.eu-west-1.s3", Type: "Gateway"}, "", false},
		{"route tables", vpceGatewayProps("rtb-1"), vpceGatewayProps("rtb-1", "rtb-2"), "route_table_ids", false},
		{"vpc", vpceGatewayProps(), &spec.VPCEndpoint{VPC: "vpc-2", Service: "s3", Type: "Gateway"}, "vpc", true},
		{"service", vpceGatewayProps(), &spec.VPCEndpoint{VPC: "vpc-1", Service: "dynamodb", Type: "Gateway"}, "service", true},
		{"type", vpceGatewayProps(), &spec.VPCEndpoint{VPC: "vpc-1", Service: "s3", Type: "Interface"}, "type", true},
		{"subnets", iface(func(*spec.VPCEndpoint) {}), iface(func(p *spec.VPCEndpoint) { p.SubnetIDs = append(p.SubnetIDs, "subnet-2") }), "subnet_ids", false},
		{"security groups", iface(func(*spec.VPCEndpoint) {}), iface(func(p *spec.VPCEndpoint) { p.SecurityGroupIDs = []string{"sg-2"} }), "security_group_ids", false},
		{"security groups left to AWS", iface(func(*spec.VPCEndpoint) {}), iface(func(p *spec.VPCEndpoint) { p.SecurityGroupIDs = nil }), "", false},
		{"private dns", iface(func(*spec.VPCEndpoint) {}), iface(func(p *spec.VPCEndpoint) { p.PrivateDNS = false }), "private_dns", false},
	}
	k := newTestEndpoint(&fakeEC2{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ec2CheckDiff(t, tk[spec.VPCEndpoint](k), tt.want, tt.live, tt.path, tt.forceNew)
		})
	}
}

func TestVPCEndpointListKeepsOnlyOurs(t *testing.T) {
	other := ec2UnitOwner
	other.Suffix = "u2"
	eps := []types.VpcEndpoint{
		testEndpointObject("vpce-ours", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")),
		testEndpointObject("vpce-deleted", "deleted", ec2OwnedTags(ec2UnitOwner, "s3-u1")),
		testEndpointObject("vpce-untagged", "available", nil),
		testEndpointObject("vpce-other", "available", ec2OwnedTags(other, "s3-u2")),
	}
	f := vpceFake(eps[0])
	f.describeVpcEndpoints = func(*ec2.DescribeVpcEndpointsInput) (*ec2.DescribeVpcEndpointsOutput, error) {
		return &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: eps}, nil
	}
	got, err := newTestEndpoint(f).List(context.Background(), state.Selector{Stack: "unit", Suffix: "u1"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "vpce-ours", got[0].ID)
	assert.Equal(t, map[string]string{"id": "vpce-ours", "prefix_list_id": "pl-s3", "dns_name": ""}, got[0].Attrs)
	assert.Equal(t, vpceGatewayProps("rtb-1", "rtb-2"), got[0].Props, "short service name, sorted tables, no private DNS for a Gateway")
}

// Gateway endpoints each need their service's prefix list: within one discovery one read
// (all its pages) serves them all; outside one, each observation reads for itself.
func TestVPCEndpointPrefixListsReadOncePerDiscovery(t *testing.T) {
	s3 := testEndpointObject("vpce-s3", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1"))
	ddb := testEndpointObject("vpce-ddb", "available", ec2OwnedTags(ec2UnitOwner, "ddb-u1"))
	ddb.ServiceName = aws.String("com.amazonaws.eu-west-1.dynamodb")
	other := testEndpointObject("vpce-other", "available", ec2OwnedTags(ec2UnitOwner, "other-u1"))
	other.ServiceName = aws.String("com.amazonaws.vpce.eu-west-1.vpce-svc-1") // a Gateway service without a list
	f := vpceFake(s3)
	f.describeVpcEndpoints = func(in *ec2.DescribeVpcEndpointsInput) (*ec2.DescribeVpcEndpointsOutput, error) {
		return &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: []types.VpcEndpoint{s3, ddb, other}}, nil
	}
	k := newTestEndpoint(f)
	inv, err := reconcile.Discover(context.Background(), reconcile.Registry{reconcile.Adapt[spec.VPCEndpoint](k)}, state.Selector{Stack: "unit", Suffix: "u1"})
	require.NoError(t, err)
	lists := map[string]string{}
	for _, r := range inv.Resources {
		lists[r.ID] = r.Attrs["prefix_list_id"]
	}
	assert.Equal(t, map[string]string{"vpce-s3": "pl-s3", "vpce-ddb": "pl-ddb", "vpce-other": ""}, lists)
	assert.Equal(t, 2, f.count("DescribePrefixLists"), "one read of two pages for three endpoints")

	r, err := k.observe(context.Background(), ddb)
	require.NoError(t, err)
	assert.Equal(t, "pl-ddb", r.Attrs["prefix_list_id"])
	assert.Equal(t, 4, f.count("DescribePrefixLists"), "outside a discovery the observation reads")
}

func TestVPCEndpointCreateWaitsUntilAvailable(t *testing.T) {
	ep := testEndpointObject("vpce-new", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1"))
	f := vpceFake(ep, "gone", "pending", "pending", "available")
	vpceNoEarlierAttempt(f)
	var createIn *ec2.CreateVpcEndpointInput
	f.createVpcEndpoint = func(in *ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
		createIn = in
		return &ec2.CreateVpcEndpointOutput{VpcEndpoint: &ep}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "s3-u1", Tags: ec2UnitOwner.Tags(), Props: vpceGatewayProps("rtb-1", "rtb-2")}
	got, err := tk[spec.VPCEndpoint](newTestEndpoint(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "vpce-new", got.ID)
	assert.Equal(t, 5, f.count("DescribeVpcEndpoints"), "one lookup, then unknown, pending twice, available")
	assert.Equal(t, "com.amazonaws.eu-west-1.s3", aws.ToString(createIn.ServiceName))
	assert.Nil(t, createIn.PrivateDnsEnabled, "not sent for a Gateway")
	assert.Equal(t, types.ResourceTypeVpcEndpoint, createIn.TagSpecifications[0].ResourceType)
}

func TestVPCEndpointCreateInterfaceSetsPrivateDNS(t *testing.T) {
	ep := testEndpointObject("vpce-new", "available", ec2OwnedTags(ec2UnitOwner, "sqs-u1"))
	f := vpceFake(ep)
	vpceNoEarlierAttempt(f)
	var createIn *ec2.CreateVpcEndpointInput
	f.createVpcEndpoint = func(in *ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
		createIn = in
		return &ec2.CreateVpcEndpointOutput{VpcEndpoint: &ep}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "sqs-u1", Tags: ec2UnitOwner.Tags(),
		Props: &spec.VPCEndpoint{VPC: "vpc-1", Service: "sqs", Type: "Interface", SubnetIDs: []string{"subnet-1"}}}
	_, err := tk[spec.VPCEndpoint](newTestEndpoint(f)).Create(context.Background(), d)
	require.NoError(t, err)
	require.NotNil(t, createIn.PrivateDnsEnabled, "AWS would turn it on when left out")
	assert.False(t, *createIn.PrivateDnsEnabled)
}

func TestVPCEndpointCreateFailsOnFailedState(t *testing.T) {
	ep := testEndpointObject("vpce-new", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1"))
	ep.LastError = &types.LastError{Code: aws.String("Client.Error"), Message: aws.String("route table conflict")}
	f := vpceFake(ep, "pending", "failed")
	vpceNoEarlierAttempt(f)
	f.createVpcEndpoint = func(*ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
		return &ec2.CreateVpcEndpointOutput{VpcEndpoint: &ep}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "s3-u1", Tags: ec2UnitOwner.Tags(), Props: vpceGatewayProps("rtb-1")}
	_, err := tk[spec.VPCEndpoint](newTestEndpoint(f)).Create(context.Background(), d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "route table conflict")
}

func TestVPCEndpointCreateAdoptsOurs(t *testing.T) {
	f := vpceFake(testEndpointObject("vpce-1", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")))
	var modifyIn *ec2.ModifyVpcEndpointInput
	f.modifyVpcEndpoint = func(in *ec2.ModifyVpcEndpointInput) (*ec2.ModifyVpcEndpointOutput, error) {
		modifyIn = in
		return &ec2.ModifyVpcEndpointOutput{}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "s3-u1", Tags: ec2TagMap(ec2OwnedTags(ec2UnitOwner, "s3-u1")), Props: vpceGatewayProps("rtb-1", "rtb-3")}
	got, err := tk[spec.VPCEndpoint](newTestEndpoint(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "vpce-1", got.ID)
	assert.Zero(t, f.count("CreateVpcEndpoint"))
	assert.Equal(t, []string{"rtb-3"}, modifyIn.AddRouteTableIds)
	assert.Equal(t, []string{"rtb-2"}, modifyIn.RemoveRouteTableIds)
}

func TestVPCEndpointUpdateWaitsOutIncorrectState(t *testing.T) {
	f := vpceFake(testEndpointObject("vpce-1", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")))
	f.modifyVpcEndpoint = func(*ec2.ModifyVpcEndpointInput) (*ec2.ModifyVpcEndpointOutput, error) {
		if f.count("ModifyVpcEndpoint") < 3 {
			return nil, ec2APIErr(vpceIncorrectState)
		}
		return &ec2.ModifyVpcEndpointOutput{}, nil
	}
	k := newTestEndpoint(f)
	live := state.Resource{ID: "vpce-1", Owner: ec2UnitOwner, Tags: ec2TagMap(ec2OwnedTags(ec2UnitOwner, "s3-u1")), Props: vpceGatewayProps("rtb-1", "rtb-2")}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "s3-u1", Tags: live.Tags, Props: vpceGatewayProps("rtb-1")}
	_, err := tk[spec.VPCEndpoint](k).Update(context.Background(), d, live)
	require.NoError(t, err)
	assert.Equal(t, 3, f.count("ModifyVpcEndpoint"))
}

func TestVPCEndpointModificationOfInterface(t *testing.T) {
	got := &spec.VPCEndpoint{Type: "Interface", SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupIDs: []string{"sg-default"}, PrivateDNS: true}
	want := &spec.VPCEndpoint{Type: "Interface", SubnetIDs: []string{"subnet-3", "subnet-1"}}
	in, changed := vpceModification("vpce-1", got, want)
	require.True(t, changed)
	assert.Equal(t, []string{"subnet-3"}, in.AddSubnetIds)
	assert.Equal(t, []string{"subnet-2"}, in.RemoveSubnetIds)
	assert.Empty(t, in.AddSecurityGroupIds, "no groups in the spec: AWS's default group stays")
	assert.Empty(t, in.RemoveSecurityGroupIds)
	assert.False(t, aws.ToBool(in.PrivateDnsEnabled))
	assert.NotNil(t, in.PrivateDnsEnabled)

	_, changed = vpceModification("vpce-1", got, got)
	assert.False(t, changed)
}

func TestVPCEndpointDeleteWaitsUntilDeleted(t *testing.T) {
	f := vpceFake(testEndpointObject("vpce-1", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")), "available", "deleting", "deleting", "deleted")
	f.deleteVpcEndpoints = func(*ec2.DeleteVpcEndpointsInput) (*ec2.DeleteVpcEndpointsOutput, error) {
		return &ec2.DeleteVpcEndpointsOutput{}, nil
	}
	require.NoError(t, newTestEndpoint(f).Delete(context.Background(), state.Resource{ID: "vpce-1", Owner: ec2UnitOwner}))
	assert.Equal(t, 4, f.count("DescribeVpcEndpoints"))
}

func TestVPCEndpointDeleteWaitsOutIncorrectState(t *testing.T) {
	f := vpceFake(testEndpointObject("vpce-1", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")), "pending", "deleted")
	f.deleteVpcEndpoints = func(*ec2.DeleteVpcEndpointsInput) (*ec2.DeleteVpcEndpointsOutput, error) {
		if f.count("DeleteVpcEndpoints") < 2 {
			return nil, ec2APIErr(vpceIncorrectState) // still being created or modified
		}
		return &ec2.DeleteVpcEndpointsOutput{}, nil
	}
	require.NoError(t, newTestEndpoint(f).Delete(context.Background(), state.Resource{ID: "vpce-1", Owner: ec2UnitOwner}))
	assert.Equal(t, 2, f.count("DeleteVpcEndpoints"))
}

func TestVPCEndpointDeleteToleratesNotFound(t *testing.T) {
	t.Run("describe", func(t *testing.T) {
		f := vpceFake(testEndpointObject("vpce-1", "available", nil))
		ec2CheckDeleteGone(t, newTestEndpoint(f), f, "vpce-gone", "DeleteVpcEndpoints")
	})
	t.Run("already deleted", func(t *testing.T) {
		f := vpceFake(testEndpointObject("vpce-1", "deleted", ec2OwnedTags(ec2UnitOwner, "s3-u1")))
		ec2CheckDeleteGone(t, newTestEndpoint(f), f, "vpce-1", "DeleteVpcEndpoints")
	})
	t.Run("unsuccessful item", func(t *testing.T) {
		f := vpceFake(testEndpointObject("vpce-1", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")))
		f.deleteVpcEndpoints = vpceUnsuccessful("vpce-1", "InvalidVpcEndpoint.NotFound", "gone")
		require.NoError(t, newTestEndpoint(f).Delete(context.Background(), state.Resource{ID: "vpce-1", Owner: ec2UnitOwner}))
	})
}

func TestVPCEndpointDeleteReportsUnsuccessfulItems(t *testing.T) {
	f := vpceFake(testEndpointObject("vpce-1", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")))
	f.deleteVpcEndpoints = vpceUnsuccessful("vpce-1", "UnauthorizedOperation", "no")
	err := newTestEndpoint(f).Delete(context.Background(), state.Resource{ID: "vpce-1", Owner: ec2UnitOwner})
	require.Error(t, err)
	assert.Equal(t, "UnauthorizedOperation", awscall.Code(err))
}

func TestVPCEndpointDeleteRefusesForeignTags(t *testing.T) {
	f := vpceFake(testEndpointObject("vpce-1", "available", nil))
	ec2CheckDeleteRefused(t, newTestEndpoint(f), f, "vpce-1", "DeleteVpcEndpoints")
}

// ---- against the emulator ----

func TestVPCEndpointGatewayLifecycle(t *testing.T) {
	api, region := testEC2(t)
	vpc := testVPC(t, api, "10.43.0.0/16")
	rt1, rt2 := testRouteTable(t, api, vpc), testRouteTable(t, api, vpc)
	k := NewVPCEndpoint(api, region)
	o := testOwner(t, "s3-endpoint")
	props := func(rts ...string) *spec.VPCEndpoint {
		return &spec.VPCEndpoint{VPC: vpc, Service: "s3", Type: "Gateway", RouteTableIDs: rts}
	}
	// The change removes a route table rather than adding one: moto's ModifyVpcEndpoint adds
	// the table to the endpoint without adding the route, and its DeleteVpcEndpoints then
	// fails with InvalidRoute.NotFound on that table. AWS adds the route.
	d := desired(o, "s3-"+o.Suffix, props(rt2, rt1))
	checkLifecycle(t, tk[spec.VPCEndpoint](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = props(rt1)
		return d
	})
}

func TestVPCEndpointAttrsAndSelector(t *testing.T) {
	api, region := testEC2(t)
	ctx := context.Background()
	vpc := testVPC(t, api, "10.49.0.0/16")
	k := NewVPCEndpoint(api, region)
	o := testOwner(t, "ddb-endpoint")
	r, err := tk[spec.VPCEndpoint](k).Create(ctx, desired(o, "ddb-"+o.Suffix, &spec.VPCEndpoint{VPC: vpc, Service: "dynamodb", Type: "Gateway"}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })
	assert.Equal(t, r.ID, r.Attrs["id"])
	assert.Regexp(t, `^pl-`, r.Attrs["prefix_list_id"], "the emulator serves the DynamoDB prefix list")

	others, err := k.List(ctx, ec2OtherSuffix(o))
	require.NoError(t, err)
	assert.Empty(t, others)
}

func TestVPCEndpointInterfaceLifecycle(t *testing.T) {
	emutest.SkipOnLocalStack(t, "4.14.0 ModifyVpcEndpoint ignores AddSecurityGroupIds and RemoveSecurityGroupIds (AWS applies them)")
	api, region := testEC2(t)
	vpc := testVPC(t, api, "10.44.0.0/16")
	subnet := testSubnet(t, api, vpc, "10.44.1.0/24")
	sg1, sg2 := testSecurityGroup(t, api, vpc, "vpce-a"), testSecurityGroup(t, api, vpc, "vpce-b")
	k := NewVPCEndpoint(api, region)
	o := testOwner(t, "sqs-endpoint")
	props := func(sgs ...string) *spec.VPCEndpoint {
		return &spec.VPCEndpoint{VPC: vpc, Service: "sqs", Type: "Interface", SubnetIDs: []string{subnet}, SecurityGroupIDs: sgs, PrivateDNS: true}
	}
	d := desired(o, "sqs-"+o.Suffix, props(sg1))
	checkLifecycle(t, tk[spec.VPCEndpoint](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = props(sg2, sg1)
		return d
	})
}

// The DynamoDB Streams endpoint (service com.amazonaws.<region>.dynamodb-streams, as AWS's
// DynamoDB guide creates it) has no private DNS: its first DNS entry is the name the
// deadletter function is given (dns_name).
func TestVPCEndpointStreamsDNSName(t *testing.T) {
	api, region := testEC2(t)
	vpc := testVPC(t, api, "10.45.0.0/16")
	subnet := testSubnet(t, api, vpc, "10.45.1.0/24")
	sg := testSecurityGroup(t, api, vpc, "vpce-streams")
	k := tk[spec.VPCEndpoint](NewVPCEndpoint(api, region))
	o := testOwner(t, "streams-endpoint")
	d := desired(o, "streams-"+o.Suffix, &spec.VPCEndpoint{VPC: vpc, Service: "dynamodb-streams", Type: "Interface",
		SubnetIDs: []string{subnet}, SecurityGroupIDs: []string{sg}})
	got, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), got) })
	assert.Equal(t, "dynamodb-streams", got.Props.(*spec.VPCEndpoint).Service, "read back from com.amazonaws.<region>.dynamodb-streams")
	// AWS names it after the service's host: vpce-<id>-<x>.streams.dynamodb.<region>.vpce.amazonaws.com.
	// The emulators name it after the service name: moto 5.2.5
	// vpce-<id>-<x>.com.amazonaws.<region>.dynamodb-streams, LocalStack 4.14.0
	// vpce-<id>-<x>.dynamodb-streams.<region>.vpce.localhost.localstack.cloud. All start with
	// the endpoint id, which is what makes it the endpoint's own name.
	assert.True(t, strings.HasPrefix(got.Attrs["dns_name"], got.ID+"-"), "the endpoint's own DNS name, found %q", got.Attrs["dns_name"])
	assert.Equal(t, got.Attrs["dns_name"], findOne(t, k, state.Selector{Stack: o.Stack, Suffix: o.Suffix}, o.ID).Attrs["dns_name"])
}

func TestVPCEndpointDNSNameIsTheFirstEntry(t *testing.T) {
	assert.Empty(t, vpceDNSName(types.VpcEndpoint{}), "a Gateway endpoint has none")
	ep := types.VpcEndpoint{DnsEntries: []types.DnsEntry{{DnsName: aws.String("vpce-1-a.streams.dynamodb.us-east-1.vpce.amazonaws.com")},
		{DnsName: aws.String("vpce-1-a-us-east-1a.streams.dynamodb.us-east-1.vpce.amazonaws.com")}}}
	assert.Equal(t, "vpce-1-a.streams.dynamodb.us-east-1.vpce.amazonaws.com", vpceDNSName(ep))
}
