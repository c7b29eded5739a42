package kinds

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// VPCEndpointAPI is the part of *ec2.Client the ec2.vpc_endpoint kind uses.
type VPCEndpointAPI interface {
	EC2TagsAPI
	CreateVpcEndpoint(ctx context.Context, in *ec2.CreateVpcEndpointInput, optFns ...func(*ec2.Options)) (*ec2.CreateVpcEndpointOutput, error)
	DescribeVpcEndpoints(ctx context.Context, in *ec2.DescribeVpcEndpointsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error)
	ModifyVpcEndpoint(ctx context.Context, in *ec2.ModifyVpcEndpointInput, optFns ...func(*ec2.Options)) (*ec2.ModifyVpcEndpointOutput, error)
	DeleteVpcEndpoints(ctx context.Context, in *ec2.DeleteVpcEndpointsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteVpcEndpointsOutput, error)
	DescribePrefixLists(ctx context.Context, in *ec2.DescribePrefixListsInput, optFns ...func(*ec2.Options)) (*ec2.DescribePrefixListsOutput, error)
}

// vpceNotFound are the codes EC2 uses for an unknown endpoint (describe and delete differ).
var vpceNotFound = []string{"InvalidVpcEndpointId.NotFound", "InvalidVpcEndpoint.NotFound"}

// vpceIncorrectState is the answer to a change while the endpoint is pending or being modified.
const vpceIncorrectState = "IncorrectState"

// VPCEndpoint is the ec2.vpc_endpoint kind. Its physical name is the Name tag; endpoints are
// found by their ownership tags. After a create or a change it waits for the endpoint to be
// available, after a delete for it to be deleted (DescribeVpcEndpoints keeps showing deleted
// endpoints for a while; they count as gone).
//
// Replacement: vpc, service, type. In place: route_table_ids (Gateway), subnet_ids,
// security_group_ids and private_dns (Interface), tags. An Interface endpoint created without
// security groups gets the VPC's default group; an empty security_group_ids therefore means
// "AWS's choice" and is not a diff.
type VPCEndpoint struct {
	api    VPCEndpointAPI
	region string // the service name is com.amazonaws.<region>.<service>
	wait   reconcile.Backoff
}

// NewVPCEndpoint returns the ec2.vpc_endpoint kind; region is the client's region.
func NewVPCEndpoint(api VPCEndpointAPI, region string) *VPCEndpoint {
	// Interface endpoints take a few minutes to become available.
	wait := reconcile.Backoff{Initial: reconcile.DefaultBackoff.Initial, Max: reconcile.DefaultBackoff.Max, Budget: 10 * time.Minute}
	return &VPCEndpoint{api: api, region: region, wait: wait}
}

// Kind implements reconcile.Typed.
func (k *VPCEndpoint) Kind() string { return "ec2.vpc_endpoint" }

// serviceName is the full service name of a short one (s3); names that are already full
// (com.amazonaws.…, aws.…, a PrivateLink service's com.amazonaws.vpce.…) stay as they are.
func (k *VPCEndpoint) serviceName(s string) string {
	if strings.HasPrefix(s, "com.amazonaws.") || strings.HasPrefix(s, "aws.") {
		return s
	}
	return "com.amazonaws." + k.region + "." + s
}

// shortService is the spec's spelling of a full service name of this region.
func (k *VPCEndpoint) shortService(full string) string {
	return strings.TrimPrefix(full, "com.amazonaws."+k.region+".")
}

func vpceInterface(p *spec.VPCEndpoint) bool {
	return strings.EqualFold(p.Type, string(types.VpcEndpointTypeInterface))
}

// Diff implements reconcile.Typed.
func (k *VPCEndpoint) Diff(d reconcile.Want[*spec.VPCEndpoint], live reconcile.Have[*spec.VPCEndpoint]) []reconcile.FieldDiff {
	got, want := live.Props, d.Props
	var ds reconcile.Diffs
	ds.ForceNew("vpc", got.VPC, want.VPC)
	if k.serviceName(got.Service) != k.serviceName(want.Service) {
		ds.ForceNew("service", got.Service, want.Service)
	}
	ds.ForceNew("type", got.Type, want.Type)
	ds.Set("route_table_ids", got.RouteTableIDs, want.RouteTableIDs)
	ds.Set("subnet_ids", got.SubnetIDs, want.SubnetIDs)
	if len(want.SecurityGroupIDs) > 0 || !vpceInterface(want) {
		ds.Set("security_group_ids", got.SecurityGroupIDs, want.SecurityGroupIDs)
	}
	ds.Field("private_dns", got.PrivateDNS, want.PrivateDNS)
	return ds
}

// List implements reconcile.Typed.
func (k *VPCEndpoint) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return k.ec2Type().list(ctx, sel, k.observe)
}

// Create implements reconcile.Typed.
func (k *VPCEndpoint) Create(ctx context.Context, d reconcile.Want[*spec.VPCEndpoint]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) { return k.tryCreate(ctx, d) })
}

// tryCreate is one attempt of Create: adopt an earlier attempt if there is one, else send the
// create call once (awscall.Once), whose unknown outcome Settle settles by trying again.
func (k *VPCEndpoint) tryCreate(ctx context.Context, d reconcile.Want[*spec.VPCEndpoint]) (state.Resource, error) {
	p := d.Props
	if r, done, err := ec2AdoptEarlier(ctx, k.ec2Type(), k, d, "endpoints", k.observeEarlier); done {
		return r, err
	}
	in := &ec2.CreateVpcEndpointInput{
		VpcId:             aws.String(p.VPC),
		ServiceName:       aws.String(k.serviceName(p.Service)),
		VpcEndpointType:   types.VpcEndpointType(p.Type),
		RouteTableIds:     p.RouteTableIDs,
		SubnetIds:         p.SubnetIDs,
		SecurityGroupIds:  p.SecurityGroupIDs,
		TagSpecifications: ec2TagSpec(types.ResourceTypeVpcEndpoint, ec2WantTags(d.Desired)),
		// A resend within one Settle is answered with the endpoint the first send made.
		ClientToken: aws.String(awscall.ClientToken(ctx, d.Owner.Stack, d.Owner.Suffix, d.Owner.ID)),
	}
	if vpceInterface(p) {
		in.PrivateDnsEnabled = aws.Bool(p.PrivateDNS) // AWS turns it on when left out
	}
	out, err := awscall.Call(awscall.Once(ctx), func(ctx context.Context) (*ec2.CreateVpcEndpointOutput, error) {
		return k.api.CreateVpcEndpoint(ctx, in)
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc endpoint %s: %w", d.Name, err)
	}
	id := aws.ToString(out.VpcEndpoint.VpcEndpointId)
	r, err := k.waitAvailable(ctx, id)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 vpc endpoint %s (%s): %w", d.Name, id, err)
	}
	return r, nil
}

// observeEarlier waits for an endpoint an earlier attempt left, maybe pending, to be available.
func (k *VPCEndpoint) observeEarlier(ctx context.Context, ep types.VpcEndpoint) (state.Resource, error) {
	return k.waitAvailable(ctx, aws.ToString(ep.VpcEndpointId))
}

// Update implements reconcile.Typed.
func (k *VPCEndpoint) Update(ctx context.Context, d reconcile.Want[*spec.VPCEndpoint], live reconcile.Have[*spec.VPCEndpoint], _ reconcile.Changes) (state.Resource, error) {
	return ec2Update(ctx, k.api, "ec2 vpc endpoint", d.Desired, live.Resource, func() error {
		if in, changed := vpceModification(live.ID, live.Props, d.Props); changed {
			return k.modify(ctx, in)
		}
		return nil
	}, func(ctx context.Context) (state.Resource, error) {
		return k.waitAvailable(ctx, live.ID)
	})
}

// vpceModification is the ModifyVpcEndpoint call that brings got to want, and whether
// anything changes at all.
func vpceModification(id string, got, want *spec.VPCEndpoint) (*ec2.ModifyVpcEndpointInput, bool) {
	in := &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id)}
	in.AddRouteTableIds, in.RemoveRouteTableIds = awscall.SetChanges(got.RouteTableIDs, want.RouteTableIDs)
	in.AddSubnetIds, in.RemoveSubnetIds = awscall.SetChanges(got.SubnetIDs, want.SubnetIDs)
	if len(want.SecurityGroupIDs) > 0 || !vpceInterface(want) {
		in.AddSecurityGroupIds, in.RemoveSecurityGroupIds = awscall.SetChanges(got.SecurityGroupIDs, want.SecurityGroupIDs)
	}
	if vpceInterface(want) && got.PrivateDNS != want.PrivateDNS {
		in.PrivateDnsEnabled = aws.Bool(want.PrivateDNS)
	}
	changed := len(in.AddRouteTableIds)+len(in.RemoveRouteTableIds)+len(in.AddSubnetIds)+len(in.RemoveSubnetIds)+
		len(in.AddSecurityGroupIds)+len(in.RemoveSecurityGroupIds) > 0 || in.PrivateDnsEnabled != nil
	return in, changed
}

// modify sends one change, waiting out IncorrectState (a change still in progress).
func (k *VPCEndpoint) modify(ctx context.Context, in *ec2.ModifyVpcEndpointInput) error {
	if err := awscall.Retry(ctx, k.wait, awscall.Codes(vpceIncorrectState), k.api.ModifyVpcEndpoint, in); err != nil {
		return fmt.Errorf("modify: %w", err)
	}
	return nil
}

// Delete implements reconcile.Typed. It re-reads the endpoint's tags first, and treats an
// endpoint in state deleted as gone.
func (k *VPCEndpoint) Delete(ctx context.Context, live state.Resource) error {
	if _, ok, err := k.ec2Type().recheck(ctx, live, vpceGone); !ok {
		return err
	}
	err := k.wait.Retry(ctx, awscall.Codes(vpceIncorrectState), func(ctx context.Context) error { return k.deleteOnce(ctx, live.ID) })
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete ec2 vpc endpoint %s: %w", live.ID, err)
	}
	if err := k.waitDeleted(ctx, live.ID); err != nil {
		return fmt.Errorf("delete ec2 vpc endpoint %s: wait until deleted: %w", live.ID, err)
	}
	return nil
}

// waitDeleted polls the endpoint until it is not found or in state deleted.
func (k *VPCEndpoint) waitDeleted(ctx context.Context, id string) error {
	return k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		ep, err := k.describeID(ctx, id)
		if errors.Is(err, reconcile.ErrNotFound) || err == nil && vpceGone(ep) {
			return true, nil
		}
		if err != nil {
			return true, err
		}
		return false, fmt.Errorf("state %s", ep.State)
	})
}

// deleteOnce calls DeleteVpcEndpoints, which reports per-endpoint failures in its output
// rather than as an error.
func (k *VPCEndpoint) deleteOnce(ctx context.Context, id string) error {
	out, err := awscall.Call(ctx, func(ctx context.Context) (*ec2.DeleteVpcEndpointsOutput, error) {
		return k.api.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}})
	})
	if err != nil {
		return awscall.NotFound(err, vpceNotFound...)
	}
	for _, u := range out.Unsuccessful {
		if u.Error == nil {
			continue
		}
		// Per-endpoint failures come in the output; as API errors the usual code checks apply.
		err := &smithy.GenericAPIError{Code: aws.ToString(u.Error.Code), Message: aws.ToString(u.Error.Message)}
		return awscall.NotFound(err, vpceNotFound...)
	}
	return nil
}

// vpceGone reports a deleted endpoint, which DescribeVpcEndpoints shows for a while.
func vpceGone(ep types.VpcEndpoint) bool {
	return strings.EqualFold(string(ep.State), string(types.StateDeleted))
}

// waitAvailable polls the endpoint until it is available and returns it observed; failed (or
// any other end state) stops the wait with an error.
func (k *VPCEndpoint) waitAvailable(ctx context.Context, id string) (state.Resource, error) {
	var ep types.VpcEndpoint
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		var err error
		ep, err = k.describeID(ctx, id)
		if errors.Is(err, reconcile.ErrNotFound) {
			return false, err // a new endpoint may be unknown for a moment
		}
		if err != nil {
			return true, err
		}
		switch strings.ToLower(string(ep.State)) {
		case "available":
			return true, nil
		case "pending", "pendingacceptance":
			return false, fmt.Errorf("state %s", ep.State)
		default:
			return true, fmt.Errorf("endpoint is %s: %s", ep.State, vpceLastError(ep))
		}
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("wait until available: %w", err)
	}
	return k.observe(ctx, ep)
}

func vpceLastError(ep types.VpcEndpoint) string {
	if ep.LastError == nil {
		return "no reason given"
	}
	return aws.ToString(ep.LastError.Code) + ": " + aws.ToString(ep.LastError.Message)
}

// ec2Type is what the shared EC2 flows need to know of endpoints.
func (k *VPCEndpoint) ec2Type() ec2Type[types.VpcEndpoint] {
	return ec2Type[types.VpcEndpoint]{
		what: "ec2 vpc endpoint", notFound: vpceNotFound, describe: k.describe, wait: k.wait,
		id:   func(ep types.VpcEndpoint) *string { return ep.VpcEndpointId },
		tags: func(ep types.VpcEndpoint) []types.Tag { return ep.Tags },
	}
}

// describe returns the endpoints with one of ids, deleted ones included, or else those
// matching filters, leaving out deleted ones.
func (k *VPCEndpoint) describe(ctx context.Context, ids []string, filters []types.Filter) ([]types.VpcEndpoint, error) {
	pages := ec2.NewDescribeVpcEndpointsPaginator(k.api, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: ids, Filters: filters})
	return ec2DescribeAll(ctx, pages, func(o *ec2.DescribeVpcEndpointsOutput) []types.VpcEndpoint {
		var out []types.VpcEndpoint
		for _, ep := range o.VpcEndpoints {
			if !vpceGone(ep) || len(ids) > 0 {
				out = append(out, ep)
			}
		}
		return out
	}, vpceNotFound...)
}

// describeID returns one endpoint (deleted ones included), or an error wrapping
// reconcile.ErrNotFound.
func (k *VPCEndpoint) describeID(ctx context.Context, id string) (types.VpcEndpoint, error) {
	return k.ec2Type().describeID(ctx, id, awscall.Never)
}

// observe reads the endpoint and, for a Gateway, the prefix list of its service.
func (k *VPCEndpoint) observe(ctx context.Context, ep types.VpcEndpoint) (state.Resource, error) {
	tags := ec2TagMap(ep.Tags)
	owner, _ := state.OwnerOf(tags)
	id, service := aws.ToString(ep.VpcEndpointId), aws.ToString(ep.ServiceName)
	p := &spec.VPCEndpoint{
		VPC:           aws.ToString(ep.VpcId),
		Service:       k.shortService(service),
		Type:          string(ep.VpcEndpointType),
		RouteTableIDs: reconcile.SortedSet(ep.RouteTableIds),
		SubnetIDs:     reconcile.SortedSet(ep.SubnetIds),
	}
	var groups []string
	for _, g := range ep.Groups {
		groups = append(groups, aws.ToString(g.GroupId))
	}
	p.SecurityGroupIDs = reconcile.SortedSet(groups)
	prefixList := ""
	if vpceInterface(p) {
		p.PrivateDNS = aws.ToBool(ep.PrivateDnsEnabled) // meaningless for Gateway endpoints
	} else {
		var err error
		if prefixList, err = k.prefixList(ctx, service); err != nil {
			return state.Resource{}, fmt.Errorf("observe %s: %w", id, err)
		}
	}
	return state.Resource{
		Kind:  k.Kind(),
		Owner: owner,
		ID:    id,
		Name:  tags[ec2NameTag],
		Attrs: map[string]string{"id": id, "prefix_list_id": prefixList, "dns_name": vpceDNSName(ep)},
		Tags:  tags,
		Props: p,
	}, nil
}

// prefixList is the id of the AWS-managed prefix list of a Gateway endpoint's service, which
// security group rules use to allow traffic to it; "" when the endpoint has none.
func (k *VPCEndpoint) prefixList(ctx context.Context, service string) (string, error) {
	ids, err := k.prefixLists(ctx)
	if err != nil {
		return "", fmt.Errorf("find prefix list of %s: %w", service, err)
	}
	return ids[service], nil
}

// prefixLists maps the name of each of the region's AWS-managed prefix lists (a handful: one a
// Gateway service) to its id. It is one unfiltered read, made once per discovery whatever the
// number of Gateway endpoints (reconcile.Shared; the client is the region's).
func (k *VPCEndpoint) prefixLists(ctx context.Context) (map[string]string, error) {
	return reconcile.Shared(ctx, "ec2 DescribePrefixLists "+k.region, func(ctx context.Context) (map[string]string, error) {
		pages := ec2.NewDescribePrefixListsPaginator(k.api, &ec2.DescribePrefixListsInput{})
		lists, err := ec2DescribeAll(ctx, pages, func(o *ec2.DescribePrefixListsOutput) []types.PrefixList { return o.PrefixLists })
		if err != nil {
			return nil, err
		}
		ids := make(map[string]string, len(lists))
		for _, pl := range lists {
			name := aws.ToString(pl.PrefixListName)
			if _, seen := ids[name]; !seen { // the first, as a filtered read's first answer
				ids[name] = aws.ToString(pl.PrefixListId)
			}
		}
		return ids, nil
	})
}

var _ reconcile.Typed[*spec.VPCEndpoint] = (*VPCEndpoint)(nil)

// vpceDNSName is an Interface endpoint's first DNS entry (the regional name, e.g.
// vpce-0abc-1xyz.streams.dynamodb.us-east-1.vpce.amazonaws.com): the name to give clients of a
// service whose endpoint has no private DNS (DynamoDB Streams). Gateway endpoints have none.
func vpceDNSName(ep types.VpcEndpoint) string {
	if len(ep.DnsEntries) == 0 {
		return ""
	}
	return aws.ToString(ep.DnsEntries[0].DnsName)
}
