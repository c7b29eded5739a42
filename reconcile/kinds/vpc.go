package kinds

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
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
}

// NewVPC returns the ec2.vpc kind; region is the client's region, used to build ARNs.
func NewVPC(api VPCAPI, region string) *VPC {
	return &VPC{api: api, region: region, wait: reconcile.DefaultBackoff, dependencyWait: reconcile.DefaultBackoff}
}

// Kind implements reconcile.Typed.
func (k *VPC) Kind() string { return "ec2.vpc" }

// Diff implements reconcile.Typed.
func (k *VPC) Diff(d reconcile.Want[*spec.VPC], live reconcile.Have[*spec.VPC]) []reconcile.FieldDiff {
	got, want := live.Props, d.Props
	var diffs reconcile.Diffs
	diffs.ForceNew("cidr", got.CIDR, want.CIDR)
	diffs.Field("enable_dns_support", got.EnableDNSSupport, want.EnableDNSSupport)
	diffs.Field("enable_dns_hostnames", got.EnableDNSHostnames, want.EnableDNSHostnames)
	return diffs
}

// List implements reconcile.Typed.
func (k *VPC) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return k.ec2Type().list(ctx, sel, k.observeListed)
}

// Create implements reconcile.Typed.
func (k *VPC) Create(ctx context.Context, d reconcile.Want[*spec.VPC]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) { return k.tryCreate(ctx, d) })
}

// tryCreate is one attempt of Create: adopt an earlier attempt if there is one, else send the
// create call once (awscall.Once), whose unknown outcome Settle settles by trying again.
func (k *VPC) tryCreate(ctx context.Context, d reconcile.Want[*spec.VPC]) (state.Resource, error) {
	p := d.Props
	if r, done, err := ec2AdoptEarlier(ctx, k.ec2Type(), k, d, "VPCs", k.observeListed); done {
		return r, err
	}
	out, err := awscall.Call(awscall.Once(ctx), func(ctx context.Context) (*ec2.CreateVpcOutput, error) {
		return k.api.CreateVpc(ctx, &ec2.CreateVpcInput{
			CidrBlock:         aws.String(p.CIDR),
			TagSpecifications: ec2TagSpec(types.ResourceTypeVpc, ec2WantTags(d.Desired)),
		})
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s: %w", d.Name, err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	// A new VPC has DNS support on and DNS hostnames off; the id may be unknown to the next
	// calls for a few seconds.
	fresh := ec2FreshRetry(vpcNotFound)
	created := reconcile.Have[*spec.VPC]{Props: &spec.VPC{CIDR: p.CIDR, EnableDNSSupport: true}}
	if err := k.setDNS(ctx, id, k.Diff(d, created), *p, fresh); err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s (%s): %w", d.Name, id, err)
	}
	r, err := k.observeID(ctx, id, fresh)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc %s (%s): %w", d.Name, id, err)
	}
	return r, nil
}

// Update implements reconcile.Typed.
func (k *VPC) Update(ctx context.Context, d reconcile.Want[*spec.VPC], live reconcile.Have[*spec.VPC], changes reconcile.Changes) (state.Resource, error) {
	return ec2Update(ctx, k.api, "ec2 vpc", d.Desired, live.Resource, func() error {
		return k.setDNS(ctx, live.ID, changes, *d.Props, awscall.Never)
	}, func(ctx context.Context) (state.Resource, error) {
		return k.observeID(ctx, live.ID, awscall.Never)
	})
}

// setDNS sets the DNS attributes that changes name, one per call as the API requires, in the
// order AWS accepts: hostnames need support, so support goes on first and off last.
func (k *VPC) setDNS(ctx context.Context, id string, changes reconcile.Changes, want spec.VPC, retry func(error) bool) error {
	support := func() error {
		if !changes.Changed("enable_dns_support") {
			return nil
		}
		return k.modify(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsSupport: &types.AttributeBooleanValue{Value: aws.Bool(want.EnableDNSSupport)}}, retry)
	}
	hostnames := func() error {
		if !changes.Changed("enable_dns_hostnames") {
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
	if err := awscall.Retry(ctx, k.wait, retry, k.api.ModifyVpcAttribute, in); err != nil {
		return fmt.Errorf("modify vpc attribute: %w", err)
	}
	return nil
}

// Delete implements reconcile.Typed. It re-reads the VPC's tags first and deletes only what
// still carries live's owner; DependencyViolation (subnets, groups or endpoints still being
// deleted) is retried within the dependency budget.
func (k *VPC) Delete(ctx context.Context, live state.Resource) error {
	return k.ec2Type().deleteOwned(ctx, live, nil, func(ctx context.Context) error {
		return awscall.Send(ctx, k.api.DeleteVpc, &ec2.DeleteVpcInput{VpcId: aws.String(live.ID)})
	})
}

// ec2Type is what the shared EC2 flows need to know of VPCs.
func (k *VPC) ec2Type() ec2Type[types.Vpc] {
	return ec2Type[types.Vpc]{
		what: "ec2 vpc", notFound: []string{vpcNotFound}, describe: k.describe,
		wait: k.wait, deps: k.dependencyWait,
		id:   func(v types.Vpc) *string { return v.VpcId },
		tags: func(v types.Vpc) []types.Tag { return v.Tags },
	}
}

// describe returns every VPC with one of ids (any when there are none) matching filters.
func (k *VPC) describe(ctx context.Context, ids []string, filters []types.Filter) ([]types.Vpc, error) {
	pages := ec2.NewDescribeVpcsPaginator(k.api, &ec2.DescribeVpcsInput{VpcIds: ids, Filters: filters})
	return ec2DescribeAll(ctx, pages, func(o *ec2.DescribeVpcsOutput) []types.Vpc { return o.Vpcs }, vpcNotFound)
}

func (k *VPC) observeID(ctx context.Context, id string, retry func(error) bool) (state.Resource, error) {
	return k.ec2Type().observeID(ctx, id, retry, func(ctx context.Context, v types.Vpc) (state.Resource, error) {
		return k.observe(ctx, v, retry)
	})
}

// observeListed observes a VPC that was listed, not just created: nothing is waited for.
func (k *VPC) observeListed(ctx context.Context, v types.Vpc) (state.Resource, error) {
	return k.observe(ctx, v, awscall.Never)
}

// observe reads what DescribeVpcs does not carry: the DNS attributes and the main route
// table, at once (one round, not three, in every discovery and after a create). Right after a
// create (retry accepting not-found) it also waits for the main route table, which other
// resources may reference.
func (k *VPC) observe(ctx context.Context, v types.Vpc, retry func(error) bool) (state.Resource, error) {
	id := aws.ToString(v.VpcId)
	var support, hostnames bool
	var mainRT string
	if err := awscall.All(ctx,
		func(ctx context.Context) (err error) {
			support, err = k.attribute(ctx, id, types.VpcAttributeNameEnableDnsSupport, retry)
			return err
		},
		func(ctx context.Context) (err error) {
			hostnames, err = k.attribute(ctx, id, types.VpcAttributeNameEnableDnsHostnames, retry)
			return err
		},
		func(ctx context.Context) (err error) { mainRT, err = k.mainRouteTable(ctx, id, retry); return err },
	); err != nil {
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
		out, err := awscall.Call(ctx, func(ctx context.Context) (*ec2.DescribeVpcAttributeOutput, error) {
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
		return false, fmt.Errorf("describe vpc attribute %s of %s: %w", name, id, awscall.NotFound(err, vpcNotFound))
	}
	return value, nil
}

// vpcErrNoMainRouteTable is waited out right after a create only (it counts as not found).
var vpcErrNoMainRouteTable = fmt.Errorf("main route table not visible yet: %w", reconcile.ErrNotFound)

func (k *VPC) mainRouteTable(ctx context.Context, id string, retry func(error) bool) (string, error) {
	in := &ec2.DescribeRouteTablesInput{Filters: []types.Filter{ec2Filter("vpc-id", id), ec2Filter("association.main", "true")}}
	var rt string
	err := k.wait.Retry(ctx, retry, func(ctx context.Context) error {
		out, err := awscall.Call(ctx, func(ctx context.Context) (*ec2.DescribeRouteTablesOutput, error) {
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

var _ reconcile.Typed[*spec.VPC] = (*VPC)(nil)
