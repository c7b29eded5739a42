package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/localstack/faults"
	"github.com/provisioner-dev/provisioner/state"
)

// tagReads are the per-resource tag reads of the kinds that can take tags from the index.
var tagReads = []string{"CloudWatch Logs:ListTagsForResource", "DynamoDB:ListTagsOfResource", "S3:GetBucketTagging", "SQS:ListQueueTags"}

func countOf(calls []string, ops ...string) int {
	n := 0
	for _, c := range calls {
		for _, op := range ops {
			if c == op {
				n++
			}
		}
	}
	return n
}

// TestTagIndexIsOnlyAHint runs plans and applies of the network-storage stack while the tag
// index lags behind every change (the fault harness's stale_index): a no-op drift takes its
// tags from the index, a change the stale index shows is confirmed from the services before it
// is reported, and an apply never writes to a resource on the index's word alone.
func TestTagIndexIsOnlyAHint(t *testing.T) {
	c := newCLI(t)
	sfx := emutest.Suffix(t)
	spec := c.writeSpec("network-storage.yaml")
	t.Cleanup(func() { configHook = nil; c.run("destroy", "--suffix", sfx, "--yes") })
	c.must(0, "apply", spec, "--suffix", sfx)

	tr := c.withFaults(faults.Options{StaleIndex: true})
	c.rec.Reset()
	c.must(0, "drift", spec, "--suffix", sfx)
	calls := c.rec.Calls()
	assert.Equal(t, 1, countOf(calls, "Resource Groups Tagging API:GetResources"))
	if emutest.Flavor() == localstack.Moto {
		assert.Zero(t, countOf(calls, tagReads...), "no tag read one resource at a time:\n%s", strings.Join(calls, "\n"))
	} else { // LocalStack's index holds only what its moto-based providers keep (here the log group)
		assert.Less(t, countOf(calls, tagReads...), len(tagReads), "the index saves some tag reads:\n%s", strings.Join(calls, "\n"))
	}

	// The stack's tags change: the index (frozen before) still shows the old ones.
	spec = c.writeSpec("network-storage.yaml", "Project: webhook-processing", "Project: renamed")
	out := c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "updated")
	c.rec.Reset()
	out = c.must(0, "drift", spec, "--suffix", sfx)
	assert.Contains(t, out, "No drift", "the stale index's old tags were read again from the services")
	assert.Positive(t, tr.Counts().Stale)
	assert.Equal(t, len(tagReads), countOf(c.rec.Calls(), tagReads...), "every kind's tags were read from its service: the hinted ones to confirm")

	// Someone takes the queue over: our ownership tags are removed, which the index does not
	// show. A change to the queue must not be made on the index's word.
	cfg := emutest.Config(t)
	q := sqs.NewFromConfig(cfg)
	url, err := q.GetQueueUrl(ctxT(), &sqs.GetQueueUrlInput{QueueName: aws.String("netstore-dead-letters-" + sfx)})
	require.NoError(t, err)
	_, err = q.UntagQueue(ctxT(), &sqs.UntagQueueInput{QueueUrl: url.QueueUrl, TagKeys: []string{state.TagStack, state.TagSuffix, state.TagID}})
	require.NoError(t, err)
	spec = c.writeSpec("network-storage.yaml", "Project: webhook-processing", "Project: renamed",
		"visibility_timeout_seconds: 180", "visibility_timeout_seconds: 240")
	c.rec.Reset()
	code, out, errOut := c.run("apply", spec, "--suffix", sfx)
	assert.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out+errOut, "exists without provisioner ownership tags")
	for _, m := range c.mutations() {
		assert.NotContains(t, []string{"SQS:SetQueueAttributes", "SQS:TagQueue", "SQS:UntagQueue", "SQS:DeleteQueue"}, m, "the queue is not ours any more")
	}
	attrs, err := q.GetQueueAttributes(ctxT(), &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameVisibilityTimeout}})
	require.NoError(t, err)
	assert.Equal(t, "180", attrs.Attributes["VisibilityTimeout"])
}
