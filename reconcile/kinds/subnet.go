package kinds

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// SubnetAPI is the part of *ec2.Client the ec2.subnet kind uses.
type SubnetAPI interface {
	EC2TagsAPI
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
	progress       ec2Progress
}

// NewSubnet returns the ec2.subnet kind.
func NewSubnet(api SubnetAPI) *Subnet {
	return &Subnet{api: api, wait: reconcile.DefaultBackoff, dependencyWait: ec2DependencyBackoff}
}

// SetProgress makes long waits (a delete blocked by network interfaces) report to fn.
func (k *Subnet) SetProgress(fn func(msg string)) { k.progress = fn }

// Kind implements reconcile.Kind.
func (k *Subnet) Kind() string { return "ec2.subnet" }

// Diff implements reconcile.Kind.
func (k *Subnet) Diff(d reconcile.Desired, live state.Resource) []reconcile.FieldDiff {
	want, err1 := ec2Props[spec.Subnet](d.Props)
	got, err2 := ec2Props[spec.Subnet](live.Props)
	if err1 != nil || err2 != nil {
		return ec2PropsMismatch(d.Props, live.Props)
	}
	var diffs reconcile.Diffs
	diffs.ForceNew("vpc", got.VPC, want.VPC)
	diffs.ForceNew("cidr", got.CIDR, want.CIDR)
	if want.AvailabilityZone != "" {
		diffs.ForceNew("availability_zone", got.AvailabilityZone, want.AvailabilityZone)
	}
	diffs.Field("map_public_ip_on_launch", got.MapPublicIP, want.MapPublicIP)
	return diffs
}

// List implements reconcile.Kind.
func (k *Subnet) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	subnets, err := k.describe(ctx, &ec2.DescribeSubnetsInput{Filters: ec2SelectorFilters(sel)})
	if err != nil {
		return nil, fmt.Errorf("list ec2 subnets: %w", err)
	}
	var out []state.Resource
	for _, s := range subnets {
		if sel.Matches(ec2TagMap(s.Tags)) {
			out = append(out, k.observe(s))
		}
	}
	return out, nil
}

// Create implements reconcile.Kind.
func (k *Subnet) Create(ctx context.Context, d reconcile.Desired) (state.Resource, error) {
	p, err := ec2Props[spec.Subnet](d.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 subnet %s: %w", d.Name, err)
	}
	existing, err := k.describe(ctx, &ec2.DescribeSubnetsInput{Filters: ec2OwnerFilters(d.Owner)})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 subnet %s: find earlier attempt: %w", d.Name, err)
	}
	if len(existing) > 0 {
		return k.adopt(ctx, d, existing)
	}
	in := &ec2.CreateSubnetInput{
		VpcId:             aws.String(p.VPC),
		CidrBlock:         aws.String(p.CIDR),
		TagSpecifications: ec2TagSpec(types.ResourceTypeSubnet, ec2WantTags(d)),
	}
	if p.AvailabilityZone != "" {
		in.AvailabilityZone = aws.String(p.AvailabilityZone)
	}
	out, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.CreateSubnetOutput, error) { return k.api.CreateSubnet(ctx, in) })
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

// adopt takes over the subnet an earlier attempt created for d's owner.
func (k *Subnet) adopt(ctx context.Context, d reconcile.Desired, found []types.Subnet) (state.Resource, error) {
	if len(found) > 1 {
		return state.Resource{}, fmt.Errorf("create ec2 subnet %s: %d subnets carry the ownership tags of %s; delete all but one", d.Name, len(found), d.Owner.ID)
	}
	live := k.observe(found[0])
	if err := ec2AdoptableDiff(k.Diff(d, live)); err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 subnet %s: adopt %s: %w", d.Name, live.ID, err)
	}
	return k.Update(ctx, d, live)
}

// Update implements reconcile.Kind.
func (k *Subnet) Update(ctx context.Context, d reconcile.Desired, live state.Resource) (state.Resource, error) {
	want, err := ec2Props[spec.Subnet](d.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 subnet %s: %w", live.ID, err)
	}
	got, err := ec2Props[spec.Subnet](live.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 subnet %s: %w", live.ID, err)
	}
	if !ec2Owned(live.Tags, d.Owner) {
		return state.Resource{}, fmt.Errorf("update %w", ec2NotOwned("ec2 subnet", live.ID, live.Tags))
	}
	if got.MapPublicIP != want.MapPublicIP {
		if err := k.setMapPublicIP(ctx, live.ID, want.MapPublicIP, ec2Never); err != nil {
			return state.Resource{}, fmt.Errorf("update ec2 subnet %s: %w", live.ID, err)
		}
	}
	if err := ec2SyncTags(ctx, k.api, live.ID, live.Tags, ec2WantTags(d)); err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 subnet %s: %w", live.ID, err)
	}
	r, err := k.observeID(ctx, live.ID, ec2Never)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 subnet %s: %w", live.ID, err)
	}
	return r, nil
}

func (k *Subnet) setMapPublicIP(ctx context.Context, id string, on bool, retry func(error) bool) error {
	in := &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(on)}}
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		_, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.ModifySubnetAttributeOutput, error) {
			return k.api.ModifySubnetAttribute(ctx, in)
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("set map_public_ip_on_launch: %w", err)
	}
	return nil
}

// Delete implements reconcile.Kind. It re-reads the subnet's tags first, and waits out
// DependencyViolation for up to the dependency budget: a VPC Lambda's network interfaces keep
// its subnets busy for tens of minutes after the function is deleted.
func (k *Subnet) Delete(ctx context.Context, live state.Resource) error {
	s, err := k.describeID(ctx, live.ID, ec2Never)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete ec2 subnet %s: %w", live.ID, err)
	}
	if tags := ec2TagMap(s.Tags); !ec2Owned(tags, live.Owner) {
		return fmt.Errorf("delete %w", ec2NotOwned("ec2 subnet", live.ID, tags))
	}
	err = ec2WaitDependencies(ctx, k.dependencyWait, k.progress, "ec2 subnet "+live.ID, func(ctx context.Context) error {
		_, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DeleteSubnetOutput, error) {
			return k.api.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(live.ID)})
		})
		return err
	}, subnetNotFound)
	if err != nil {
		return fmt.Errorf("delete ec2 subnet %s: %w", live.ID, err)
	}
	err = ec2WaitGone(ctx, k.wait, func(ctx context.Context) (bool, error) {
		_, err := k.describeID(ctx, live.ID, ec2Never)
		if errors.Is(err, reconcile.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("delete ec2 subnet %s: wait until gone: %w", live.ID, err)
	}
	return nil
}

func (k *Subnet) describe(ctx context.Context, in *ec2.DescribeSubnetsInput) ([]types.Subnet, error) {
	var out []types.Subnet
	pages := ec2.NewDescribeSubnetsPaginator(k.api, in)
	for pages.HasMorePages() {
		page, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DescribeSubnetsOutput, error) { return pages.NextPage(ctx) })
		if err != nil {
			return nil, ec2NotFound(err, subnetNotFound)
		}
		out = append(out, page.Subnets...)
	}
	return out, nil
}

// describeID returns one subnet, or an error wrapping reconcile.ErrNotFound; retry says which
// errors to wait out.
func (k *Subnet) describeID(ctx context.Context, id string, retry func(error) bool) (types.Subnet, error) {
	var s types.Subnet
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		subnets, err := k.describe(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
		if err == nil && len(subnets) == 0 {
			err = fmt.Errorf("subnet %s: %w", id, reconcile.ErrNotFound)
		}
		if err == nil {
			s = subnets[0]
		}
		return err
	})
	return s, err
}

func (k *Subnet) observeID(ctx context.Context, id string, retry func(error) bool) (state.Resource, error) {
	s, err := k.describeID(ctx, id, retry)
	if err != nil {
		return state.Resource{}, err
	}
	return k.observe(s), nil
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

var _ reconcile.Kind = (*Subnet)(nil)
