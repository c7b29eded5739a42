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
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// testEC2 is an EC2 client on the package's emulator, and its region.
func testEC2(t *testing.T) (*ec2.Client, string) {
	cfg := emuConfig(t)
	return ec2.NewFromConfig(cfg), cfg.Region
}

// testVPC creates a plain VPC (no ownership tags) for the kinds that live in one, and deletes
// it when the test ends.
func testVPC(t *testing.T, api *ec2.Client, cidr string) string {
	t.Helper()
	out, err := api.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	require.NoError(t, err, "create test vpc")
	id := aws.ToString(out.Vpc.VpcId)
	t.Cleanup(func() { _, _ = api.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(id)}) })
	return id
}

// testSubnet creates a plain subnet in vpc, deleted when the test ends.
func testSubnet(t *testing.T, api *ec2.Client, vpc, cidr string) string {
	t.Helper()
	out, err := api.CreateSubnet(context.Background(), &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr)})
	require.NoError(t, err, "create test subnet")
	id := aws.ToString(out.Subnet.SubnetId)
	t.Cleanup(func() {
		_, _ = api.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
	})
	return id
}

// testSecurityGroup creates a plain security group in vpc, deleted when the test ends.
func testSecurityGroup(t *testing.T, api *ec2.Client, vpc, name string) string {
	t.Helper()
	out, err := api.CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{
		VpcId: aws.String(vpc), GroupName: aws.String(name), Description: aws.String("test"),
	})
	require.NoError(t, err, "create test group")
	id := aws.ToString(out.GroupId)
	t.Cleanup(func() {
		_, _ = api.DeleteSecurityGroup(context.Background(), &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
	})
	return id
}

// testRouteTable creates a route table in vpc, deleted when the test ends.
func testRouteTable(t *testing.T, api *ec2.Client, vpc string) string {
	t.Helper()
	out, err := api.CreateRouteTable(context.Background(), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})
	require.NoError(t, err, "create test route table")
	id := aws.ToString(out.RouteTable.RouteTableId)
	t.Cleanup(func() {
		_, _ = api.DeleteRouteTable(context.Background(), &ec2.DeleteRouteTableInput{RouteTableId: aws.String(id)})
	})
	return id
}

// ec2OtherSuffix is a selector for the same stack under another suffix: it must see nothing of o.
func ec2OtherSuffix(o state.Owner) state.Selector {
	return state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"}
}

// ec2OwnedTags are the EC2 tags of a resource of o named name.
func ec2OwnedTags(o state.Owner, name string) []types.Tag {
	tags := o.Tags()
	tags[ec2NameTag] = name
	return awscall.TagList(tags, ec2Tag)
}

// ec2UnitOwner is the owner unit tests use.
var ec2UnitOwner = state.Owner{Stack: "unit", Suffix: "u1", ID: "net"}

// ec2WithUserTag is o's ownership tags plus Project=unit.
func ec2WithUserTag(o state.Owner) map[string]string {
	tags := o.Tags()
	tags["Project"] = "unit"
	return tags
}

// ec2FakeDescribe answers a fake describe from items, ignoring filters: all of them when ids
// is empty, else those with one of ids (id reads it), and EC2's notFound error when none has.
// out wraps what it finds in the call's output.
func ec2FakeDescribe[T, O any](items []T, id func(T) *string, ids []string, notFound string, out func([]T) O) (O, error) {
	var found []T
	for _, v := range items {
		if len(ids) == 0 || slices.Contains(ids, aws.ToString(id(v))) {
			found = append(found, v)
		}
	}
	if len(ids) > 0 && len(found) == 0 {
		var none O
		return none, ec2APIErr(notFound)
	}
	return out(found), nil
}

// ec2CheckDiff checks k's diff of want against live: nothing when path is "", else exactly
// the one field path, replacing or not as forceNew says.
func ec2CheckDiff(t *testing.T, k testKind, want, live spec.Properties, path string, forceNew bool) {
	t.Helper()
	diffs := k.Diff(reconcile.Desired{Props: want}, state.Resource{Props: live})
	if path == "" {
		assert.Empty(t, diffs)
		return
	}
	require.Len(t, diffs, 1)
	assert.Equal(t, path, diffs[0].Path)
	assert.Equal(t, forceNew, diffs[0].ForceNew)
}

// ec2Deleter is what the delete checks need of a kind.
type ec2Deleter interface {
	Delete(ctx context.Context, live state.Resource) error
}

// ec2CheckDeleteGone checks that k's Delete of id, which the fake f does not know or knows as
// deleted, succeeds without deleteCall.
func ec2CheckDeleteGone(t *testing.T, k ec2Deleter, f *fakeEC2, id, deleteCall string) {
	t.Helper()
	require.NoError(t, k.Delete(context.Background(), state.Resource{ID: id, Owner: ec2UnitOwner}))
	assert.Zero(t, f.count(deleteCall))
}

// ec2CheckDeleteRefused checks that k's Delete of id, which does not carry ec2UnitOwner's
// tags, fails with reconcile.ErrNotOwned without deleteCall.
func ec2CheckDeleteRefused(t *testing.T, k ec2Deleter, f *fakeEC2, id, deleteCall string) {
	t.Helper()
	err := k.Delete(context.Background(), state.Resource{ID: id, Owner: ec2UnitOwner})
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Zero(t, f.count(deleteCall))
}
