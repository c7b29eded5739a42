package faults

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	rgtschemas "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/schemas"
	rgttypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// TestStaleIndex: with StaleIndex the tag index keeps answering a request as it first did,
// after a tag changed and after a new resource was tagged (log groups here), while the service itself (and a
// request the index has not seen) answers what is there now.
func TestStaleIndex(t *testing.T) {
	cfg, tr := config(t, Options{StaleIndex: true}, 1)
	ctx := context.Background()
	sfx := emutest.Suffix(t)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	index := rgt.NewFromConfig(cfg, func(o *rgt.Options) { o.Protocol = awsjson.New11(rgtschemas.ResourceGroupsTaggingAPI_20170126) })
	// Log groups: the index of moto and of LocalStack (whose own providers keep queues' and
	// tables' tags apart from it) both hold them.
	group := func(name, v string) string {
		_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: map[string]string{"stale-test": sfx, "v": v}})
		require.NoError(t, err)
		out, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
		require.NoError(t, err)
		require.Len(t, out.LogGroups, 1)
		return strings.TrimSuffix(aws.ToString(out.LogGroups[0].Arn), ":*")
	}
	read := func(values ...string) map[string]string { // queue name → its tag v, as the index says
		out, err := index.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"logs"},
			TagFilters: []rgttypes.TagFilter{{Key: aws.String("stale-test"), Values: values}}})
		require.NoError(t, err)
		got := map[string]string{}
		for _, m := range out.ResourceTagMappingList {
			for _, tag := range m.Tags {
				if aws.ToString(tag.Key) == "v" {
					got[aws.ToString(m.ResourceARN)] = aws.ToString(tag.Value)
				}
			}
		}
		return got
	}
	first := group("/stale-test/"+sfx+"/a", "1")
	before := read(sfx)
	require.Len(t, before, 1)

	_, err := logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(first), Tags: map[string]string{"v": "2"}})
	require.NoError(t, err)
	group("/stale-test/"+sfx+"/b", "1")
	assert.Equal(t, before, read(sfx), "the index still answers as it first did")
	assert.Len(t, read(sfx, "other"), 2, "a request it has not seen is answered afresh")
	tags, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(first)})
	require.NoError(t, err)
	assert.Equal(t, "2", tags.Tags["v"], "the service itself answers what is there")
	assert.Equal(t, 1, tr.Counts().Stale)
}
