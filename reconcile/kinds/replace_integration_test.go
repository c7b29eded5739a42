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

// replaceSpec is a security group that an interface endpoint uses; description forces the
// group's replacement.
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
  sqs-endpoint:
    kind: ec2.vpc_endpoint
    vpc: ${vpc.id}
    service: sqs
    type: Interface
    subnet_ids: ["${subnet.id}"]
    security_group_ids: ["${endpoint-sg.id}"]
`

// TestReplaceSecurityGroupAnEndpointUses replaces, on the emulator, a security group an
// interface endpoint uses: the new group is created first, the endpoint moved to it, and the
// old group deleted last; the next plan has nothing to do.
func TestReplaceSecurityGroupAnEndpointUses(t *testing.T) {
	ctx := context.Background()
	cfg := emutest.Config(t)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	var rec emutest.Recorder
	rec.Attach(&cfg)
	reg := Registry(cfg, aws.ToString(id.Account), nil)
	env := reconcile.Env{Account: aws.ToString(id.Account), Region: cfg.Region}
	sfx := emutest.Suffix(t)
	sel := state.Selector{Stack: "replacetest", Suffix: sfx}
	load := func(desc string) *spec.Stack {
		st, err := spec.Parse("replace.yaml", []byte(strings.Replace(replaceSpec, "DESCRIPTION", desc, 1)), spec.Options{Suffix: sfx})
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
	moved := slices.Index(calls, "EC2:ModifyVpcEndpoint")
	deleted := slices.Index(calls, "EC2:DeleteSecurityGroup")
	require.True(t, created >= 0 && moved >= 0 && deleted >= 0, "%v", calls)
	assert.Less(t, created, moved, "the new group exists before the endpoint moves to it")
	assert.Less(t, moved, deleted, "the old group is deleted after the endpoint left it")

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
	ep, ok := inv.Find("replacetest", "ec2.vpc_endpoint", "sqs-endpoint")
	require.True(t, ok)
	assert.Equal(t, []string{now.ID}, ep.Props.(*spec.VPCEndpoint).SecurityGroupIDs)
	assert.False(t, plan(st).HasChanges(), "converged in one apply")
}
