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

// VPCAPI is the part of *ec2.Client the ec2.vpc kind uses.
type VPCAPI interface {
	EC2TagsAPI
	CreateVpc(ctx context.Context, in *ec2.CreateVpcInput, optFns ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error)
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DeleteVpc(ctx context.Context, in *ec2.DeleteVpcInput, optFns ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error)
	ModifyVpcAttribute(ctx context.Context, in *ec2.ModifyVpcAttributeInput, optFns ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error)
	DescribeVpcAttribute(ctx context.Context, in *ec2.DescribeVpcAttributeInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error)
	DescribeRouteTables(ctx context.Context, in *ec2.DescribeRouteTablesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error)
}

// vpcNotFound is the code EC2 answers for a VPC id it does not know, also for a few seconds
// after CreateVpc returned it (eventual consistency).
const vpcNotFound = "InvalidVpcID.NotFound"

// VPC is the ec2.vpc kind. Its physical name is the Name tag. VPC names are not unique, so
// Create finds an earlier attempt (a crash right after CreateVpc) by its ownership tags, never
// by name, and a VPC of the same name without our tags is simply another VPC.
//
// Replacement: cidr (the primary CIDR block of a VPC is fixed). In place: enable_dns_support,
// enable_dns_hostnames, tags.
type VPC struct {
	api            VPCAPI
	region         string // for the ARN, which DescribeVpcs does not return
	wait           reconcile.Backoff
	dependencyWait reconcile.Backoff // DeleteVpc while its dependents go away
	progress       ec2Progress
}

// NewVPC returns the ec2.vpc kind; region is the client's region, used to build ARNs.
func NewVPC(api VPCAPI, region string) *VPC {
	return &VPC{api: api, region: region, wait: reconcile.DefaultBackoff, dependencyWait: reconcile.DefaultBackoff}
}

// SetProgress makes long waits (a delete blocked by dependents) report to fn.
func (k *VPC) SetProgress(fn func(msg string)) { k.progress = fn }

// Kind implements reconcile.Kind.
func (k *VPC) Kind() string { return "ec2.vpc" }

// Diff implements reconcile.Kind.
func (k *VPC) Diff(d reconcile.Desired, live state.Resource) []reconcile.FieldDiff {
	want, err1 := ec2Props[spec.VPC](d.Props)
	got, err2 := ec2Props[spec.VPC](live.Props)
	if err1 != nil || err2 != nil {
		return ec2PropsMismatch(d.Props, live.Props)
	}
	var diffs reconcile.Diffs
	diffs.ForceNew("cidr", got.CIDR, want.CIDR)
	diffs.Field("enable_dns_support", got.EnableDNSSupport, want.EnableDNSSupport)
	diffs.Field("enable_dns_hostnames", got.EnableDNSHostnames, want.EnableDNSHostnames)
	return diffs
}

// List implements reconcile.Kind.
func (k *VPC) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	vpcs, err := k.describe(ctx, &ec2.DescribeVpcsInput{Filters: ec2SelectorFilters(sel)})
	if err != nil {
		return nil, fmt.Errorf("list ec2 vpcs: %w", err)
	}
	var out []state.Resource
	for _, v := range vpcs {
		if !sel.Matches(ec2TagMap(v.Tags)) {
			continue
		}
		r, err := k.observe(ctx, v, ec2Never)
		if err != nil {
			return nil, fmt.Errorf("list ec2 vpcs: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Create implements reconcile.Kind.
func (k *VPC) Create(ctx context.Context, d reconcile.Desired) (state.Resource, error) {
	p, err := ec2Props[spec.VPC](d.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: %w", d.Name, err)
	}
	existing, err := k.describe(ctx, &ec2.DescribeVpcsInput{Filters: ec2OwnerFilters(d.Owner)})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: find earlier attempt: %w", d.Name, err)
	}
	if len(existing) > 0 {
		return k.adopt(ctx, d, existing)
	}
	out, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.CreateVpcOutput, error) {
		return k.api.CreateVpc(ctx, &ec2.CreateVpcInput{
			CidrBlock:         aws.String(p.CIDR),
			TagSpecifications: ec2TagSpec(types.ResourceTypeVpc, ec2WantTags(d)),
		})
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: %w", d.Name, err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	// A new VPC has DNS support on and DNS hostnames off; the id may be unknown to the next
	// calls for a few seconds.
	fresh := ec2FreshRetry(vpcNotFound)
	if err := k.setDNS(ctx, id, spec.VPC{EnableDNSSupport: true}, *p, fresh); err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s (%s): %w", d.Name, id, err)
	}
	r, err := k.observeID(ctx, id, fresh)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s (%s): %w", d.Name, id, err)
	}
	return r, nil
}

// adopt takes over the VPC an earlier attempt created for d's owner.
func (k *VPC) adopt(ctx context.Context, d reconcile.Desired, found []types.Vpc) (state.Resource, error) {
	if len(found) > 1 {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: %d VPCs carry the ownership tags of %s; delete all but one", d.Name, len(found), d.Owner.ID)
	}
	live, err := k.observe(ctx, found[0], ec2Never)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: adopt %s: %w", d.Name, aws.ToString(found[0].VpcId), err)
	}
	if err := ec2AdoptableDiff(k.Diff(d, live)); err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: adopt %s: %w", d.Name, live.ID, err)
	}
	return k.Update(ctx, d, live)
}

// Update implements reconcile.Kind.
func (k *VPC) Update(ctx context.Context, d reconcile.Desired, live state.Resource) (state.Resource, error) {
	want, err := ec2Props[spec.VPC](d.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 vpc %s: %w", live.ID, err)
	}
	got, err := ec2Props[spec.VPC](live.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 vpc %s: %w", live.ID, err)
	}
	if !ec2Owned(live.Tags, d.Owner) {
		return state.Resource{}, fmt.Errorf("update %w", ec2NotOwned("ec2 vpc", live.ID, live.Tags))
	}
	if err := k.setDNS(ctx, live.ID, *got, *want, ec2Never); err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 vpc %s: %w", live.ID, err)
	}
	if err := ec2SyncTags(ctx, k.api, live.ID, live.Tags, ec2WantTags(d)); err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 vpc %s: %w", live.ID, err)
	}
	r, err := k.observeID(ctx, live.ID, ec2Never)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ec2 vpc %s: %w", live.ID, err)
	}
	return r, nil
}

// setDNS changes the DNS attributes that differ, one per call as the API requires, in the
// order AWS accepts: hostnames need support, so support goes on first and off last.
func (k *VPC) setDNS(ctx context.Context, id string, got, want spec.VPC, retry func(error) bool) error {
	support := func() error {
		if got.EnableDNSSupport == want.EnableDNSSupport {
			return nil
		}
		return k.modify(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsSupport: &types.AttributeBooleanValue{Value: aws.Bool(want.EnableDNSSupport)}}, retry)
	}
	hostnames := func() error {
		if got.EnableDNSHostnames == want.EnableDNSHostnames {
			return nil
		}
		return k.modify(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(want.EnableDNSHostnames)}}, retry)
	}
	first, second := support, hostnames
	if !want.EnableDNSSupport {
		first, second = hostnames, support
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

func (k *VPC) modify(ctx context.Context, in *ec2.ModifyVpcAttributeInput, retry func(error) bool) error {
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		_, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.ModifyVpcAttributeOutput, error) {
			return k.api.ModifyVpcAttribute(ctx, in)
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("modify vpc attribute: %w", err)
	}
	return nil
}

// Delete implements reconcile.Kind. It re-reads the VPC's tags first and deletes only what
// still carries live's owner; DependencyViolation (subnets, groups or endpoints still being
// deleted) is retried within the dependency budget.
func (k *VPC) Delete(ctx context.Context, live state.Resource) error {
	v, err := k.describeID(ctx, live.ID, ec2Never)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete ec2 vpc %s: %w", live.ID, err)
	}
	if tags := ec2TagMap(v.Tags); !ec2Owned(tags, live.Owner) {
		return fmt.Errorf("delete %w", ec2NotOwned("ec2 vpc", live.ID, tags))
	}
	err = ec2WaitDependencies(ctx, k.dependencyWait, k.progress, "ec2 vpc "+live.ID, func(ctx context.Context) error {
		_, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DeleteVpcOutput, error) {
			return k.api.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(live.ID)})
		})
		return err
	}, vpcNotFound)
	if err != nil {
		return fmt.Errorf("delete ec2 vpc %s: %w", live.ID, err)
	}
	err = ec2WaitGone(ctx, k.wait, func(ctx context.Context) (bool, error) {
		_, err := k.describeID(ctx, live.ID, ec2Never)
		if errors.Is(err, reconcile.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("delete ec2 vpc %s: wait until gone: %w", live.ID, err)
	}
	return nil
}

// describe returns every VPC matching in, page by page.
func (k *VPC) describe(ctx context.Context, in *ec2.DescribeVpcsInput) ([]types.Vpc, error) {
	var out []types.Vpc
	pages := ec2.NewDescribeVpcsPaginator(k.api, in)
	for pages.HasMorePages() {
		page, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DescribeVpcsOutput, error) { return pages.NextPage(ctx) })
		if err != nil {
			return nil, ec2NotFound(err, vpcNotFound)
		}
		out = append(out, page.Vpcs...)
	}
	return out, nil
}

// describeID returns one VPC, or an error wrapping reconcile.ErrNotFound; retry says which
// errors to wait out.
func (k *VPC) describeID(ctx context.Context, id string, retry func(error) bool) (types.Vpc, error) {
	var v types.Vpc
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		vpcs, err := k.describe(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
		if err == nil && len(vpcs) == 0 {
			err = fmt.Errorf("vpc %s: %w", id, reconcile.ErrNotFound)
		}
		if err == nil {
			v = vpcs[0]
		}
		return err
	})
	return v, err
}

func (k *VPC) observeID(ctx context.Context, id string, retry func(error) bool) (state.Resource, error) {
	v, err := k.describeID(ctx, id, retry)
	if err != nil {
		return state.Resource{}, err
	}
	return k.observe(ctx, v, retry)
}

// observe reads what DescribeVpcs does not carry: the DNS attributes and the main route
// table. Right after a create (retry accepting not-found) it also waits for the main route
// table, which other resources may reference.
func (k *VPC) observe(ctx context.Context, v types.Vpc, retry func(error) bool) (state.Resource, error) {
	id := aws.ToString(v.VpcId)
	support, err := k.attribute(ctx, id, types.VpcAttributeNameEnableDnsSupport, retry)
	if err != nil {
		return state.Resource{}, err
	}
	hostnames, err := k.attribute(ctx, id, types.VpcAttributeNameEnableDnsHostnames, retry)
	if err != nil {
		return state.Resource{}, err
	}
	mainRT, err := k.mainRouteTable(ctx, id, retry)
	if err != nil {
		return state.Resource{}, err
	}
	tags := ec2TagMap(v.Tags)
	owner, _ := state.OwnerOf(tags)
	cidr := aws.ToString(v.CidrBlock)
	return state.Resource{
		Kind:  k.Kind(),
		Owner: owner,
		ID:    id,
		Name:  tags[ec2NameTag],
		Attrs: map[string]string{
			"id":                  id,
			"arn":                 ec2ARN(k.region, aws.ToString(v.OwnerId), "vpc/"+id),
			"cidr":                cidr,
			"main_route_table_id": mainRT,
		},
		Tags:  tags,
		Props: &spec.VPC{CIDR: cidr, EnableDNSSupport: support, EnableDNSHostnames: hostnames},
	}, nil
}

func (k *VPC) attribute(ctx context.Context, id string, name types.VpcAttributeName, retry func(error) bool) (bool, error) {
	var value bool
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		out, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DescribeVpcAttributeOutput, error) {
			return k.api.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: name})
		})
		if err != nil {
			return err
		}
		switch name {
		case types.VpcAttributeNameEnableDnsSupport:
			value = out.EnableDnsSupport != nil && aws.ToBool(out.EnableDnsSupport.Value)
		case types.VpcAttributeNameEnableDnsHostnames:
			value = out.EnableDnsHostnames != nil && aws.ToBool(out.EnableDnsHostnames.Value)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("describe vpc attribute %s of %s: %w", name, id, ec2NotFound(err, vpcNotFound))
	}
	return value, nil
}

// vpcErrNoMainRouteTable is waited out right after a create only (it counts as not found).
var vpcErrNoMainRouteTable = fmt.Errorf("main route table not visible yet: %w", reconcile.ErrNotFound)

func (k *VPC) mainRouteTable(ctx context.Context, id string, retry func(error) bool) (string, error) {
	in := &ec2.DescribeRouteTablesInput{Filters: []types.Filter{ec2Filter("vpc-id", id), ec2Filter("association.main", "true")}}
	var rt string
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		out, err := reconcile.Call(ctx, func(ctx context.Context) (*ec2.DescribeRouteTablesOutput, error) {
			return k.api.DescribeRouteTables(ctx, in)
		})
		if err != nil {
			return err
		}
		if len(out.RouteTables) == 0 {
			return vpcErrNoMainRouteTable
		}
		rt = aws.ToString(out.RouteTables[0].RouteTableId)
		return nil
	})
	if errors.Is(err, vpcErrNoMainRouteTable) {
		return "", nil // listed VPCs report what there is
	}
	if err != nil {
		return "", fmt.Errorf("find main route table of %s: %w", id, err)
	}
	return rt, nil
}

var _ reconcile.Kind = (*VPC)(nil)
