package kinds

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// SubnetAPI is the part of *ec2.Client the ec2.subnet kind uses.
type SubnetAPI interface {
	EC2TagsAPI
	ENIAPI
	CreateSubnet(ctx context.Context, in *ec2.CreateSubnetInput, optFns ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DeleteSubnet(ctx context.Context, in *ec2.DeleteSubnetInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error)
	ModifySubnetAttribute(ctx context.Context, in *ec2.ModifySubnetAttributeInput, optFns ...func(*ec2.Options)) (*ec2.ModifySubnetAttributeOutput, error)
}

// subnetNotFound is EC2's code for an unknown subnet id, also briefly after CreateSubnet.
const subnetNotFound = "InvalidSubnetID.NotFound"

// Subnet is the ec2.subnet kind. Its physical name is the Name tag; like VPCs, subnets are
// found by their ownership tags, never by name.
//
// Replacement: vpc, cidr, availability_zone (when the spec names one; an empty one lets AWS
// choose and the chosen zone is not a diff). In place: map_public_ip_on_launch, tags.
type Subnet struct {
	api            SubnetAPI
	wait           reconcile.Backoff
	dependencyWait reconcile.Backoff // DeleteSubnet while Lambda network interfaces linger
}

// NewSubnet returns the ec2.subnet kind.
func NewSubnet(api SubnetAPI) *Subnet {
	return &Subnet{api: api, wait: reconcile.DefaultBackoff, dependencyWait: ec2DependencyBackoff}
}

// Kind implements reconcile.Typed.
func (k *Subnet) Kind() string { return "ec2.subnet" }

// Diff implements reconcile.Typed.
func (k *Subnet) Diff(d reconcile.Want[*spec.Subnet], live reconcile.Have[*spec.Subnet]) []reconcile.FieldDiff {
	got, want := live.Props, d.Props
	var diffs reconcile.Diffs
	diffs.ForceNew("vpc", got.VPC, want.VPC)
	diffs.ForceNew("cidr", got.CIDR, want.CIDR)
	if want.AvailabilityZone != "" {
		diffs.ForceNew("availability_zone", got.AvailabilityZone, want.AvailabilityZone)
	}
	diffs.Field("map_public_ip_on_launch", got.MapPublicIP, want.MapPublicIP)
	return diffs
}

// List implements reconcile.Typed.
func (k *Subnet) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return k.ec2Type().list(ctx, sel, ec2Read(k.observe))
}

// Create implements reconcile.Typed.
func (k *Subnet) Create(ctx context.Context, d reconcile.Want[*spec.Subnet]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) { return k.tryCreate(ctx, d) })
}

// tryCreate is one attempt of Create: adopt an earlier attempt if there is one, else send the
// create call once (awscall.Once), whose unknown outcome Settle settles by trying again.
func (k *Subnet) tryCreate(ctx context.Context, d reconcile.Want[*spec.Subnet]) (state.Resource, error) {
	p := d.Props
	if r, done, err := ec2AdoptEarlier(ctx, k.ec2Type(), k, d, "subnets", ec2Read(k.observe)); done {
		return r, err
	}
	in := &ec2.CreateSubnetInput{
		VpcId:             aws.String(p.VPC),
		CidrBlock:         aws.String(p.CIDR),
		TagSpecifications: ec2TagSpec(types.ResourceTypeSubnet, ec2WantTags(d.Desired)),
	}
	if p.AvailabilityZone != "" {
		in.AvailabilityZone = aws.String(p.AvailabilityZone)
	}
	out, err := awscall.Call(awscall.Once(ctx), func(ctx context.Context) (*ec2.CreateSubnetOutput, error) { return k.api.CreateSubnet(ctx, in) })
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 subnet %s: %w", d.Name, err)
	}
	id := aws.ToString(out.Subnet.SubnetId)
	fresh := ec2FreshRetry(subnetNotFound)
	if p.MapPublicIP {
		if err := k.setMapPublicIP(ctx, id, true, fresh); err != nil {
			return state.Resource{}, fmt.Errorf("create ec2 subnet %s (%s): %w", d.Name, id, err)
		}
	}
	r, err := k.observeID(ctx, id, fresh)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 subnet %s (%s): %w", d.Name, id, err)
	}
	return r, nil
}

// Update implements reconcile.Typed.
func (k *Subnet) Update(ctx context.Context, d reconcile.Want[*spec.Subnet], live reconcile.Have[*spec.Subnet], changes reconcile.Changes) (state.Resource, error) {
	return ec2Update(ctx, k.api, "ec2 subnet", d.Desired, live.Resource, func() error {
		if !changes.Changed("map_public_ip_on_launch") {
			return nil
		}
		return k.setMapPublicIP(ctx, live.ID, d.Props.MapPublicIP, awscall.Never)
	}, func(ctx context.Context) (state.Resource, error) {
		return k.observeID(ctx, live.ID, awscall.Never)
	})
}

func (k *Subnet) setMapPublicIP(ctx context.Context, id string, on bool, retry func(error) bool) error {
	in := &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(on)}}
	if err := awscall.Retry(ctx, k.wait, retry, k.api.ModifySubnetAttribute, in); err != nil {
		return fmt.Errorf("set map_public_ip_on_launch: %w", err)
	}
	return nil
}

// Delete implements reconcile.Typed. It re-reads the subnet's tags first, and waits out
// DependencyViolation for up to the dependency budget: a VPC Lambda's network interfaces keep
// its subnets busy for tens of minutes after the function is deleted.
func (k *Subnet) Delete(ctx context.Context, live state.Resource) error {
	return k.ec2Type().deleteOwned(ctx, live, nil, func(ctx context.Context) error {
		return awscall.Send(ctx, k.api.DeleteSubnet, &ec2.DeleteSubnetInput{SubnetId: aws.String(live.ID)})
	})
}

// ec2Type is what the shared EC2 flows need to know of subnets.
func (k *Subnet) ec2Type() ec2Type[types.Subnet] {
	return ec2Type[types.Subnet]{
		what: "ec2 subnet", notFound: []string{subnetNotFound}, describe: k.describe,
		wait: k.wait, deps: k.dependencyWait, enis: lambdaENIs{api: k.api, filter: "subnet-id"},
		id:   func(s types.Subnet) *string { return s.SubnetId },
		tags: func(s types.Subnet) []types.Tag { return s.Tags },
	}
}

// describe returns every subnet with one of ids (any when there are none) matching filters.
func (k *Subnet) describe(ctx context.Context, ids []string, filters []types.Filter) ([]types.Subnet, error) {
	pages := ec2.NewDescribeSubnetsPaginator(k.api, &ec2.DescribeSubnetsInput{SubnetIds: ids, Filters: filters})
	return ec2DescribeAll(ctx, pages, func(o *ec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets }, subnetNotFound)
}

func (k *Subnet) observeID(ctx context.Context, id string, retry func(error) bool) (state.Resource, error) {
	return k.ec2Type().observeID(ctx, id, retry, ec2Read(k.observe))
}

// observe reads everything from DescribeSubnets, ARN included.
func (k *Subnet) observe(s types.Subnet) state.Resource {
	tags := ec2TagMap(s.Tags)
	owner, _ := state.OwnerOf(tags)
	id, cidr, az := aws.ToString(s.SubnetId), aws.ToString(s.CidrBlock), aws.ToString(s.AvailabilityZone)
	return state.Resource{
		Kind:  k.Kind(),
		Owner: owner,
		ID:    id,
		Name:  tags[ec2NameTag],
		Attrs: map[string]string{"id": id, "arn": aws.ToString(s.SubnetArn), "cidr": cidr, "availability_zone": az},
		Tags:  tags,
		Props: &spec.Subnet{
			VPC:              aws.ToString(s.VpcId),
			CIDR:             cidr,
			AvailabilityZone: az,
			MapPublicIP:      aws.ToBool(s.MapPublicIpOnLaunch),
		},
	}
}

var _ reconcile.Typed[*spec.Subnet] = (*Subnet)(nil)
