package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// streamReader is what the handler needs of DynamoDB Streams.
type streamReader interface {
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// maxPages bounds the GetRecords calls for one notice. A batch holds at most 10,000 records
// and a page up to 1,000, so this leaves room for other records of the shard in between.
const maxPages = 100

// recoverTimeout bounds one notice's stream read, so that an unreachable endpoint costs a few
// seconds of the invocation, not all of it.
const recoverTimeout = 5 * time.Second

// recoverIDs reads the failed batch's records back from the stream (they stay there for 24
// hours) and returns the event ids they hold, each once, in stream order.
func (h *handler) recoverIDs(ctx context.Context, b batchInfo) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, recoverTimeout)
	defer cancel()
	it, err := h.streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn:         aws.String(b.StreamArn),
		ShardId:           aws.String(b.ShardID),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber,
		SequenceNumber:    aws.String(b.StartSequenceNumber),
	})
	if err != nil {
		return nil, fmt.Errorf("read stream %s shard %s: %w", b.StreamArn, b.ShardID, err)
	}
	var ids []string
	seen := map[string]bool{}
	iter := it.ShardIterator
	for page := 0; iter != nil && page < maxPages; page++ {
		out, err := h.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return nil, fmt.Errorf("read stream %s shard %s: %w", b.StreamArn, b.ShardID, err)
		}
		for _, r := range out.Records {
			if r.Dynamodb == nil {
				continue
			}
			c := cmpSeq(aws.ToString(r.Dynamodb.SequenceNumber), b.EndSequenceNumber)
			if c > 0 {
				return ids, nil
			}
			if id, ok := r.Dynamodb.Keys[webhook.AttrEventID].(*types.AttributeValueMemberS); ok && !seen[id.Value] {
				seen[id.Value] = true
				ids = append(ids, id.Value)
			}
			if c == 0 { // the batch's last record: stop without waiting at the shard's tip
				return ids, nil
			}
		}
		iter = out.NextShardIterator
	}
	return ids, nil
}

// cmpSeq compares two stream sequence numbers, which are decimal strings of up to 40 digits:
// too long for an int64, and wrongly ordered as strings when their lengths differ.
func cmpSeq(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}
