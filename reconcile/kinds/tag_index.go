package kinds

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/schemas"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/state"
)

// TagIndexAPI is the part of the Resource Groups Tagging API the tag index uses.
type TagIndexAPI interface {
	GetResources(ctx context.Context, in *rgt.GetResourcesInput, opts ...func(*rgt.Options)) (*rgt.GetResourcesOutput, error)
}

// NewTagIndexClient builds the tagging client speaking JSON 1.1: recent SDK clients speak RPCv2
// CBOR, which moto does not read and AWS still accepts in JSON (as for CloudWatch).
func NewTagIndexClient(cfg aws.Config) *rgt.Client {
	return rgt.NewFromConfig(cfg, func(o *rgt.Options) {
		o.Protocol = awsjson.New11(schemas.ResourceGroupsTaggingAPI_20170126)
	})
}

// tagIndexed are the services whose kinds read their candidates' tags one call per resource and
// so ask the index first (EC2 and API Gateway listings carry tags already; the index has no
// IAM roles).
var tagIndexed = []string{"cloudwatch", "dynamodb", "lambda", "logs", "s3", "sqs", "ssm"}

// TagIndex is reconcile.TagIndex over the Resource Groups Tagging API.
type TagIndex struct {
	api  TagIndexAPI
	wait reconcile.Backoff
}

// NewTagIndex builds the index on api.
func NewTagIndex(api TagIndexAPI) *TagIndex {
	return &TagIndex{api: api, wait: reconcile.DefaultBackoff}
}

// OwnedTags returns the tags of every resource of tagIndexed services that carries sel's
// ownership tags, by ARN: one call per 500 tags.
func (x *TagIndex) OwnedTags(ctx context.Context, sel state.Selector) (map[string]map[string]string, error) {
	filters := []types.TagFilter{{Key: aws.String(state.TagSuffix), Values: []string{sel.Suffix}}}
	if sel.Stack != "" {
		filters = append(filters, types.TagFilter{Key: aws.String(state.TagStack), Values: []string{sel.Stack}})
	}
	in := &rgt.GetResourcesInput{TagFilters: filters, ResourceTypeFilters: tagIndexed, TagsPerPage: aws.Int32(500)}
	found, err := awscall.Pages(ctx, x.wait, awscall.RetryCodes(), in, &in.PaginationToken, x.api.GetResources,
		func(o *rgt.GetResourcesOutput) ([]types.ResourceTagMapping, *string) {
			return o.ResourceTagMappingList, o.PaginationToken
		})
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]string, len(found))
	for _, m := range found {
		out[aws.ToString(m.ResourceARN)] = awscall.TagMap(m.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	}
	return out, nil
}

// ownedTags is the tags of one listed candidate: the tag index's answer when this is a hinted
// discovery whose index holds arn, else (and always outside a discovery) what read returns
// from the resource's own service.
func ownedTags(ctx context.Context, kind, arn string, read func(context.Context) (map[string]string, error)) (map[string]string, error) {
	if tags, ok := reconcile.HintedTags(ctx, arn, kind); ok {
		return tags, nil
	}
	return read(ctx)
}
