package kinds

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// replaceSpec is a security group that DEPENDENT uses; description forces the group's
// replacement.
const replaceSpec = `stack: replacetest
region: us-east-1
resources:
  vpc:
    kind: ec2.vpc
    cidr: 10.61.0.0/16
  subnet:
    kind: ec2.subnet
    vpc: ${vpc.id}
    cidr: 10.61.1.0/24
  endpoint-sg:
    kind: ec2.security_group
    vpc: ${vpc.id}
    description: DESCRIPTION
    ingress:
      - {protocol: tcp, from_port: 443, to_port: 443, cidrs: [10.61.0.0/16], description: HTTPS from the VPC}
DEPENDENT`

// endpointUser is an interface endpoint in the group.
const endpointUser = `  user:
    kind: ec2.vpc_endpoint
    vpc: ${vpc.id}
    service: sqs
    type: Interface
    subnet_ids: ["${subnet.id}"]
    security_group_ids: ["${endpoint-sg.id}"]
`

// groupUser is another group whose egress rule names the group.
const groupUser = `  user:
    kind: ec2.security_group
    vpc: ${vpc.id}
    description: Clients of the endpoint
    egress:
      - {protocol: tcp, from_port: 443, to_port: 443, security_group: "${endpoint-sg.id}", description: HTTPS to the endpoint}
`

// lambdaUser is a function placed in the group.
const lambdaUser = `  role:
    kind: iam.role
    assumed_by: [lambda.amazonaws.com]
  user:
    kind: lambda.function
    handler: receiver
    role: ${role.arn}
    vpc:
      subnet_ids: ["${subnet.id}"]
      security_group_ids: ["${endpoint-sg.id}"]
`

// TestReplaceSecurityGroupALambdaFunctionUses: the function moves with
// UpdateFunctionConfiguration (on AWS the old group's delete then waits for the function's old
// network interfaces, with progress).
func TestReplaceSecurityGroupALambdaFunctionUses(t *testing.T) {
	replaceGroupUsedBy(t, lambdaUser, "lambda.function", "Lambda:UpdateFunctionConfiguration", func(user state.Resource) []string {
		return user.Props.(*spec.LambdaFunction).VPC.SecurityGroupIDs
	})
}

// TestReplaceSecurityGroupAnEndpointUses: the endpoint moves with ModifyVpcEndpoint.
func TestReplaceSecurityGroupAnEndpointUses(t *testing.T) {
	emutest.SkipOnLocalStack(t, "4.14.0 ModifyVpcEndpoint ignores AddSecurityGroupIds and RemoveSecurityGroupIds (AWS applies them)")
	replaceGroupUsedBy(t, endpointUser, "ec2.vpc_endpoint", "EC2:ModifyVpcEndpoint", func(user state.Resource) []string {
		return user.Props.(*spec.VPCEndpoint).SecurityGroupIDs
	})
}

// TestReplaceSecurityGroupAnotherGroupsRuleUses: the other group's rule moves, the new peer
// authorized before the old one is revoked.
func TestReplaceSecurityGroupAnotherGroupsRuleUses(t *testing.T) {
	replaceGroupUsedBy(t, groupUser, "ec2.security_group", "EC2:AuthorizeSecurityGroupEgress", func(user state.Resource) []string {
		var peers []string
		for _, r := range user.Props.(*spec.SecurityGroup).Egress {
			peers = append(peers, r.SourceSecurityGroup)
		}
		return peers
	})
}

// replaceGroupUsedBy replaces, on the emulator, a security group that dependent (the resource
// "user", of userKind) uses: the new group is created first, the user moved to it (the call named moved),
// and the old group deleted last; the user then uses only the new group (groupsOf), and the
// next plan has nothing to do.
func replaceGroupUsedBy(t *testing.T, dependent, userKind, moved string, groupsOf func(user state.Resource) []string) {
	ctx := context.Background()
	cfg := emuConfig(t)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	var rec emutest.Recorder
	rec.Attach(&cfg)
	reg := Registry(cfg, aws.ToString(id.Account), &fnTestCode{})
	env := reconcile.Env{Account: aws.ToString(id.Account), Region: cfg.Region}
	sfx := emutest.Suffix(t)
	sel := state.Selector{Stack: "replacetest", Suffix: sfx}
	load := func(desc string) *spec.Stack {
		st, err := spec.Parse("replace.yaml", []byte(strings.NewReplacer("DESCRIPTION", desc, "DEPENDENT", dependent).Replace(replaceSpec)), spec.Options{Suffix: sfx})
		require.NoError(t, err)
		return st
	}
	plan := func(st *spec.Stack) *reconcile.Plan {
		inv, err := reconcile.Discover(ctx, reg, sel)
		require.NoError(t, err)
		p, err := reconcile.MakePlan(st, inv, reg, env)
		require.NoError(t, err)
		return p
	}
	apply := func(p *reconcile.Plan) {
		res, err := reconcile.Apply(ctx, p, reg, reconcile.ApplyOptions{})
		require.NoError(t, err)
		require.NoError(t, res.Err())
	}
	t.Cleanup(func() {
		inv, err := reconcile.Discover(ctx, reg, state.Selector{Suffix: sfx})
		if err == nil {
			_, _ = reconcile.Apply(ctx, reconcile.DestroyPlan(inv), reg, reconcile.ApplyOptions{})
		}
	})

	apply(plan(load("Endpoint clients")))
	inv, err := reconcile.Discover(ctx, reg, sel)
	require.NoError(t, err)
	old, ok := inv.Find("replacetest", "ec2.security_group", "endpoint-sg")
	require.True(t, ok)

	st := load("Endpoint clients, HTTPS only")
	p := plan(st)
	var sg reconcile.Change
	for _, c := range p.Changes {
		if c.Address == "ec2.security_group/endpoint-sg" {
			sg = c
		}
	}
	require.Equal(t, reconcile.Replace, sg.Action)
	assert.Equal(t, reconcile.CreateFirst, sg.Order, sg.Reason)

	rec.Reset()
	apply(p)
	calls := rec.Calls()
	created := slices.Index(calls, "EC2:CreateSecurityGroup")
	movedAt := slices.Index(calls, moved)
	deleted := slices.Index(calls, "EC2:DeleteSecurityGroup")
	require.True(t, created >= 0 && movedAt >= 0 && deleted >= 0, "%v", calls)
	assert.Less(t, created, movedAt, "the new group exists before its user moves to it")
	assert.Less(t, movedAt, deleted, "the old group is deleted after its user left it")

	api := ec2.NewFromConfig(cfg)
	groups, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{ec2Filter("group-id", old.ID)}})
	if err == nil {
		assert.Empty(t, groups.SecurityGroups, "the old group is gone")
	}
	inv, err = reconcile.Discover(ctx, reg, sel)
	require.NoError(t, err)
	now, ok := inv.Find("replacetest", "ec2.security_group", "endpoint-sg")
	require.True(t, ok)
	assert.NotEqual(t, old.ID, now.ID)
	assert.Len(t, inv.Copies("replacetest", "ec2.security_group", "endpoint-sg"), 1)
	user, ok := inv.Find("replacetest", userKind, "user")
	require.True(t, ok)
	assert.Equal(t, []string{now.ID}, groupsOf(user))
	assert.False(t, plan(st).HasChanges(), "converged in one apply")
}
