package webhook

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Transition moves event id from status from to status to and sets the attributes in set, in
// one conditional update (#status = :from). It reports whether it moved the event: false with
// a nil error means the event was no longer in from (someone moved it first, or it is gone),
// which callers retrying the same work treat as done.
func Transition(ctx context.Context, db ItemUpdater, table, id string, from, to Status, set map[string]string) (bool, error) {
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
		values[v] = &types.AttributeValueMemberS{Value: set[name]}
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

// PutJSON writes body to s3://bucket/key as application/json, with user metadata meta.
// Writing the same body to the same key again leaves one object with the same content: the
// archive's retries are safe.
func PutJSON(ctx context.Context, s3c ObjectPutter, bucket, key string, body []byte, meta map[string]string) error {
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/json"),
		Metadata:      meta,
	})
	if err != nil {
		return fmt.Errorf("archive s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
