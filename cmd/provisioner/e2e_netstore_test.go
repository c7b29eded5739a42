package main

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/state"
)

// clients talk to the emulator behind the tool's back.
type clients struct {
	ec2  *ec2.Client
	ddb  *dynamodb.Client
	s3   *s3.Client
	sqs  *sqs.Client
	iam  *iam.Client
	logs *cloudwatchlogs.Client
	acct string
}

func newClients(t *testing.T) *clients {
	cfg := emutest.Config(t)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctxT(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	return &clients{
		ec2: ec2.NewFromConfig(cfg), ddb: dynamodb.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs: sqs.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg), acct: aws.ToString(id.Account),
	}
}

// TestNetworkStorageLifecycle is the engine's acceptance test against the emulator: apply,
// idempotence without a mutating call, drift of every kind repaired, a spec change touching
// one resource, a removal deleting one, and a destroy that spares the untagged and the other
// suffix.
func TestNetworkStorageLifecycle(t *testing.T) {
	c := newCLI(t)
	live := newClients(t)
	sfx := emutest.Suffix(t)
	spec := c.writeSpec("network-storage.yaml")
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })

	out := c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "Apply complete: 11 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged, 0 failed.")

	var listing struct {
		Suffix    string
		Resources []struct{ Address, ID string }
	}
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "list", "--suffix", sfx, "-o", "json")), &listing))
	assert.Len(t, listing.Resources, 11)
	assert.Equal(t, "dynamodb.table/events", listing.Resources[0].Address)
	assert.Equal(t, "netstore-events-"+sfx, listing.Resources[0].ID)

	c.rec.Reset()
	out = c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "No changes: 11 resources match the spec.")
	assert.Empty(t, c.mutations(), "a second apply makes no mutating call")
	c.must(0, "plan", spec, "--suffix", sfx, "--detailed-exitcode")

	names := netstoreNames(sfx, live.acct)
	breakEveryKind(t, live, sfx, names)
	out = c.must(2, "drift", spec, "--suffix", sfx)
	for _, want := range []string{
		"drifted    ec2.vpc/vpc", "enable_dns_hostnames: false -> true",
		"drifted    ec2.subnet/private-a", "map_public_ip_on_launch: true -> false",
		"drifted    ec2.security_group/lambda-sg",
		"missing    ec2.vpc_endpoint/dynamodb-endpoint",
		"drifted    dynamodb.table/events", "point_in_time_recovery: false -> true",
		"drifted    s3.bucket/archive", "versioning: false -> true",
		"drifted    sqs.queue/dead-letters", "visibility_timeout_seconds: 99 -> 180",
		"drifted    iam.role/processor-role", "description:",
		"drifted    logs.log_group/processor-logs", "retention_days: 30 -> 7",
		"unexpected sqs.queue/intruder",
	} {
		assert.Contains(t, out, want)
	}
	assert.Empty(t, c.mutations(), "drift is read-only")
	c.must(0, "apply", spec, "--suffix", sfx)
	c.must(0, "drift", spec, "--suffix", sfx)

	// A changed property touches only its resource.
	spec = c.writeSpec("network-storage.yaml", "retention_days: 7", "retention_days: 14")
	c.rec.Reset()
	out = c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "Apply complete: 0 created, 1 updated, 0 replaced, 0 deleted, 10 unchanged, 0 failed.")
	for _, m := range c.resourceMutations() {
		assert.Regexp(t, `^CloudWatch Logs:`, m, "only the log group is touched")
	}
	assert.NotEmpty(t, c.resourceMutations())

	// A resource removed from the spec is deleted.
	spec = c.writeSpec("network-storage.yaml", "  processor-logs:\n    kind: logs.log_group\n    name: /aws/lambda/${stack}-processor-${suffix}\n    retention_days: 7\n", "")
	out = c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "0 created, 0 updated, 0 replaced, 1 deleted, 10 unchanged")
	groups, err := live.logs.DescribeLogGroups(ctxT(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &names.logGroup})
	require.NoError(t, err)
	assert.Empty(t, groups.LogGroups)

	destroySparesOthers(t, c, live, sfx)
}

type netstoreNameSet struct{ table, bucket, queue, role, logGroup string }

func netstoreNames(sfx, acct string) netstoreNameSet {
	return netstoreNameSet{
		table: "netstore-events-" + sfx, bucket: "netstore-archive-" + acct + "-" + sfx,
		queue: "netstore-dead-letters-" + sfx, role: "netstore-processor-role-" + sfx,
		logGroup: "/aws/lambda/netstore-processor-" + sfx,
	}
}

// breakEveryKind changes one property of every kind behind the tool's back, deletes one
// resource, and adds one that carries the stack's tags but is not in the spec.
func breakEveryKind(t *testing.T, c *clients, sfx string, n netstoreNameSet) {
	ctx := ctxT()
	vpc := findByTag(t, c, "vpc", sfx)
	_, err := c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: &vpc, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}})
	require.NoError(t, err)
	subnet := findByTag(t, c, "private-a", sfx)
	_, err = c.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: &subnet, MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	require.NoError(t, err)
	sg := findByTag(t, c, "lambda-sg", sfx)
	_, err = c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &sg, IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	require.NoError(t, err)
	endpoint := findByTag(t, c, "dynamodb-endpoint", sfx)
	_, err = c.ec2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{endpoint}})
	require.NoError(t, err)

	_, err = c.ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: &n.table,
		PointInTimeRecoverySpecification: &dynamotypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}})
	require.NoError(t, err)
	_, err = c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &n.bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	require.NoError(t, err)
	q, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &n.queue})
	require.NoError(t, err)
	_, err = c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"VisibilityTimeout": "99"}})
	require.NoError(t, err)
	_, err = c.iam.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: &n.role, Description: aws.String("changed by hand")})
	require.NoError(t, err)
	_, err = c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &n.logGroup, RetentionInDays: aws.Int32(30)})
	require.NoError(t, err)

	owner := state.Owner{Stack: "netstore", Suffix: sfx, ID: "intruder"}
	_, err = c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("netstore-intruder-" + sfx), Tags: owner.Tags()})
	require.NoError(t, err)
}

// findByTag returns the id of the one EC2 resource carrying this logical id and suffix.
func findByTag(t *testing.T, c *clients, logical, sfx string) string {
	out, err := c.ec2.DescribeTags(ctxT(), &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
		{Name: aws.String("key"), Values: []string{state.TagID}},
		{Name: aws.String("value"), Values: []string{logical}},
	}})
	require.NoError(t, err)
	for _, tag := range out.Tags {
		tags, err := c.ec2.DescribeTags(ctxT(), &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
			{Name: aws.String("resource-id"), Values: []string{aws.ToString(tag.ResourceId)}},
			{Name: aws.String("key"), Values: []string{state.TagSuffix}},
		}})
		require.NoError(t, err)
		if len(tags.Tags) == 1 && aws.ToString(tags.Tags[0].Value) == sfx {
			return aws.ToString(tag.ResourceId)
		}
	}
	t.Fatalf("no EC2 resource tagged %s with suffix %s", logical, sfx)
	return ""
}

// destroySparesOthers destroys the suffix and checks that an untagged queue and another
// suffix's queue with our stack tags are untouched.
func destroySparesOthers(t *testing.T, c *cli, live *clients, sfx string) {
	ctx := ctxT()
	untagged := "netstore-dead-letters-" + sfx + "-untagged"
	otherSfx := emutest.Suffix(t)
	other := state.Owner{Stack: "netstore", Suffix: otherSfx, ID: "dead-letters"}
	_, err := live.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &untagged})
	require.NoError(t, err)
	_, err = live.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: ptr("netstore-dead-letters-" + otherSfx), Tags: other.Tags()})
	require.NoError(t, err)

	_, _, errOut := c.run("destroy", "--suffix", sfx)
	assert.Contains(t, errOut, "pass --yes", "no terminal: destroy needs --yes")
	out := c.must(0, "destroy", "--suffix", sfx, "--dry-run")
	assert.Contains(t, out, "delete     ec2.vpc/vpc")

	out = c.must(0, "destroy", "--suffix", sfx, "--yes")
	assert.Contains(t, out, "10 deleted")
	for _, name := range []string{untagged, "netstore-dead-letters-" + otherSfx} {
		_, err := live.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: ptr(name)})
		assert.NoError(t, err, "%s survives the destroy", name)
	}
	c.must(0, "destroy", "--suffix", otherSfx, "--yes")
	_, err = live.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &untagged})
	assert.NoError(t, err, "untagged queue survives every destroy")
}

func ptr(s string) *string { return &s }
