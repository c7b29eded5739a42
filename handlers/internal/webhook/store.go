package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Transition moves event id from status from to status to and sets the attributes in set, in
// one conditional update (#status = :from). It reports whether it moved the event: false with
// a nil error means the event was no longer in from (someone moved it first, or it is gone),
// which callers retrying the same work treat as done.
func Transition(ctx context.Context, db ItemUpdater, table, id string, from, to Status, set map[string]types.AttributeValue) (bool, error) {
	expr := "SET #status = :to"
	values := map[string]types.AttributeValue{
		":from": &types.AttributeValueMemberS{Value: string(from)},
		":to":   &types.AttributeValueMemberS{Value: string(to)},
	}
	names := map[string]string{"#status": AttrStatus}
	for i, name := range slices.Sorted(maps.Keys(set)) { // sorted: the same request every time
		n, v := fmt.Sprintf("#a%d", i), fmt.Sprintf(":a%d", i)
		expr += fmt.Sprintf(", %s = %s", n, v)
		names[n] = name
		values[v] = set[name]
	}
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       map[string]types.AttributeValue{AttrEventID: &types.AttributeValueMemberS{Value: id}},
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("#status = :from"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	switch {
	case IsConditionFailed(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("mark event %s %s: %w", id, to, err)
	}
	return true, nil
}

// S is a string attribute, N a number attribute: the values Transition sets.
func S(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// N is a number attribute holding n.
func N(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// PutJSONOnce writes body to s3://bucket/key as application/json, with user metadata meta,
// unless an object is already there: the write is conditional (If-None-Match: *), and S3's
// 412 Precondition Failed means the object was written before, by an earlier attempt at the
// same work. It reports whether this call wrote it. The archive is thereby write-once: a
// replayed or retried write changes nothing, adds no version in a versioned bucket, and
// never replaces what was archived first. (A 409 ConditionalRequestConflict, two conditional
// writes racing, is returned as an error: the retry then finds the object and gets 412.)
func PutJSONOnce(ctx context.Context, s3c ObjectPutter, bucket, key string, body []byte, meta map[string]string) (bool, error) {
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/json"),
		Metadata:      meta,
		IfNoneMatch:   aws.String("*"),
	})
	switch {
	case err == nil:
		return true, nil
	case isPreconditionFailed(err):
		return false, nil
	}
	return false, fmt.Errorf("archive s3://%s/%s: %w", bucket, key, err)
}

func isPreconditionFailed(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "PreconditionFailed" {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}
