package kinds

import (
	"context"
	"slices"
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

// ---- unit tests ----

func newTestSG(f *fakeEC2) *SecurityGroup {
	k := NewSecurityGroup(f)
	k.wait, k.dependencyWait = reconcile.InstantBackoff, reconcile.InstantBackoff
	return k
}

var sgAllowAllEgress = types.IpPermission{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}

func testSecurityGroupObject(id string, tags []types.Tag, ingress ...types.IpPermission) types.SecurityGroup {
	return types.SecurityGroup{
		GroupId: aws.String(id), GroupName: aws.String("web-u1"), VpcId: aws.String("vpc-1"),
		Description: aws.String("web"), SecurityGroupArn: aws.String("arn:aws:ec2:eu-west-1:111122223333:security-group/" + id),
		Tags: tags, IpPermissions: ingress, IpPermissionsEgress: []types.IpPermission{sgAllowAllEgress},
	}
}

// sgFake answers describes from groups (ignoring filters other than ids) and accepts every
// rule change, recording them.
func sgFake(groups ...types.SecurityGroup) *fakeEC2 {
	f := &fakeEC2{}
	f.describeSecurityGroups = func(in *ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) {
		return ec2FakeDescribe(groups, func(g types.SecurityGroup) *string { return g.GroupId }, in.GroupIds, sgNotFound,
			func(found []types.SecurityGroup) *ec2.DescribeSecurityGroupsOutput {
				return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: found}
			})
	}
	return f
}

func sgWebProps(ingress, egress []spec.SGRule) *spec.SecurityGroup {
	return &spec.SecurityGroup{VPC: "vpc-1", Description: "web", Ingress: ingress, Egress: egress}
}

var sgHTTPS = spec.SGRule{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"10.0.0.0/8"}, Description: "https"}

func TestSecurityGroupDiff(t *testing.T) {
	live := sgWebProps(
		[]spec.SGRule{{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"10.0.0.0/8", "172.16.0.0/12"}}},
		[]spec.SGRule{{Protocol: "all", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}}},
	)
	tests := []struct {
		name     string
		want     *spec.SecurityGroup
		path     string
		forceNew bool
	}{
		{"no change", live, "", false},
		{"same rules grouped and spelled differently", sgWebProps(
			[]spec.SGRule{
				{Protocol: "TCP", FromPort: 443, ToPort: 443, CIDRs: []string{"172.16.0.0/12"}},
				{Protocol: "6", FromPort: 443, ToPort: 443, CIDRs: []string{"10.0.0.0/8", "10.0.0.0/8"}},
			},
			[]spec.SGRule{{Protocol: "-1", FromPort: 0, ToPort: 65535, CIDRs: []string{"0.0.0.0/0"}}},
		), "", false},
		{"ingress", sgWebProps([]spec.SGRule{sgHTTPS}, live.Egress), "ingress", false},
		{"ingress description", sgWebProps([]spec.SGRule{{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"10.0.0.0/8", "172.16.0.0/12"}, Description: "x"}}, live.Egress), "ingress", false},
		{"egress", sgWebProps(live.Ingress, nil), "egress", false},
		{"vpc", &spec.SecurityGroup{VPC: "vpc-2", Description: "web", Ingress: live.Ingress, Egress: live.Egress}, "vpc", true},
		{"description", &spec.SecurityGroup{VPC: "vpc-1", Description: "api", Ingress: live.Ingress, Egress: live.Egress}, "description", true},
	}
	k := newTestSG(&fakeEC2{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ec2CheckDiff(t, tk[spec.SecurityGroup](k), tt.want, live, tt.path, tt.forceNew)
		})
	}
}

func TestSecurityGroupDiffDefaultDescription(t *testing.T) {
	live := &spec.SecurityGroup{VPC: "vpc-1", Description: sgDefaultDescription}
	diffs := tk[spec.SecurityGroup](newTestSG(&fakeEC2{})).Diff(reconcile.Desired{Props: &spec.SecurityGroup{VPC: "vpc-1"}}, state.Resource{Props: live})
	assert.Empty(t, diffs, "an empty description is the default one AWS was given")
}

func TestSecurityGroupObservesRulesInSpecForm(t *testing.T) {
	perms := []types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			IpRanges:   []types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("https")}, {CidrIp: aws.String("172.16.0.0/12"), Description: aws.String("https")}},
			Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0"), Description: aws.String("https")}}},
		{IpProtocol: aws.String("6"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-app"), UserId: aws.String("111122223333")}},
			PrefixListIds:    []types.PrefixListId{{PrefixListId: aws.String("pl-s3")}}},
		sgAllowAllEgress,
	}
	got := sgRulesFromPerms(sgPermsFromAWS(perms))
	assert.Equal(t, []spec.SGRule{
		{Protocol: "all", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"10.0.0.0/8", "172.16.0.0/12", "::/0"}, Description: "https"},
		{Protocol: "tcp", FromPort: 5432, ToPort: 5432, PrefixList: "pl-s3"},
		{Protocol: "tcp", FromPort: 5432, ToPort: 5432, SourceSecurityGroup: "sg-app"},
	}, got)
	// And back: the API form of the observed rules is the same set.
	assert.Equal(t, sgPermsFromAWS(perms), sgPermsFromAWS(sgIPPermissions(sgPermsFromSpec(got))))
}

func TestSecurityGroupCreateRevokesDefaultEgress(t *testing.T) {
	f := sgFake(testSecurityGroupObject("sg-new", ec2OwnedTags(ec2UnitOwner, "web-u1")))
	var createIn *ec2.CreateSecurityGroupInput
	f.createSecurityGroup = func(in *ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) {
		createIn = in
		return &ec2.CreateSecurityGroupOutput{GroupId: aws.String("sg-new")}, nil
	}
	var authorized, revoked []types.IpPermission
	f.authorizeSecurityGroupIngress = func(in *ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
		authorized = append(authorized, in.IpPermissions...)
		return &ec2.AuthorizeSecurityGroupIngressOutput{}, nil
	}
	f.revokeSecurityGroupEgress = func(in *ec2.RevokeSecurityGroupEgressInput) (*ec2.RevokeSecurityGroupEgressOutput, error) {
		revoked = append(revoked, in.IpPermissions...)
		return &ec2.RevokeSecurityGroupEgressOutput{}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2UnitOwner.Tags(), Props: &spec.SecurityGroup{VPC: "vpc-1", Ingress: []spec.SGRule{sgHTTPS}}}
	_, err := tk[spec.SecurityGroup](newTestSG(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, sgDefaultDescription, aws.ToString(createIn.Description), "AWS requires a description")
	assert.Equal(t, types.ResourceTypeSecurityGroup, createIn.TagSpecifications[0].ResourceType)
	assert.Equal(t, []string{`tcp 443-443 cidr 10.0.0.0/8 "https"`}, sgStrings(sgPermsFromAWS(authorized)))
	assert.Equal(t, []string{"all cidr 0.0.0.0/0"}, sgStrings(sgPermsFromAWS(revoked)), "the default allow-all egress is not in the spec")
	assert.Zero(t, f.count("AuthorizeSecurityGroupEgress"))
}

func TestSecurityGroupCreateWaitsForTheNewGroup(t *testing.T) {
	f := sgFake(testSecurityGroupObject("sg-new", ec2OwnedTags(ec2UnitOwner, "web-u1")))
	f.createSecurityGroup = func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) {
		return &ec2.CreateSecurityGroupOutput{GroupId: aws.String("sg-new")}, nil
	}
	f.authorizeSecurityGroupIngress = func(*ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
		if f.count("AuthorizeSecurityGroupIngress") < 3 {
			return nil, ec2APIErr(sgNotFound)
		}
		return &ec2.AuthorizeSecurityGroupIngressOutput{}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2UnitOwner.Tags(),
		Props: sgWebProps([]spec.SGRule{sgHTTPS}, []spec.SGRule{{Protocol: "all", CIDRs: []string{"0.0.0.0/0"}}})}
	_, err := tk[spec.SecurityGroup](newTestSG(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 3, f.count("AuthorizeSecurityGroupIngress"))
	assert.Zero(t, f.count("RevokeSecurityGroupEgress"), "the spec keeps the default egress")
}

func TestSecurityGroupCreateAdoptsOursOnDuplicate(t *testing.T) {
	f := sgFake(testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1")))
	f.createSecurityGroup = func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) {
		return nil, ec2APIErr(sgDuplicate)
	}
	f.authorizeSecurityGroupIngress = func(*ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
		return &ec2.AuthorizeSecurityGroupIngressOutput{}, nil
	}
	f.createTags = func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) { return &ec2.CreateTagsOutput{}, nil }
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2WithUserTag(ec2UnitOwner),
		Props: sgWebProps([]spec.SGRule{sgHTTPS}, []spec.SGRule{{Protocol: "all", CIDRs: []string{"0.0.0.0/0"}}})}
	got, err := tk[spec.SecurityGroup](newTestSG(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "sg-1", got.ID)
	assert.Equal(t, 1, f.count("AuthorizeSecurityGroupIngress"), "adopted and brought to the spec")
	assert.Equal(t, 1, f.count("CreateTags"))
}

func TestSecurityGroupCreateRefusesForeignNamesake(t *testing.T) {
	for name, tags := range map[string][]types.Tag{
		"untagged":       nil,
		"another suffix": ec2OwnedTags(state.Owner{Stack: "unit", Suffix: "u2", ID: "net"}, "web-u1"),
	} {
		t.Run(name, func(t *testing.T) {
			f := sgFake(testSecurityGroupObject("sg-theirs", tags))
			f.createSecurityGroup = func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error) {
				return nil, ec2APIErr(sgDuplicate)
			}
			d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2UnitOwner.Tags(), Props: sgWebProps([]spec.SGRule{sgHTTPS}, nil)}
			_, err := tk[spec.SecurityGroup](newTestSG(f)).Create(context.Background(), d)
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "sg-theirs")
			assert.Equal(t, []string{"CreateSecurityGroup", "DescribeSecurityGroups"}, []string(f.calls), "nothing changed")
		})
	}
}

func TestSecurityGroupAuthorizeSkipsRulesAlreadyThere(t *testing.T) {
	f := sgFake(testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1")))
	var singles []string
	f.authorizeSecurityGroupIngress = func(in *ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
		if len(in.IpPermissions) > 1 {
			return nil, ec2APIErr(sgRuleDuplicate) // the batch fails as a whole
		}
		rule := sgPermsFromAWS(in.IpPermissions)[0].String()
		singles = append(singles, rule)
		if rule == `tcp 443-443 cidr 10.0.0.0/8 "https"` {
			return nil, ec2APIErr(sgRuleDuplicate)
		}
		return &ec2.AuthorizeSecurityGroupIngressOutput{}, nil
	}
	k := newTestSG(f)
	live := k.observe(testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1")))
	ssh := spec.SGRule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: []string{"10.1.0.0/16"}}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2TagMap(ec2OwnedTags(ec2UnitOwner, "web-u1")),
		Props: sgWebProps([]spec.SGRule{sgHTTPS, ssh}, []spec.SGRule{{Protocol: "all", CIDRs: []string{"0.0.0.0/0"}}})}
	_, err := tk[spec.SecurityGroup](k).Update(context.Background(), d, live)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{`tcp 443-443 cidr 10.0.0.0/8 "https"`, "tcp 22-22 cidr 10.1.0.0/16"}, singles)
}

func TestSecurityGroupRevokeSkipsRulesAlreadyGone(t *testing.T) {
	f := sgFake(testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1")))
	f.revokeSecurityGroupEgress = func(*ec2.RevokeSecurityGroupEgressInput) (*ec2.RevokeSecurityGroupEgressOutput, error) {
		return nil, ec2APIErr(sgRuleNotFound) // revoked by an interrupted earlier run
	}
	k := newTestSG(f)
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2TagMap(ec2OwnedTags(ec2UnitOwner, "web-u1")), Props: sgWebProps(nil, nil)}
	_, err := tk[spec.SecurityGroup](k).Update(context.Background(), d, k.observe(testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1"))))
	require.NoError(t, err)
	assert.Equal(t, 1, f.count("RevokeSecurityGroupEgress"))
}

func TestSecurityGroupUpdatesRuleDescriptionsInPlace(t *testing.T) {
	group := testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1"), types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("old")}},
	})
	f := sgFake(group)
	var updated []types.IpPermission
	f.updateSecurityGroupRuleDescriptionsIngress = func(in *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
		updated = in.IpPermissions
		return &ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput{}, nil
	}
	k := newTestSG(f)
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "web-u1", Tags: ec2TagMap(ec2OwnedTags(ec2UnitOwner, "web-u1")),
		Props: sgWebProps([]spec.SGRule{sgHTTPS}, []spec.SGRule{{Protocol: "all", CIDRs: []string{"0.0.0.0/0"}}})}
	_, err := tk[spec.SecurityGroup](k).Update(context.Background(), d, k.observe(group))
	require.NoError(t, err)
	assert.Equal(t, []string{`tcp 443-443 cidr 10.0.0.0/8 "https"`}, sgStrings(sgPermsFromAWS(updated)))
	assert.Zero(t, f.count("AuthorizeSecurityGroupIngress")+f.count("RevokeSecurityGroupIngress"), "no gap in between")
}

func TestSecurityGroupListKeepsOnlyOurs(t *testing.T) {
	other := ec2UnitOwner
	other.Suffix = "u2"
	f := sgFake(
		testSecurityGroupObject("sg-ours", ec2OwnedTags(ec2UnitOwner, "web-u1")),
		testSecurityGroupObject("sg-untagged", nil),
		testSecurityGroupObject("sg-other", ec2OwnedTags(other, "web-u2")),
	)
	got, err := newTestSG(f).List(context.Background(), state.Selector{Suffix: "u1"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "sg-ours", got[0].ID)
	assert.Equal(t, "web-u1", got[0].Name)
	assert.Equal(t, map[string]string{"id": "sg-ours", "name": "web-u1", "arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-ours"}, got[0].Attrs)
}

func TestSecurityGroupDeleteToleratesNotFound(t *testing.T) {
	f := sgFake()
	ec2CheckDeleteGone(t, newTestSG(f), f, "sg-gone", "DeleteSecurityGroup")
}

func TestSecurityGroupDeleteRevokesReferencesThenWaits(t *testing.T) {
	group := testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1"), types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-lb")}, {GroupId: aws.String("sg-1")}},
		IpRanges:         []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}},
	})
	f := sgFake(group)
	describe := f.describeSecurityGroups
	f.describeSecurityGroups = func(in *ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) {
		if f.count("DeleteSecurityGroup") == 3 {
			return nil, ec2APIErr(sgNotFound)
		}
		return describe(in)
	}
	var revoked []types.IpPermission
	f.revokeSecurityGroupIngress = func(in *ec2.RevokeSecurityGroupIngressInput) (*ec2.RevokeSecurityGroupIngressOutput, error) {
		revoked = in.IpPermissions
		return &ec2.RevokeSecurityGroupIngressOutput{}, nil
	}
	f.deleteSecurityGroup = func(*ec2.DeleteSecurityGroupInput) (*ec2.DeleteSecurityGroupOutput, error) {
		if f.count("DeleteSecurityGroup") < 3 {
			return nil, ec2APIErr(ec2DependencyViolation) // a Lambda's ENI still uses the group
		}
		return &ec2.DeleteSecurityGroupOutput{}, nil
	}
	k := newTestSG(f)
	var progress []string
	ctx := reconcile.WithReporter(context.Background(), func(msg string) { progress = append(progress, msg) })
	require.NoError(t, k.Delete(ctx, state.Resource{ID: "sg-1", Owner: ec2UnitOwner}))
	assert.Equal(t, []string{"tcp 443-443 security_group sg-lb"}, sgStrings(sgPermsFromAWS(revoked)), "only rules naming other groups")
	assert.Equal(t, 3, f.count("DeleteSecurityGroup"))
	assert.Len(t, progress, 2)
	assert.Less(t, slices.Index(f.calls, "RevokeSecurityGroupIngress"), slices.Index(f.calls, "DeleteSecurityGroup"))
}

func TestSecurityGroupDeleteRefusesForeignTags(t *testing.T) {
	f := sgFake(testSecurityGroupObject("sg-1", nil))
	err := newTestSG(f).Delete(context.Background(), state.Resource{ID: "sg-1", Owner: ec2UnitOwner})
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Equal(t, []string{"DescribeSecurityGroups"}, []string(f.calls))
}

func TestSecurityGroupDefaultDependencyBudget(t *testing.T) {
	k := NewSecurityGroup(&fakeEC2{})
	assert.GreaterOrEqual(t, k.dependencyWait.Budget.Minutes(), 45.0, "Lambda ENIs hold groups for tens of minutes")
}

// ---- against the emulator ----

func TestSecurityGroupLifecycle(t *testing.T) {
	api, _ := testEC2(t)
	vpc := testVPC(t, api, "10.42.0.0/16")
	k := NewSecurityGroup(api)
	o := testOwner(t, "web")
	props := func(egress ...spec.SGRule) *spec.SecurityGroup {
		return &spec.SecurityGroup{VPC: vpc, Description: "web tier", Ingress: []spec.SGRule{
			{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"10.0.0.0/8", "192.168.0.0/16"}, Description: "https"},
		}, Egress: egress}
	}
	d := desired(o, "web-"+o.Suffix, props(spec.SGRule{Protocol: "all", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}}))
	checkLifecycle(t, tk[spec.SecurityGroup](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = props(spec.SGRule{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: []string{"0.0.0.0/0"}})
		return d
	})
}

func TestSecurityGroupPeersAgainstEmulator(t *testing.T) {
	api, region := testEC2(t)
	ctx := context.Background()
	vpc := testVPC(t, api, "10.47.0.0/16")
	lb := testSecurityGroup(t, api, vpc, "lb")
	pls, err := api.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{Filters: []types.Filter{ec2Filter("prefix-list-name", "com.amazonaws."+region+".s3")}})
	require.NoError(t, err)
	require.NotEmpty(t, pls.PrefixLists, "the emulator serves the S3 prefix list")
	s3 := aws.ToString(pls.PrefixLists[0].PrefixListId)

	k := NewSecurityGroup(api)
	o := testOwner(t, "app")
	d := desired(o, "app-"+o.Suffix, &spec.SecurityGroup{VPC: vpc, // no description: the default
		Ingress: []spec.SGRule{
			{Protocol: "tcp", FromPort: 8080, ToPort: 8080, SourceSecurityGroup: lb, Description: "from lb"},
			{Protocol: "tcp", FromPort: 8080, ToPort: 8080, CIDRs: []string{"10.0.0.0/8"}, Description: "vpn"},
		},
		Egress: []spec.SGRule{{Protocol: "tcp", FromPort: 443, ToPort: 443, PrefixList: s3}},
	})
	r, err := tk[spec.SecurityGroup](k).Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })
	assert.Empty(t, tk[spec.SecurityGroup](k).Diff(d, r), "peers round-trip and the default egress is gone")
	assert.Equal(t, "app-"+o.Suffix, r.Attrs["name"])
	assert.Regexp(t, `^arn:aws[\w-]*:ec2:`+region+`:\d+:security-group/`+r.ID+`$`, r.Attrs["arn"])

	others, err := k.List(ctx, ec2OtherSuffix(o))
	require.NoError(t, err)
	assert.Empty(t, others)

	d2 := d
	p2 := *d.Props.(*spec.SecurityGroup)
	// A CIDR rule's description: moto's UpdateSecurityGroupRuleDescriptionsIngress compares
	// group peers including their old description, so it never updates a group peer's (AWS does).
	p2.Ingress = []spec.SGRule{p2.Ingress[0], {Protocol: "tcp", FromPort: 8080, ToPort: 8080, CIDRs: []string{"10.0.0.0/8"}, Description: "office vpn"}}
	d2.Props = &p2
	updated, err := tk[spec.SecurityGroup](k).Update(ctx, d2, r)
	require.NoError(t, err)
	assert.Empty(t, tk[spec.SecurityGroup](k).Diff(d2, updated), "rule description changed in place")
	require.NoError(t, k.Delete(ctx, r))
}

func TestSecurityGroupRefusesUntaggedNamesake(t *testing.T) {
	api, _ := testEC2(t)
	ctx := context.Background()
	vpc := testVPC(t, api, "10.48.0.0/16")
	o := testOwner(t, "db")
	name := "db-" + o.Suffix
	theirs := testSecurityGroup(t, api, vpc, name)
	_, err := api.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(theirs), IpPermissions: []types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}},
	}})
	require.NoError(t, err)
	before, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{theirs}})
	require.NoError(t, err)

	k := NewSecurityGroup(api)
	_, err = tk[spec.SecurityGroup](k).Create(ctx, desired(o, name, &spec.SecurityGroup{VPC: vpc, Description: "test"}))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Contains(t, err.Error(), theirs)

	after, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{theirs}})
	require.NoError(t, err)
	assert.Empty(t, after.SecurityGroups[0].Tags, "not tagged")
	assert.Equal(t, sgPermsFromAWS(before.SecurityGroups[0].IpPermissions), sgPermsFromAWS(after.SecurityGroups[0].IpPermissions), "ingress untouched")
	assert.Equal(t, sgPermsFromAWS(before.SecurityGroups[0].IpPermissionsEgress), sgPermsFromAWS(after.SecurityGroups[0].IpPermissionsEgress), "egress untouched")
	assert.NotEmpty(t, after.SecurityGroups[0].IpPermissions)
}

func TestSecurityGroupDeleteSkipsReferencesToDeletedPeers(t *testing.T) {
	group := testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "web-u1"), types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-gone")}, {GroupId: aws.String("sg-lb")}},
	})
	f := sgFake(group)
	var revoked []string
	f.revokeSecurityGroupIngress = func(in *ec2.RevokeSecurityGroupIngressInput) (*ec2.RevokeSecurityGroupIngressOutput, error) {
		rule := sgStrings(sgPermsFromAWS(in.IpPermissions))
		if rule[0] == "tcp 443-443 security_group sg-gone" {
			return nil, ec2APIErr(sgNotFound) // deleted by a concurrent destroy
		}
		revoked = append(revoked, rule...)
		return &ec2.RevokeSecurityGroupIngressOutput{}, nil
	}
	f.deleteSecurityGroup = func(*ec2.DeleteSecurityGroupInput) (*ec2.DeleteSecurityGroupOutput, error) {
		return &ec2.DeleteSecurityGroupOutput{}, nil
	}
	describe := f.describeSecurityGroups
	f.describeSecurityGroups = func(in *ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) {
		if f.count("DeleteSecurityGroup") > 0 {
			return nil, ec2APIErr(sgNotFound)
		}
		return describe(in)
	}
	require.NoError(t, newTestSG(f).Delete(context.Background(), state.Resource{ID: "sg-1", Owner: ec2UnitOwner}))
	assert.Equal(t, []string{"tcp 443-443 security_group sg-lb"}, revoked, "the live peer's rule is still revoked")
	assert.Equal(t, 1, f.count("DeleteSecurityGroup"))
}
