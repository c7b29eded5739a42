package kinds

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// SecurityGroupAPI is the part of *ec2.Client the ec2.security_group kind uses.
type SecurityGroupAPI interface {
	EC2TagsAPI
	ENIAPI
	CreateSecurityGroup(ctx context.Context, in *ec2.CreateSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
	AuthorizeSecurityGroupIngress(ctx context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	AuthorizeSecurityGroupEgress(ctx context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error)
	RevokeSecurityGroupIngress(ctx context.Context, in *ec2.RevokeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error)
	RevokeSecurityGroupEgress(ctx context.Context, in *ec2.RevokeSecurityGroupEgressInput, optFns ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error)
	UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput, optFns ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error)
	UpdateSecurityGroupRuleDescriptionsEgress(ctx context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsEgressInput, optFns ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput, error)
}

const (
	sgNotFound           = "InvalidGroup.NotFound"
	sgDuplicate          = "InvalidGroup.Duplicate"
	sgRuleDuplicate      = "InvalidPermission.Duplicate"
	sgRuleNotFound       = "InvalidPermission.NotFound"
	sgDefaultDescription = "Managed by provisioner" // AWS requires a description
)

// SecurityGroup is the ec2.security_group kind. Its physical name is the group name, unique
// per VPC: CreateSecurityGroup answering InvalidGroup.Duplicate is how an earlier attempt is
// found (adopted when it carries our tags, refused when not).
//
// Rules are reconciled as sets of atomic rules (one protocol and port range, one peer):
// missing ones are authorized, extra ones revoked (a new group's default allow-all egress
// included, unless the spec lists it), and changed descriptions updated in place.
//
// Replacement: vpc, description (AWS cannot change either). In place: ingress, egress, tags.
type SecurityGroup struct {
	api            SecurityGroupAPI
	wait           reconcile.Backoff
	dependencyWait reconcile.Backoff // DeleteSecurityGroup while Lambda network interfaces linger
}

// NewSecurityGroup returns the ec2.security_group kind.
func NewSecurityGroup(api SecurityGroupAPI) *SecurityGroup {
	return &SecurityGroup{api: api, wait: reconcile.DefaultBackoff, dependencyWait: ec2DependencyBackoff}
}

// Kind implements reconcile.Typed.
func (k *SecurityGroup) Kind() string { return "ec2.security_group" }

// Diff implements reconcile.Typed. Rules compare as sets of normalised atomic rules, so the
// spec may group CIDRs into rules any way it likes.
func (k *SecurityGroup) Diff(d reconcile.Want[*spec.SecurityGroup], live reconcile.Have[*spec.SecurityGroup]) []reconcile.FieldDiff {
	got, want := live.Props, d.Props
	var diffs reconcile.Diffs
	diffs.ForceNew("vpc", got.VPC, want.VPC)
	diffs.ForceNew("description", got.Description, sgDescription(want.Description))
	diffs.Set("ingress", sgStrings(sgPermsFromSpec(got.Ingress)), sgStrings(sgPermsFromSpec(want.Ingress)))
	diffs.Set("egress", sgStrings(sgPermsFromSpec(got.Egress)), sgStrings(sgPermsFromSpec(want.Egress)))
	return diffs
}

func sgDescription(s string) string {
	if s == "" {
		return sgDefaultDescription
	}
	return s
}

// List implements reconcile.Typed.
func (k *SecurityGroup) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return k.ec2Type().list(ctx, sel, ec2Read(k.observe))
}

// Create implements reconcile.Typed.
func (k *SecurityGroup) Create(ctx context.Context, d reconcile.Want[*spec.SecurityGroup]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) { return k.tryCreate(ctx, d) })
}

// tryCreate is one attempt of Create: adopt an earlier attempt if there is one, else send the
// create call once (awscall.Once), whose unknown outcome Settle settles by trying again.
func (k *SecurityGroup) tryCreate(ctx context.Context, d reconcile.Want[*spec.SecurityGroup]) (state.Resource, error) {
	p := d.Props
	out, err := awscall.Call(awscall.Once(ctx), func(ctx context.Context) (*ec2.CreateSecurityGroupOutput, error) {
		return k.api.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName:         aws.String(sgGroupName(d.Desired)),
			Description:       aws.String(sgDescription(p.Description)),
			VpcId:             aws.String(p.VPC),
			TagSpecifications: ec2TagSpec(types.ResourceTypeSecurityGroup, ec2WantTags(d.Desired)),
		})
	})
	if awscall.Is(err, sgDuplicate) {
		return k.adopt(ctx, d, p, err)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 security group %s: %w", d.Name, err)
	}
	id := aws.ToString(out.GroupId)
	fresh := ec2FreshRetry(sgNotFound)
	r, err := k.observeID(ctx, id, fresh)
	var got reconcile.Have[*spec.SecurityGroup]
	if err == nil {
		got, err = reconcile.HaveOf[spec.SecurityGroup](k.Kind(), r)
	}
	if err == nil {
		err = k.syncRules(ctx, id, got.Props, p, fresh)
	}
	if err == nil {
		r, err = k.observeID(ctx, id, fresh)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 security group %s (%s): %w", d.Name, id, err)
	}
	return r, nil
}

// adopt takes over the group of d's name in d's VPC when it carries d's ownership tags, and
// refuses it, untouched, when not.
func (k *SecurityGroup) adopt(ctx context.Context, d reconcile.Want[*spec.SecurityGroup], p *spec.SecurityGroup, dup error) (state.Resource, error) {
	groups, err := k.describe(ctx, nil, []types.Filter{ec2Filter("vpc-id", p.VPC), ec2Filter("group-name", sgGroupName(d.Desired))})
	if err == nil && len(groups) == 0 {
		err = dup // deleted since: let the next run create it
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ec2 security group %s: %w", d.Name, err)
	}
	g := groups[0]
	if tags := ec2TagMap(g.Tags); !d.Owner.Owns(tags) {
		return state.Resource{}, fmt.Errorf("create %w", ec2NotOwned("ec2 security group "+d.Name+" in "+p.VPC, aws.ToString(g.GroupId), tags))
	}
	return ec2Adopt(ctx, k, "ec2 security group", d, k.observe(g))
}

// Update implements reconcile.Typed.
func (k *SecurityGroup) Update(ctx context.Context, d reconcile.Want[*spec.SecurityGroup], live reconcile.Have[*spec.SecurityGroup], _ reconcile.Changes) (state.Resource, error) {
	return ec2Update(ctx, k.api, "ec2 security group", d.Desired, live.Resource, func() error {
		return k.syncRules(ctx, live.ID, live.Props, d.Props, awscall.Never)
	}, func(ctx context.Context) (state.Resource, error) {
		return k.observeID(ctx, live.ID, awscall.Never)
	})
}

// Delete implements reconcile.Typed. It re-reads the group's tags first, revokes the group's
// own rules that name other groups (so that their deletes need not wait for this one), then
// waits out DependencyViolation for up to the dependency budget: a VPC Lambda's network
// interfaces keep its groups busy for tens of minutes after the function is deleted.
func (k *SecurityGroup) Delete(ctx context.Context, live state.Resource) error {
	return k.ec2Type().deleteOwned(ctx, live, k.revokeReferences, func(ctx context.Context) error {
		return awscall.Send(ctx, k.api.DeleteSecurityGroup, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(live.ID)})
	})
}

// revokeReferences revokes g's rules whose peer is another group, one rule at a time: a peer
// deleted meanwhile (destroy deletes unrelated groups concurrently) took its references with
// it, and AWS answers InvalidGroup.NotFound for that rule alone.
func (k *SecurityGroup) revokeReferences(ctx context.Context, g types.SecurityGroup) error {
	id := aws.ToString(g.GroupId)
	others := func(perms []sgPerm) []sgPerm {
		return slices.DeleteFunc(perms, func(p sgPerm) bool { return p.peer != sgPeerGroup || p.target == id })
	}
	for _, dir := range []struct {
		ingress bool
		perms   []types.IpPermission
	}{{true, g.IpPermissions}, {false, g.IpPermissionsEgress}} {
		for _, p := range others(sgPermsFromAWS(dir.perms)) {
			err := k.revoke(ctx, id, dir.ingress, []sgPerm{p}, awscall.Never)
			if err != nil && !awscall.Is(err, sgNotFound) {
				return err
			}
		}
	}
	return nil
}

// ec2Type is what the shared EC2 flows need to know of security groups.
func (k *SecurityGroup) ec2Type() ec2Type[types.SecurityGroup] {
	return ec2Type[types.SecurityGroup]{
		what: "ec2 security group", notFound: []string{sgNotFound}, describe: k.describe,
		wait: k.wait, deps: k.dependencyWait, enis: lambdaENIs{api: k.api, filter: "group-id"},
		id:   func(g types.SecurityGroup) *string { return g.GroupId },
		tags: func(g types.SecurityGroup) []types.Tag { return g.Tags },
	}
}

// describe returns every group with one of ids (any when there are none) matching filters.
func (k *SecurityGroup) describe(ctx context.Context, ids []string, filters []types.Filter) ([]types.SecurityGroup, error) {
	pages := ec2.NewDescribeSecurityGroupsPaginator(k.api, &ec2.DescribeSecurityGroupsInput{GroupIds: ids, Filters: filters})
	return ec2DescribeAll(ctx, pages, func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups }, sgNotFound)
}

func (k *SecurityGroup) observeID(ctx context.Context, id string, retry func(error) bool) (state.Resource, error) {
	return k.ec2Type().observeID(ctx, id, retry, ec2Read(k.observe))
}

// sgGroupName is the group name Create gives d: its physical name, or, for a create-first
// replacement (which shares the old group's VPC, where names are unique), the replacement name.
func sgGroupName(d reconcile.Desired) string {
	if d.Replaces != "" {
		return reconcile.ReplacementName(d.Name, d.Replaces)
	}
	return d.Name
}

// observe reads a group. Its name is the spec's (the Name tag) when the group name is that or
// its replacement name, so a replaced group is not replaced again for its name.
func (k *SecurityGroup) observe(g types.SecurityGroup) state.Resource {
	tags := ec2TagMap(g.Tags)
	owner, _ := state.OwnerOf(tags)
	id, name := aws.ToString(g.GroupId), aws.ToString(g.GroupName)
	return state.Resource{
		Kind:  k.Kind(),
		Owner: owner,
		ID:    id,
		Name:  reconcile.BaseName(name, tags[ec2NameTag]),
		Attrs: map[string]string{"id": id, "arn": aws.ToString(g.SecurityGroupArn), "name": name},
		Tags:  tags,
		Props: &spec.SecurityGroup{
			VPC:         aws.ToString(g.VpcId),
			Description: aws.ToString(g.Description),
			Ingress:     sgRulesFromPerms(sgPermsFromAWS(g.IpPermissions)),
			Egress:      sgRulesFromPerms(sgPermsFromAWS(g.IpPermissionsEgress)),
		},
	}
}

// ---- rules ----

// syncRules brings the group's rules from got to want, direction by direction: authorize the
// missing, update changed descriptions, then revoke the extra, so traffic the spec allows is
// never cut off in between.
func (k *SecurityGroup) syncRules(ctx context.Context, id string, got, want *spec.SecurityGroup, retry func(error) bool) error {
	// The two directions are apart in the API and in effect, so they go at once; within one,
	// what is added goes before what is removed, so that no moment allows less than both.
	sync := func(ingress bool, got, want []spec.SGRule) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			add, redescribe, remove := sgPlan(sgPermsFromSpec(got), sgPermsFromSpec(want))
			if err := k.authorize(ctx, id, ingress, add, retry); err != nil {
				return err
			}
			if err := k.updateDescriptions(ctx, id, ingress, redescribe, retry); err != nil {
				return err
			}
			return k.revoke(ctx, id, ingress, remove, retry)
		}
	}
	return awscall.All(ctx, sync(true, got.Ingress, want.Ingress), sync(false, got.Egress, want.Egress))
}

// sgPlan compares rules by identity (everything but the description): add what want has and
// got lacks, redescribe what both have with another description, remove what only got has.
func sgPlan(got, want []sgPerm) (add, redescribe, remove []sgPerm) {
	have := map[string]sgPerm{}
	for _, p := range got {
		have[p.key()] = p
	}
	wanted := map[string]bool{}
	for _, p := range want {
		wanted[p.key()] = true
		switch h, ok := have[p.key()]; {
		case !ok:
			add = append(add, p)
		case h.desc != p.desc:
			redescribe = append(redescribe, p)
		}
	}
	for _, p := range got {
		if !wanted[p.key()] {
			remove = append(remove, p)
		}
	}
	return add, redescribe, remove
}

func (k *SecurityGroup) authorize(ctx context.Context, id string, ingress bool, perms []sgPerm, retry func(error) bool) error {
	return k.apply(ctx, "authorize", ingress, perms, sgRuleDuplicate, retry, func(ctx context.Context, ps []types.IpPermission) error {
		if ingress {
			return awscall.Send(ctx, k.api.AuthorizeSecurityGroupIngress, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: ps})
		}
		return awscall.Send(ctx, k.api.AuthorizeSecurityGroupEgress, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: ps})
	})
}

func (k *SecurityGroup) revoke(ctx context.Context, id string, ingress bool, perms []sgPerm, retry func(error) bool) error {
	return k.apply(ctx, "revoke", ingress, perms, sgRuleNotFound, retry, func(ctx context.Context, ps []types.IpPermission) error {
		if ingress {
			return awscall.Send(ctx, k.api.RevokeSecurityGroupIngress, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: ps})
		}
		return awscall.Send(ctx, k.api.RevokeSecurityGroupEgress, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: ps})
	})
}

func (k *SecurityGroup) updateDescriptions(ctx context.Context, id string, ingress bool, perms []sgPerm, retry func(error) bool) error {
	return k.apply(ctx, "update descriptions of", ingress, perms, "", retry, func(ctx context.Context, ps []types.IpPermission) error {
		if ingress {
			return awscall.Send(ctx, k.api.UpdateSecurityGroupRuleDescriptionsIngress, &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(id), IpPermissions: ps})
		}
		return awscall.Send(ctx, k.api.UpdateSecurityGroupRuleDescriptionsEgress, &ec2.UpdateSecurityGroupRuleDescriptionsEgressInput{GroupId: aws.String(id), IpPermissions: ps})
	})
}

// apply sends perms in one call (waiting out what retry accepts). When AWS refuses the batch
// because one rule is already as wanted (the code settled: a duplicate on authorize, a missing
// rule on revoke, after a race or an interrupted run), it sends them one by one, skipping
// those.
func (k *SecurityGroup) apply(ctx context.Context, op string, ingress bool, perms []sgPerm, settled string, retry func(error) bool, send func(context.Context, []types.IpPermission) error) error {
	if len(perms) == 0 {
		return nil
	}
	do := func(ps []sgPerm) error {
		return k.wait.Retry(ctx, retry, func(ctx context.Context) error { return send(ctx, sgIPPermissions(ps)) })
	}
	err := do(perms)
	if settled != "" && awscall.Is(err, settled) {
		err = nil
		for i := 0; len(perms) > 1 && i < len(perms) && err == nil; i++ {
			if err = do(perms[i : i+1]); awscall.Is(err, settled) {
				err = nil
			}
		}
	}
	if err != nil {
		dir := "egress"
		if ingress {
			dir = "ingress"
		}
		return fmt.Errorf("%s %s rules %s: %w", op, dir, strings.Join(sgStrings(perms), "; "), err)
	}
	return nil
}

// sgPerm is one atomic rule: one protocol and port range, one peer. Both the spec's rules and
// AWS's IpPermissions break down into these, so that they compare however either groups them.
type sgPerm struct {
	protocol string // "-1" (all), tcp, udp, icmp, icmpv6 or a protocol number
	from, to int32  // -1 for all
	peer     string // sgPeerCIDR, sgPeerGroup or sgPeerPrefixList
	target   string // the CIDR, group id or prefix list id
	desc     string
}

const (
	sgPeerCIDR       = "cidr"
	sgPeerGroup      = "security_group"
	sgPeerPrefixList = "prefix_list"
)

// key is the rule's identity in AWS: everything but the description.
func (p sgPerm) key() string {
	ports := ""
	if p.protocol != "-1" {
		ports = fmt.Sprintf(" %d-%d", p.from, p.to)
	}
	return fmt.Sprintf("%s%s %s %s", sgProtocolName(p.protocol), ports, p.peer, p.target)
}

// String is how a rule shows in a diff, e.g. `tcp 443-443 cidr 10.0.0.0/16 "https"`.
func (p sgPerm) String() string {
	if p.desc == "" {
		return p.key()
	}
	return p.key() + " " + strconv.Quote(p.desc)
}

func sgStrings(perms []sgPerm) []string {
	out := make([]string, len(perms))
	for i, p := range perms {
		out[i] = p.String()
	}
	return out
}

// sgNormProtocol maps the spellings AWS accepts for one protocol to one: all and -1; names for
// the common numbers.
func sgNormProtocol(s string) string {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "all", "-1":
		return "-1"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	return s
}

// sgProtocolName is the spec's spelling of a normalised protocol.
func sgProtocolName(p string) string {
	if p == "-1" {
		return "all"
	}
	return p
}

func sgNewPerm(protocol string, from, to int32, peer, target, desc string) sgPerm {
	protocol = sgNormProtocol(protocol)
	if protocol == "-1" { // AWS ignores the ports of all-protocol rules
		from, to = -1, -1
	}
	return sgPerm{protocol: protocol, from: from, to: to, peer: peer, target: target, desc: desc}
}

// sgSorted sorts perms and drops exact duplicates.
func sgSorted(perms []sgPerm) []sgPerm {
	slices.SortFunc(perms, func(a, b sgPerm) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(perms)
}

func sgPermsFromSpec(rules []spec.SGRule) []sgPerm {
	var out []sgPerm
	for _, r := range rules {
		from, to := int32(r.FromPort), int32(r.ToPort)
		for _, c := range r.CIDRs {
			out = append(out, sgNewPerm(r.Protocol, from, to, sgPeerCIDR, c, r.Description))
		}
		if r.SourceSecurityGroup != "" {
			out = append(out, sgNewPerm(r.Protocol, from, to, sgPeerGroup, r.SourceSecurityGroup, r.Description))
		}
		if r.PrefixList != "" {
			out = append(out, sgNewPerm(r.Protocol, from, to, sgPeerPrefixList, r.PrefixList, r.Description))
		}
	}
	return sgSorted(out)
}

func sgPermsFromAWS(perms []types.IpPermission) []sgPerm {
	var out []sgPerm
	for _, p := range perms {
		proto := aws.ToString(p.IpProtocol)
		from, to := int32(-1), int32(-1)
		if p.FromPort != nil {
			from = *p.FromPort
		}
		if p.ToPort != nil {
			to = *p.ToPort
		}
		add := func(peer, target string, desc *string) {
			out = append(out, sgNewPerm(proto, from, to, peer, target, aws.ToString(desc)))
		}
		for _, r := range p.IpRanges {
			add(sgPeerCIDR, aws.ToString(r.CidrIp), r.Description)
		}
		for _, r := range p.Ipv6Ranges {
			add(sgPeerCIDR, aws.ToString(r.CidrIpv6), r.Description)
		}
		for _, g := range p.UserIdGroupPairs {
			add(sgPeerGroup, aws.ToString(g.GroupId), g.Description)
		}
		for _, l := range p.PrefixListIds {
			add(sgPeerPrefixList, aws.ToString(l.PrefixListId), l.Description)
		}
	}
	return sgSorted(out)
}

// sgRulesFromPerms is the spec form of observed rules: CIDRs sharing protocol, ports and
// description make one rule; every group and prefix-list peer its own.
func sgRulesFromPerms(perms []sgPerm) []spec.SGRule {
	var out []spec.SGRule
	cidrRule := map[string]int{} // protocol, ports, description -> index in out
	for _, p := range perms {
		r := spec.SGRule{Protocol: sgProtocolName(p.protocol), FromPort: int(p.from), ToPort: int(p.to), Description: p.desc}
		switch p.peer {
		case sgPeerCIDR:
			key := fmt.Sprintf("%s %d %d %q", p.protocol, p.from, p.to, p.desc)
			if i, ok := cidrRule[key]; ok {
				out[i].CIDRs = append(out[i].CIDRs, p.target)
				continue
			}
			cidrRule[key] = len(out)
			r.CIDRs = []string{p.target}
		case sgPeerGroup:
			r.SourceSecurityGroup = p.target
		case sgPeerPrefixList:
			r.PrefixList = p.target
		}
		out = append(out, r)
	}
	return out
}

// sgIPPermissions is the API form of perms, one IpPermission each.
func sgIPPermissions(perms []sgPerm) []types.IpPermission {
	out := make([]types.IpPermission, 0, len(perms))
	for _, p := range perms {
		ip := types.IpPermission{IpProtocol: aws.String(p.protocol)}
		if p.protocol != "-1" {
			ip.FromPort, ip.ToPort = aws.Int32(p.from), aws.Int32(p.to)
		}
		var desc *string
		if p.desc != "" {
			desc = aws.String(p.desc)
		}
		switch {
		case p.peer == sgPeerCIDR && strings.Contains(p.target, ":"):
			ip.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(p.target), Description: desc}}
		case p.peer == sgPeerCIDR:
			ip.IpRanges = []types.IpRange{{CidrIp: aws.String(p.target), Description: desc}}
		case p.peer == sgPeerGroup:
			ip.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(p.target), Description: desc}}
		case p.peer == sgPeerPrefixList:
			ip.PrefixListIds = []types.PrefixListId{{PrefixListId: aws.String(p.target), Description: desc}}
		}
		out = append(out, ip)
	}
	return out
}

var _ reconcile.Typed[*spec.SecurityGroup] = (*SecurityGroup)(nil)
