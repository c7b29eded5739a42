package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

func ddbClient(t *testing.T) *dynamodb.Client {
	return dynamodb.NewFromConfig(emuConfig(t))
}

func ddbTestProps() *spec.DynamoDBTable {
	info, _ := spec.Info("dynamodb.table")
	p := info.New().(*spec.DynamoDBTable) // the spec's defaults
	p.HashKey = spec.Key{Name: "pk", Type: "S"}
	p.RangeKey = &spec.Key{Name: "sk", Type: "N"}
	p.StreamViewType = "NEW_IMAGE"
	p.PointInTimeRecovery = true
	p.TTLAttribute = "expires_at"
	return p
}

func TestDynamoDBTableLifecycle(t *testing.T) {
	k := NewDynamoDBTable(ddbClient(t))
	o := testOwner(t, "events")
	d := desired(o, "kindtest-events-"+o.Suffix, ddbTestProps())
	checkLifecycle(t, tk[spec.DynamoDBTable](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.DynamoDBTable)
		p.BillingMode, p.ReadCapacity, p.WriteCapacity = "PROVISIONED", 5, 3
		p.StreamViewType = ""
		p.PointInTimeRecovery = false
		p.TTLAttribute = ""
		d.Props = &p
		d.Tags["Team"] = "payments"
		delete(d.Tags, "Project")
		return d
	})
}

func TestDynamoDBTableAttrsAndTags(t *testing.T) {
	k := NewDynamoDBTable(ddbClient(t))
	o := testOwner(t, "attrs")
	d := desired(o, "kindtest-attrs-"+o.Suffix, ddbTestProps())
	r, err := tk[spec.DynamoDBTable](k).Create(context.Background(), d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), r) })

	info, _ := spec.Info("dynamodb.table")
	for _, a := range info.Attributes {
		assert.NotEmpty(t, r.Attrs[a], "attribute %s", a)
	}
	assert.Equal(t, d.Tags, r.Tags)
	assert.Equal(t, d.Name, r.Attrs["name"])

	other, err := k.List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix's selector sees nothing of ours")
}

func TestDynamoDBTableDeletionProtection(t *testing.T) {
	ctx := context.Background()
	k := NewDynamoDBTable(ddbClient(t))
	o := testOwner(t, "protected")
	p := ddbTestProps()
	p.DeletionProtection = true
	d := desired(o, "kindtest-protected-"+o.Suffix, p)
	r, err := tk[spec.DynamoDBTable](k).Create(ctx, d)
	require.NoError(t, err)

	err = k.Delete(ctx, r)
	require.ErrorContains(t, err, "deletion_protection: false")
	_, err = k.read(ctx, d.Name, nil)
	require.NoError(t, err, "the protected table is still there")

	p2 := *p
	p2.DeletionProtection = false
	d.Props = &p2
	r, err = tk[spec.DynamoDBTable](k).Update(ctx, d, r)
	require.NoError(t, err)
	require.NoError(t, k.Delete(ctx, r))
}

func TestDynamoDBTableRefusesUntagged(t *testing.T) {
	ctx := context.Background()
	api := ddbClient(t)
	k := NewDynamoDBTable(api)
	o := testOwner(t, "foreign")
	name := "kindtest-foreign-" + o.Suffix
	_, err := api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		Tags:                 []types.Tag{{Key: aws.String("owner"), Value: aws.String("someone-else")}},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = api.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})

	d := desired(o, name, ddbTestProps())
	_, err = tk[spec.DynamoDBTable](k).Create(ctx, d)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Contains(t, err.Error(), name)

	got, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	assert.Empty(t, got, "an untagged table is never listed")

	live, err := k.read(ctx, name, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"owner": "someone-else"}, live.Tags, "tags untouched")
	assert.Equal(t, spec.Key{Name: "id", Type: "S"}, live.Props.(*spec.DynamoDBTable).HashKey)
	assert.Equal(t, "", live.Props.(*spec.DynamoDBTable).StreamViewType, "settings untouched")

	err = k.Delete(ctx, state.Resource{Kind: k.Kind(), Owner: o, ID: name, Name: name})
	require.ErrorIs(t, err, reconcile.ErrNotOwned, "delete refuses a table without our tags")
}

// Warm throughput on moto 5.2.5: CreateTable and UpdateTable take it and DescribeTable reports
// it (status ACTIVE at once); moto does not enforce raise-only (UpdateTable takes a lower
// value), so the refusal of a decrease is the diff's, tested here against what moto reports.
func TestDynamoDBTableWarmThroughput(t *testing.T) {
	emutest.SkipOnLocalStack(t, "LocalStack 4.14.0 does not store a table's WarmThroughput (it reads back 5000 writes whatever was sent)")
	c := ddbClient(t)
	k := tk[spec.DynamoDBTable](NewDynamoDBTable(c))
	o := testOwner(t, "warm")
	p := ddbTestProps()
	p.WarmThroughput = &spec.WarmThroughput{ReadUnitsPerSecond: 13000, WriteUnitsPerSecond: 5000}
	d := desired(o, "kindtest-warm-"+o.Suffix, p)
	ctx := context.Background()
	sel := state.Selector{Stack: o.Stack, Suffix: o.Suffix}
	createForTest(t, k, d)
	require.Empty(t, k.Diff(d, findOne(t, k, sel, o.ID)), "created with the spec's warm throughput")

	// The spec raises writes: an update. A hand raise of reads then leaves the spec below
	// live, which no update can repair on AWS: the diff marks it impossible.

	raised := *p
	raised.WarmThroughput = &spec.WarmThroughput{ReadUnitsPerSecond: 13000, WriteUnitsPerSecond: 70000}
	d2 := desired(o, d.Name, &raised)
	live := findOne(t, k, sel, o.ID)
	diffs := k.Diff(d2, live)
	require.Len(t, diffs, 1)
	assert.Equal(t, reconcile.FieldDiff{Path: "warm_throughput.write_units_per_second", Live: 5000, Desired: 70000}, diffs[0])
	_, err := k.Update(ctx, d2, live)
	require.NoError(t, err)
	live = findOne(t, k, sel, o.ID)
	assert.Empty(t, k.Diff(d2, live), "the raise shows in DescribeTable")

	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(d.Name),
		WarmThroughput: &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(20000), WriteUnitsPerSecond: aws.Int64(70000)}})
	require.NoError(t, err, "raised by hand")
	diffs = k.Diff(d2, findOne(t, k, sel, o.ID))
	require.Len(t, diffs, 1, "the hand raise is caught")
	assert.Equal(t, "warm_throughput.read_units_per_second", diffs[0].Path)
	assert.Equal(t, 20000, diffs[0].Live)
	assert.Contains(t, diffs[0].Impossible, "never lowered", "a spec below live is refused, not replaced")
	assert.False(t, diffs[0].ForceNew)
}
