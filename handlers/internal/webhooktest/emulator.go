package webhooktest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// Ctx is a context for one integration step, bounded so a hung emulator fails the test.
func Ctx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// CreateEventsTable creates an on-demand events table keyed by event_id, with a NEW_IMAGE
// stream, waits until it is active, deletes it when the test ends, and returns its stream ARN.
func CreateEventsTable(t testing.TB, cfg aws.Config, name string) string {
	t.Helper()
	ctx := Ctx(t)
	db := dynamodb.NewFromConfig(cfg)
	out, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          dbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []dbtypes.AttributeDefinition{{AttributeName: aws.String(webhook.AttrEventID), AttributeType: dbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dbtypes.KeySchemaElement{{AttributeName: aws.String(webhook.AttrEventID), KeyType: dbtypes.KeyTypeHash}},
		StreamSpecification:  &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewTypeNewImage},
	})
	if err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 2*time.Minute); err != nil {
		t.Fatalf("wait for table %s: %v", name, err)
	}
	return aws.ToString(out.TableDescription.LatestStreamArn)
}

// CreateBucket creates a bucket and, when the test ends, empties and deletes it.
func CreateBucket(t testing.TB, cfg aws.Config, name string) {
	t.Helper()
	s3c := webhook.NewS3Client(cfg)
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if cfg.Region != "" && cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
	}
	if _, err := s3c.CreateBucket(Ctx(t), in); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := deleteBucket(context.Background(), s3c, name); err != nil {
			t.Errorf("delete bucket %s: %v", name, err)
		}
	})
}

func deleteBucket(ctx context.Context, s3c *s3.Client, name string) error {
	// Every version and delete marker goes first: a versioned bucket is not empty before.
	p := s3.NewListObjectVersionsPaginator(s3c, &s3.ListObjectVersionsInput{Bucket: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, v := range page.Versions {
			if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: v.Key, VersionId: v.VersionId}); err != nil {
				return err
			}
		}
		for _, m := range page.DeleteMarkers {
			if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: m.Key, VersionId: m.VersionId}); err != nil {
				return err
			}
		}
	}
	_, err := s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	return err
}

// EnableVersioning turns versioning on for bucket, as the stack's archive bucket has it.
func EnableVersioning(t testing.TB, cfg aws.Config, bucket string) {
	t.Helper()
	_, err := webhook.NewS3Client(cfg).PutBucketVersioning(Ctx(t), &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	})
	if err != nil {
		t.Fatalf("enable versioning on %s: %v", bucket, err)
	}
}

// Versions counts the versions of s3://bucket/key.
func Versions(t testing.TB, cfg aws.Config, bucket, key string) int {
	t.Helper()
	out, err := webhook.NewS3Client(cfg).ListObjectVersions(Ctx(t), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatalf("list versions of s3://%s/%s: %v", bucket, key, err)
	}
	n := 0
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			n++
		}
	}
	return n
}

// ListKeys returns the keys in bucket under prefix.
func ListKeys(t testing.TB, cfg aws.Config, bucket, prefix string) []string {
	t.Helper()
	out, err := webhook.NewS3Client(cfg).ListObjectsV2(Ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatalf("list s3://%s/%s: %v", bucket, prefix, err)
	}
	keys := make([]string, 0, len(out.Contents))
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// GetObject returns the content of s3://bucket/key.
func GetObject(t testing.TB, cfg aws.Config, bucket, key string) []byte {
	t.Helper()
	out, err := webhook.NewS3Client(cfg).GetObject(Ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read s3://%s/%s: %v", bucket, key, err)
	}
	return b
}

// GetItem reads one event item as it is stored, with a consistent read; nil when there is none.
func GetItem(t testing.TB, cfg aws.Config, table, id string) map[string]dbtypes.AttributeValue {
	t.Helper()
	out, err := dynamodb.NewFromConfig(cfg).GetItem(Ctx(t), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]dbtypes.AttributeValue{webhook.AttrEventID: &dbtypes.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("get event %s: %v", id, err)
	}
	return out.Item
}

// GetEvent reads and decodes one event item; ok is false when there is none.
func GetEvent(t testing.TB, cfg aws.Config, table, id string) (e webhook.Event, ok bool) {
	t.Helper()
	item := GetItem(t, cfg, table, id)
	if item == nil {
		return webhook.Event{}, false
	}
	e, err := webhook.EventFromItem(item)
	if err != nil {
		t.Fatalf("get event %s: %v", id, err)
	}
	return e, true
}

// CountItems counts the items of table.
func CountItems(t testing.TB, cfg aws.Config, table string) int32 {
	t.Helper()
	out, err := dynamodb.NewFromConfig(cfg).Scan(Ctx(t), &dynamodb.ScanInput{TableName: aws.String(table), Select: dbtypes.SelectCount, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	return out.Count
}

// CreateQueue creates a queue, deletes it when the test ends, and returns its URL and ARN.
func CreateQueue(t testing.TB, cfg aws.Config, name string) (url, arn string) {
	t.Helper()
	q := sqs.NewFromConfig(cfg)
	out, err := q.CreateQueue(Ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	url = aws.ToString(out.QueueUrl)
	t.Cleanup(func() {
		if _, err := q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Errorf("delete queue %s: %v", name, err)
		}
	})
	attrs, err := q.GetQueueAttributes(Ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("queue %s attributes: %v", name, err)
	}
	return url, attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// ReceiveSQSEvent receives up to 10 messages from the queue and returns them as the SQS event
// Lambda would deliver, with the attributes Lambda includes.
func ReceiveSQSEvent(t testing.TB, cfg aws.Config, url, arn string) events.SQSEvent {
	t.Helper()
	out, err := sqs.NewFromConfig(cfg).ReceiveMessage(Ctx(t), &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         10,
		WaitTimeSeconds:             2,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("receive from %s: %v", url, err)
	}
	var ev events.SQSEvent
	for _, m := range out.Messages {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      aws.ToString(m.MessageId),
			ReceiptHandle:  aws.ToString(m.ReceiptHandle),
			Body:           aws.ToString(m.Body),
			Md5OfBody:      aws.ToString(m.MD5OfBody),
			Attributes:     m.Attributes,
			EventSource:    "aws:sqs",
			EventSourceARN: arn,
			AWSRegion:      cfg.Region,
		})
	}
	return ev
}

// StreamEvent reads every record of the table's stream from the start of each shard and returns
// them as the DynamoDB event Lambda would deliver.
func StreamEvent(t testing.TB, cfg aws.Config, streamArn string) events.DynamoDBEvent {
	t.Helper()
	ctx := Ctx(t)
	st := dynamodbstreams.NewFromConfig(cfg)
	desc, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(streamArn)})
	if err != nil {
		t.Fatalf("describe stream %s: %v", streamArn, err)
	}
	var ev events.DynamoDBEvent
	for _, sh := range desc.StreamDescription.Shards {
		recs, err := readShard(ctx, st, streamArn, aws.ToString(sh.ShardId))
		if err != nil {
			t.Fatalf("read stream %s: %v", streamArn, err)
		}
		for _, r := range recs {
			ev.Records = append(ev.Records, lambdaRecord(r, streamArn, cfg.Region))
		}
	}
	return ev
}

// ShardIDs returns the ids of the stream's shards.
func ShardIDs(t testing.TB, cfg aws.Config, streamArn string) []string {
	t.Helper()
	desc, err := dynamodbstreams.NewFromConfig(cfg).DescribeStream(Ctx(t), &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(streamArn)})
	if err != nil {
		t.Fatalf("describe stream %s: %v", streamArn, err)
	}
	var ids []string
	for _, sh := range desc.StreamDescription.Shards {
		ids = append(ids, aws.ToString(sh.ShardId))
	}
	return ids
}

// SendMessage sends body to the queue.
func SendMessage(t testing.TB, cfg aws.Config, url, body string) {
	t.Helper()
	if _, err := sqs.NewFromConfig(cfg).SendMessage(Ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
		t.Fatalf("send to %s: %v", url, err)
	}
}

func readShard(ctx context.Context, st *dynamodbstreams.Client, arn, shard string) ([]streamtypes.Record, error) {
	it, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return nil, err
	}
	var recs []streamtypes.Record
	for iter := it.ShardIterator; iter != nil; {
		out, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return nil, err
		}
		if len(out.Records) == 0 { // caught up with an open shard
			return recs, nil
		}
		recs = append(recs, out.Records...)
		iter = out.NextShardIterator
	}
	return recs, nil
}

func lambdaRecord(r streamtypes.Record, streamArn, region string) events.DynamoDBEventRecord {
	d := r.Dynamodb
	rec := events.DynamoDBEventRecord{
		AWSRegion:      region,
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    "aws:dynamodb",
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: streamArn,
		Change: events.DynamoDBStreamRecord{
			Keys:           lambdaImage(d.Keys),
			NewImage:       lambdaImage(d.NewImage),
			OldImage:       lambdaImage(d.OldImage),
			SequenceNumber: aws.ToString(d.SequenceNumber),
			SizeBytes:      aws.ToInt64(d.SizeBytes),
			StreamViewType: string(d.StreamViewType),
		},
	}
	if d.ApproximateCreationDateTime != nil {
		rec.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
	}
	return rec
}

func lambdaImage(img map[string]streamtypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if img == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(img))
	for k, v := range img {
		out[k] = lambdaValue(v)
	}
	return out
}

func lambdaValue(v streamtypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *streamtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *streamtypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = lambdaValue(e)
		}
		return events.NewListAttribute(l)
	case *streamtypes.AttributeValueMemberM:
		return events.NewMapAttribute(lambdaImage(v.Value))
	}
	panic(fmt.Sprintf("webhooktest: stream attribute type %T not converted", v))
}

// PutItem writes an item as it is, bypassing the receiver, e.g. to plant a poison record.
func PutItem(t testing.TB, cfg aws.Config, table string, item map[string]dbtypes.AttributeValue) {
	t.Helper()
	if _, err := dynamodb.NewFromConfig(cfg).PutItem(Ctx(t), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("put item in %s: %v", table, err)
	}
}

// Name makes a resource name from a test-run suffix, lower case so it is a valid bucket name.
func Name(kind, suffix string) string { return strings.ToLower("whk-" + kind + "-" + suffix) }

// PutSecureString stores value in a SecureString parameter called name and deletes it when
// the test ends.
func PutSecureString(t testing.TB, cfg aws.Config, name, value string) {
	t.Helper()
	c := ssm.NewFromConfig(cfg)
	_, err := c.PutParameter(Ctx(t), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString})
	if err != nil {
		t.Fatalf("put parameter %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String(name)})
	})
}
