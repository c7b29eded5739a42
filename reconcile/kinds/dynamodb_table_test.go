package kinds

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ddbFake is a hand-written fake of DynamoDBTableAPI: each method records its name and calls
// its function field; a nil field fails the call.
type ddbFake struct {
	calls                     fakeCalls
	createTable               func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error)
	describeTable             func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error)
	updateTable               func(*dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error)
	deleteTable               func(*dynamodb.DeleteTableInput) (*dynamodb.DeleteTableOutput, error)
	listTables                func(*dynamodb.ListTablesInput) (*dynamodb.ListTablesOutput, error)
	listTagsOfResource        func(*dynamodb.ListTagsOfResourceInput) (*dynamodb.ListTagsOfResourceOutput, error)
	tagResource               func(*dynamodb.TagResourceInput) (*dynamodb.TagResourceOutput, error)
	untagResource             func(*dynamodb.UntagResourceInput) (*dynamodb.UntagResourceOutput, error)
	describeContinuousBackups func(*dynamodb.DescribeContinuousBackupsInput) (*dynamodb.DescribeContinuousBackupsOutput, error)
	updateContinuousBackups   func(*dynamodb.UpdateContinuousBackupsInput) (*dynamodb.UpdateContinuousBackupsOutput, error)
	describeTimeToLive        func(*dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error)
	updateTimeToLive          func(*dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error)
}

func (f *ddbFake) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return fakeCall(&f.calls, "CreateTable", f.createTable, in)
}
func (f *ddbFake) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return fakeCall(&f.calls, "DescribeTable", f.describeTable, in)
}
func (f *ddbFake) UpdateTable(_ context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return fakeCall(&f.calls, "UpdateTable", f.updateTable, in)
}
func (f *ddbFake) DeleteTable(_ context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return fakeCall(&f.calls, "DeleteTable", f.deleteTable, in)
}
func (f *ddbFake) ListTables(_ context.Context, in *dynamodb.ListTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return fakeCall(&f.calls, "ListTables", f.listTables, in)
}
func (f *ddbFake) ListTagsOfResource(_ context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	return fakeCall(&f.calls, "ListTagsOfResource", f.listTagsOfResource, in)
}
func (f *ddbFake) TagResource(_ context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	return fakeCall(&f.calls, "TagResource", f.tagResource, in)
}
func (f *ddbFake) UntagResource(_ context.Context, in *dynamodb.UntagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	return fakeCall(&f.calls, "UntagResource", f.untagResource, in)
}
func (f *ddbFake) DescribeContinuousBackups(_ context.Context, in *dynamodb.DescribeContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	return fakeCall(&f.calls, "DescribeContinuousBackups", f.describeContinuousBackups, in)
}
func (f *ddbFake) UpdateContinuousBackups(_ context.Context, in *dynamodb.UpdateContinuousBackupsInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	return fakeCall(&f.calls, "UpdateContinuousBackups", f.updateContinuousBackups, in)
}
func (f *ddbFake) DescribeTimeToLive(_ context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	return fakeCall(&f.calls, "DescribeTimeToLive", f.describeTimeToLive, in)
}
func (f *ddbFake) UpdateTimeToLive(_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	return fakeCall(&f.calls, "UpdateTimeToLive", f.updateTimeToLive, in)
}

func (f *ddbFake) count(op string) int { return f.calls.count(op) }

func ddbAPIErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

var ddbTestOwner = state.Owner{Stack: "shop", Suffix: "dev", ID: "events"}

// ddbTable is an ACTIVE on-demand table with a hash key pk:S and SSE with the managed key.
func ddbTable(name string) *types.TableDescription {
	return &types.TableDescription{
		TableName:            aws.String(name),
		TableArn:             aws.String("arn:aws:dynamodb:us-east-1:111122223333:table/" + name),
		TableStatus:          types.TableStatusActive,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingModeSummary:   &types.BillingModeSummary{BillingMode: types.BillingModePayPerRequest},
		ProvisionedThroughput: &types.ProvisionedThroughputDescription{
			ReadCapacityUnits: aws.Int64(0), WriteCapacityUnits: aws.Int64(0)},
		SSEDescription: &types.SSEDescription{Status: types.SSEStatusEnabled, SSEType: types.SSETypeKms,
			KMSMasterKeyArn: aws.String("arn:aws:kms:us-east-1:111122223333:key/managed")},
		DeletionProtectionEnabled: aws.Bool(false),
	}
}

// ddbProps0 is what ddbTable looks like in the spec's language.
func ddbProps0() *spec.DynamoDBTable {
	return &spec.DynamoDBTable{HashKey: spec.Key{Name: "pk", Type: "S"}, BillingMode: "PAY_PER_REQUEST", SSE: spec.SSE{Enabled: true}}
}

// newDDBFake serves one existing table with tags; every write succeeds.
func newDDBFake(t *types.TableDescription, tags map[string]string) *ddbFake {
	return &ddbFake{
		describeTable: func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
			return &dynamodb.DescribeTableOutput{Table: t}, nil
		},
		listTagsOfResource: func(*dynamodb.ListTagsOfResourceInput) (*dynamodb.ListTagsOfResourceOutput, error) {
			return &dynamodb.ListTagsOfResourceOutput{Tags: awscall.TagList(tags, ddbTag)}, nil
		},
		describeContinuousBackups: func(*dynamodb.DescribeContinuousBackupsInput) (*dynamodb.DescribeContinuousBackupsOutput, error) {
			return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &types.ContinuousBackupsDescription{
				PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: types.PointInTimeRecoveryStatusDisabled}}}, nil
		},
		describeTimeToLive: func(*dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error) {
			return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}}, nil
		},
		updateTable: func(*dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error) {
			return &dynamodb.UpdateTableOutput{}, nil
		},
		tagResource: func(*dynamodb.TagResourceInput) (*dynamodb.TagResourceOutput, error) {
			return &dynamodb.TagResourceOutput{}, nil
		},
		untagResource: func(*dynamodb.UntagResourceInput) (*dynamodb.UntagResourceOutput, error) {
			return &dynamodb.UntagResourceOutput{}, nil
		},
		updateContinuousBackups: func(*dynamodb.UpdateContinuousBackupsInput) (*dynamodb.UpdateContinuousBackupsOutput, error) {
			return &dynamodb.UpdateContinuousBackupsOutput{}, nil
		},
		updateTimeToLive: func(*dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
			return &dynamodb.UpdateTimeToLiveOutput{}, nil
		},
	}
}

func newTestDDB(f *ddbFake) *DynamoDBTable {
	k := NewDynamoDBTable(f)
	k.wait = reconcile.InstantBackoff
	return k
}

func ddbDesired(p *spec.DynamoDBTable) reconcile.Desired {
	tags := ddbTestOwner.Tags()
	tags["Project"] = "shop"
	return reconcile.Desired{Owner: ddbTestOwner, Name: "shop-events-dev", Props: p, Tags: tags}
}

func ddbLive(p *spec.DynamoDBTable, tags map[string]string) state.Resource {
	return state.Resource{Kind: "dynamodb.table", Owner: ddbTestOwner, ID: "shop-events-dev", Name: "shop-events-dev", Props: p, Tags: tags,
		Attrs: map[string]string{"arn": "arn:aws:dynamodb:us-east-1:111122223333:table/shop-events-dev"}}
}

func TestDynamoDBTableDiff(t *testing.T) {
	type change struct {
		path     string
		forceNew bool
	}
	tests := []struct {
		name  string
		live  func(p *spec.DynamoDBTable)
		want  func(p *spec.DynamoDBTable)
		diffs []change
	}{
		{name: "no change"},
		{name: "billing mode to provisioned", want: func(p *spec.DynamoDBTable) { p.BillingMode, p.ReadCapacity, p.WriteCapacity = "PROVISIONED", 5, 5 },
			diffs: []change{{"billing_mode", false}, {"read_capacity", false}, {"write_capacity", false}}},
		{name: "read capacity", live: ddbProvisioned(5, 5), want: ddbProvisioned(10, 5), diffs: []change{{"read_capacity", false}}},
		{name: "write capacity", live: ddbProvisioned(5, 5), want: ddbProvisioned(5, 10), diffs: []change{{"write_capacity", false}}},
		{name: "capacity ignored on demand", want: func(p *spec.DynamoDBTable) { p.ReadCapacity = 7 }},
		{name: "stream on", want: func(p *spec.DynamoDBTable) { p.StreamViewType = "NEW_IMAGE" }, diffs: []change{{"stream_view_type", false}}},
		{name: "stream off", live: func(p *spec.DynamoDBTable) { p.StreamViewType = "NEW_IMAGE" }, diffs: []change{{"stream_view_type", false}}},
		{name: "stream view type, in place by disable and enable",
			live:  func(p *spec.DynamoDBTable) { p.StreamViewType = "NEW_IMAGE" },
			want:  func(p *spec.DynamoDBTable) { p.StreamViewType = "KEYS_ONLY" },
			diffs: []change{{"stream_view_type", false}}},
		{name: "point in time recovery", want: func(p *spec.DynamoDBTable) { p.PointInTimeRecovery = true }, diffs: []change{{"point_in_time_recovery", false}}},
		{name: "sse off", want: func(p *spec.DynamoDBTable) { p.SSE.Enabled = false }, diffs: []change{{"sse.enabled", false}}},
		{name: "sse customer key", want: func(p *spec.DynamoDBTable) { p.SSE.KMSKeyARN = "arn:aws:kms:us-east-1:1:key/mine" },
			diffs: []change{{"sse.kms_key_arn", false}}},
		{name: "managed key observed by its arn is no diff", live: func(p *spec.DynamoDBTable) { p.SSE.KMSKeyARN = "arn:aws:kms:us-east-1:1:key/managed" }},
		{name: "ttl attribute", want: func(p *spec.DynamoDBTable) { p.TTLAttribute = "expires_at" }, diffs: []change{{"ttl_attribute", false}}},
		{name: "deletion protection", want: func(p *spec.DynamoDBTable) { p.DeletionProtection = true }, diffs: []change{{"deletion_protection", false}}},
		{name: "hash key name", want: func(p *spec.DynamoDBTable) { p.HashKey.Name = "id" }, diffs: []change{{"hash_key", true}}},
		{name: "hash key type", want: func(p *spec.DynamoDBTable) { p.HashKey.Type = "N" }, diffs: []change{{"hash_key", true}}},
		{name: "range key added", want: func(p *spec.DynamoDBTable) { p.RangeKey = &spec.Key{Name: "sk", Type: "S"} }, diffs: []change{{"range_key", true}}},
		{name: "range key removed", live: func(p *spec.DynamoDBTable) { p.RangeKey = &spec.Key{Name: "sk", Type: "S"} }, diffs: []change{{"range_key", true}}},
		{name: "range key type",
			live:  func(p *spec.DynamoDBTable) { p.RangeKey = &spec.Key{Name: "sk", Type: "S"} },
			want:  func(p *spec.DynamoDBTable) { p.RangeKey = &spec.Key{Name: "sk", Type: "N"} },
			diffs: []change{{"range_key", true}}},
	}
	k := newTestDDB(&ddbFake{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live, want := ddbProps0(), ddbProps0()
			if tt.live != nil {
				tt.live(live)
			}
			if tt.want != nil {
				tt.want(want)
			}
			var got []change
			for _, d := range tk[spec.DynamoDBTable](k).Diff(ddbDesired(want), ddbLive(live, nil)) {
				got = append(got, change{d.Path, d.ForceNew})
			}
			assert.Equal(t, tt.diffs, got)
		})
	}
}

func ddbProvisioned(r, w int) func(p *spec.DynamoDBTable) {
	return func(p *spec.DynamoDBTable) { p.BillingMode, p.ReadCapacity, p.WriteCapacity = "PROVISIONED", r, w }
}

func TestDynamoDBTableCreate(t *testing.T) {
	tbl := ddbTable("shop-events-dev")
	tbl.TableStatus = types.TableStatusCreating
	d := ddbDesired(ddbProps0())
	f := newDDBFake(tbl, d.Tags)
	var sent *dynamodb.CreateTableInput
	f.createTable = func(in *dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		sent = in
		if f.count("CreateTable") == 1 {
			return nil, ddbAPIErr("LimitExceededException", "Subscriber limit exceeded: Only 10 tables can be created, updated, or deleted simultaneously")
		}
		return &dynamodb.CreateTableOutput{}, nil
	}
	f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		if f.count("DescribeTable") >= 3 {
			tbl.TableStatus = types.TableStatusActive
		}
		return &dynamodb.DescribeTableOutput{Table: tbl}, nil
	}
	d.Props.(*spec.DynamoDBTable).StreamViewType = "NEW_AND_OLD_IMAGES"
	d.Props.(*spec.DynamoDBTable).DeletionProtection = true

	r, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 2, f.count("CreateTable"), "the account's concurrency limit is retried")
	assert.Equal(t, d.Tags, ddbTagMap(sent.Tags), "ownership tags go in CreateTable itself")
	assert.Equal(t, types.StreamViewTypeNewAndOldImages, sent.StreamSpecification.StreamViewType)
	assert.True(t, *sent.DeletionProtectionEnabled)
	assert.True(t, *sent.SSESpecification.Enabled)
	assert.Nil(t, sent.ProvisionedThroughput, "no throughput on demand")
	assert.GreaterOrEqual(t, f.count("DescribeTable"), 3, "waited while CREATING")
	assert.Zero(t, f.count("UpdateContinuousBackups"), "PITR off needs no call")
	assert.Equal(t, "shop-events-dev", r.ID)
	assert.Equal(t, tbl.TableArn, aws.String(r.Attrs["arn"]))
}

// TestDynamoDBTableCreateRounds: a new table missing from DescribeTable for a moment is waited
// for once; PITR and TTL are set and the table read back from CreateTable's ARN, every
// setting's read at once with the tags.
func TestDynamoDBTableCreateRounds(t *testing.T) {
	tbl := ddbTable("shop-events-dev")
	d := ddbDesired(ddbProps0())
	d.Props.(*spec.DynamoDBTable).PointInTimeRecovery = true
	d.Props.(*spec.DynamoDBTable).TTLAttribute = "expires_at"
	f := newDDBFake(tbl, d.Tags)
	f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		return &dynamodb.CreateTableOutput{TableDescription: tbl}, nil
	}
	var pitr, ttl atomic.Bool
	f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		if f.count("DescribeTable") == 1 {
			return nil, ddbAPIErr("ResourceNotFoundException", "Requested resource not found")
		}
		return &dynamodb.DescribeTableOutput{Table: tbl}, nil
	}
	f.updateContinuousBackups = func(*dynamodb.UpdateContinuousBackupsInput) (*dynamodb.UpdateContinuousBackupsOutput, error) {
		pitr.Store(true)
		return &dynamodb.UpdateContinuousBackupsOutput{}, nil
	}
	f.updateTimeToLive = func(*dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
		ttl.Store(true)
		return &dynamodb.UpdateTimeToLiveOutput{}, nil
	}
	f.describeContinuousBackups = func(*dynamodb.DescribeContinuousBackupsInput) (*dynamodb.DescribeContinuousBackupsOutput, error) {
		status := types.PointInTimeRecoveryStatusDisabled
		if pitr.Load() {
			status = types.PointInTimeRecoveryStatusEnabled
		}
		return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &types.ContinuousBackupsDescription{
			PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: status}}}, nil
	}
	f.describeTimeToLive = func(*dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error) {
		if !ttl.Load() {
			return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}}, nil
		}
		return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: &types.TimeToLiveDescription{
			TimeToLiveStatus: types.TimeToLiveStatusEnabled, AttributeName: aws.String("expires_at")}}, nil
	}

	r, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 3, f.count("DescribeTable"), "not found once, active, the read-back")
	assert.Equal(t, 1, f.count("UpdateContinuousBackups"))
	assert.Equal(t, 1, f.count("UpdateTimeToLive"))
	assert.Equal(t, 1, f.count("ListTagsOfResource"))
	got := r.Props.(*spec.DynamoDBTable)
	assert.True(t, got.PointInTimeRecovery)
	assert.Equal(t, "expires_at", got.TTLAttribute)
	assert.Equal(t, d.Tags, r.Tags)
	assert.Equal(t, aws.ToString(tbl.TableArn), r.Attrs["arn"])
}

func ddbTagMap(tags []types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		out[*t.Key] = *t.Value
	}
	return out
}

func TestDynamoDBTableCreateRetriesPITRUnavailable(t *testing.T) {
	p := ddbProps0()
	p.PointInTimeRecovery = true
	p.TTLAttribute = "expires_at"
	d := ddbDesired(p)
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		return &dynamodb.CreateTableOutput{}, nil
	}
	f.updateContinuousBackups = func(in *dynamodb.UpdateContinuousBackupsInput) (*dynamodb.UpdateContinuousBackupsOutput, error) {
		if f.count("UpdateContinuousBackups") < 3 {
			return nil, &types.ContinuousBackupsUnavailableException{Message: aws.String("Backups are being enabled for the table")}
		}
		assert.True(t, *in.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled)
		return &dynamodb.UpdateContinuousBackupsOutput{}, nil
	}
	var ttl *types.TimeToLiveSpecification
	f.updateTimeToLive = func(in *dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
		ttl = in.TimeToLiveSpecification
		return &dynamodb.UpdateTimeToLiveOutput{}, nil
	}

	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 3, f.count("UpdateContinuousBackups"))
	require.NotNil(t, ttl)
	assert.Equal(t, "expires_at", *ttl.AttributeName)
	assert.True(t, *ttl.Enabled)
}

func TestDynamoDBTableCreateAdoptsOurs(t *testing.T) {
	p := ddbProps0()
	p.PointInTimeRecovery = true
	d := ddbDesired(p)
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + d.Name)}
	}

	r, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, d.Name, r.ID)
	assert.Equal(t, 1, f.count("CreateTable"), "exists is not retried")
	assert.Equal(t, 1, f.count("UpdateContinuousBackups"), "the adopted table is brought to d")
}

func TestDynamoDBTableCreateRefusesNotOurs(t *testing.T) {
	tests := map[string]map[string]string{
		"untagged":       nil,
		"user tags only": {"Project": "shop"},
		"another suffix": state.Owner{Stack: "shop", Suffix: "prod", ID: "events"}.Tags(),
		"another id":     state.Owner{Stack: "shop", Suffix: "dev", ID: "orders"}.Tags(),
	}
	for name, tags := range tests {
		t.Run(name, func(t *testing.T) {
			p := ddbProps0()
			p.PointInTimeRecovery = true
			d := ddbDesired(p)
			f := newDDBFake(ddbTable(d.Name), tags)
			f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
				return nil, &types.ResourceInUseException{Message: aws.String("Table already exists")}
			}
			_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), d.Name)
			for _, op := range []string{"UpdateTable", "TagResource", "UntagResource", "UpdateContinuousBackups", "UpdateTimeToLive", "DeleteTable"} {
				assert.Zero(t, f.count(op), "%s on a table that is not ours", op)
			}
		})
	}
}

func TestDynamoDBTableUpdateRetriesBusyAndWaits(t *testing.T) {
	tbl := ddbTable("shop-events-dev")
	d := ddbDesired(ddbProps0())
	f := newDDBFake(tbl, d.Tags)
	f.updateTable = func(in *dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error) {
		if f.count("UpdateTable") < 3 {
			return nil, &types.ResourceInUseException{Message: aws.String("Attempt to change a resource which is still in use: Table is being updated")}
		}
		assert.Equal(t, types.BillingModeProvisioned, in.BillingMode)
		assert.Equal(t, int64(5), *in.ProvisionedThroughput.ReadCapacityUnits)
		tbl.TableStatus = types.TableStatusUpdating
		return &dynamodb.UpdateTableOutput{}, nil
	}
	describes := 0
	f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		describes++
		if tbl.TableStatus == types.TableStatusUpdating && describes > 2 {
			tbl.TableStatus = types.TableStatusActive
		}
		return &dynamodb.DescribeTableOutput{Table: tbl}, nil
	}
	want := ddbProps0()
	ddbProvisioned(5, 5)(want)
	d.Props = want

	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Update(context.Background(), d, ddbLive(ddbProps0(), d.Tags))
	require.NoError(t, err)
	assert.Equal(t, 3, f.count("UpdateTable"))
	assert.GreaterOrEqual(t, describes, 3, "waited while UPDATING")
}

func TestDynamoDBTableUpdateEachField(t *testing.T) {
	live := ddbProps0()
	live.StreamViewType = "NEW_IMAGE"
	want := ddbProps0()
	want.StreamViewType = "KEYS_ONLY"
	want.SSE = spec.SSE{Enabled: true, KMSKeyARN: "arn:aws:kms:us-east-1:1:key/mine"}
	want.DeletionProtection = true
	want.PointInTimeRecovery = true
	d := ddbDesired(want)
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	updates := ddbRecordUpdates(f)

	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Update(context.Background(), d, ddbLive(live, d.Tags))
	require.NoError(t, err)
	require.Len(t, *updates, 4, "one UpdateTable per change")
	u := *updates
	assert.False(t, *u[0].StreamSpecification.StreamEnabled, "the old stream is disabled first")
	assert.True(t, *u[1].StreamSpecification.StreamEnabled)
	assert.Equal(t, types.StreamViewTypeKeysOnly, u[1].StreamSpecification.StreamViewType)
	assert.Equal(t, "arn:aws:kms:us-east-1:1:key/mine", *u[2].SSESpecification.KMSMasterKeyId)
	assert.True(t, *u[3].DeletionProtectionEnabled)
	assert.Equal(t, 1, f.count("UpdateContinuousBackups"))
	assert.Zero(t, f.count("TagResource")+f.count("UntagResource"), "tags already equal")
}

// TestDynamoDBTableUpdateFollowsChanges: Update makes the calls of the paths the plan's
// changes name, and none for a path they do not name even where live and the spec differ.
func TestDynamoDBTableUpdateFollowsChanges(t *testing.T) {
	warm := func(r, w int) *spec.WarmThroughput {
		return &spec.WarmThroughput{ReadUnitsPerSecond: r, WriteUnitsPerSecond: w}
	}
	cases := []struct {
		name    string
		live    func(p *spec.DynamoDBTable)
		want    func(p *spec.DynamoDBTable)
		changes reconcile.Changes // nil: the plan's, from reconcile.Compare
		calls   []string
	}{
		{"billing mode", nil, ddbProvisioned(5, 5), nil, []string{"UpdateTable"}},
		{"stream on", nil, func(p *spec.DynamoDBTable) { p.StreamViewType = "NEW_IMAGE" }, nil, []string{"UpdateTable"}},
		{"deletion protection", nil, func(p *spec.DynamoDBTable) { p.DeletionProtection = true }, nil, []string{"UpdateTable"}},
		{"warm raised", func(p *spec.DynamoDBTable) { p.WarmThroughput = warm(12000, 4000) },
			func(p *spec.DynamoDBTable) { p.WarmThroughput = warm(20000, 4000) }, nil, []string{"UpdateTable"}},
		{"point-in-time recovery", nil, func(p *spec.DynamoDBTable) { p.PointInTimeRecovery = true }, nil, []string{"UpdateContinuousBackups"}},
		{"ttl", nil, func(p *spec.DynamoDBTable) { p.TTLAttribute = "expires" }, nil, []string{"UpdateTimeToLive"}},
		{"a difference the changes do not name", nil, func(p *spec.DynamoDBTable) { p.DeletionProtection = true },
			reconcile.Changes{}, nil},
		{"warm only lowered, as an adoption sees it", func(p *spec.DynamoDBTable) { p.WarmThroughput = warm(20000, 4000) },
			func(p *spec.DynamoDBTable) { p.WarmThroughput = warm(12000, 4000) },
			reconcile.Changes{{Path: "warm_throughput.read_units_per_second", Impossible: "lowered"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live, want := ddbProps0(), ddbProps0()
			if tc.live != nil {
				tc.live(live)
			}
			tc.want(want)
			d := ddbDesired(want)
			f := newDDBFake(ddbTable(d.Name), d.Tags)
			f.updateContinuousBackups = func(*dynamodb.UpdateContinuousBackupsInput) (*dynamodb.UpdateContinuousBackupsOutput, error) {
				return &dynamodb.UpdateContinuousBackupsOutput{}, nil
			}
			f.updateTimeToLive = func(*dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
				return &dynamodb.UpdateTimeToLiveOutput{}, nil
			}
			k := newTestDDB(f)
			var err error
			if tc.changes == nil {
				_, err = tk[spec.DynamoDBTable](k).Update(context.Background(), d, ddbLive(live, d.Tags))
			} else {
				_, err = reconcile.Adapt[spec.DynamoDBTable](k).Update(context.Background(), d, ddbLive(live, d.Tags), tc.changes)
			}
			require.NoError(t, err)
			var writes []string
			for _, c := range f.calls {
				if strings.HasPrefix(c, "Update") || strings.HasPrefix(c, "Tag") || strings.HasPrefix(c, "Untag") {
					writes = append(writes, c)
				}
			}
			assert.Equal(t, tc.calls, writes)
		})
	}
}

func TestDynamoDBTableUpdateTTLOncePerHour(t *testing.T) {
	live, want := ddbProps0(), ddbProps0()
	live.TTLAttribute, want.TTLAttribute = "old_ttl", "new_ttl"
	d := ddbDesired(want)
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	var specs []types.TimeToLiveSpecification
	f.updateTimeToLive = func(in *dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
		specs = append(specs, *in.TimeToLiveSpecification)
		if len(specs) == 2 {
			return nil, ddbAPIErr("ValidationException", "Time to live has been modified multiple times within a fixed interval")
		}
		return &dynamodb.UpdateTimeToLiveOutput{}, nil
	}

	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Update(context.Background(), d, ddbLive(live, d.Tags))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `TTL on "old_ttl" is now disabled, and AWS allows one TTL change per table per hour`)
	assert.Contains(t, err.Error(), `enable time to live on "new_ttl"`)
	require.Len(t, specs, 2)
	assert.Equal(t, "old_ttl", *specs[0].AttributeName)
	assert.False(t, *specs[0].Enabled, "the old attribute is disabled first")
	assert.Equal(t, "new_ttl", *specs[1].AttributeName)
}

func TestDynamoDBTableUpdateTags(t *testing.T) {
	d := ddbDesired(ddbProps0())
	d.Tags["Team"] = "payments"
	have := ddbTestOwner.Tags()
	have["Project"] = "old"
	have["Extra"] = "x"
	have["aws:cloudformation:stack-name"] = "not ours to remove"
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	var set map[string]string
	var removed []string
	f.tagResource = func(in *dynamodb.TagResourceInput) (*dynamodb.TagResourceOutput, error) {
		set = ddbTagMap(in.Tags)
		return &dynamodb.TagResourceOutput{}, nil
	}
	f.untagResource = func(in *dynamodb.UntagResourceInput) (*dynamodb.UntagResourceOutput, error) {
		removed = in.TagKeys
		return &dynamodb.UntagResourceOutput{}, nil
	}

	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Update(context.Background(), d, ddbLive(ddbProps0(), have))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Project": "shop", "Team": "payments"}, set)
	assert.Equal(t, []string{"Extra"}, removed)
}

func TestDynamoDBTableDeleteNotFound(t *testing.T) {
	notFound := &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	t.Run("already gone", func(t *testing.T) {
		f := &ddbFake{describeTable: func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) { return nil, notFound }}
		require.NoError(t, newTestDDB(f).Delete(context.Background(), ddbLive(ddbProps0(), nil)))
		assert.Zero(t, f.count("DeleteTable"))
	})
	t.Run("gone between describe and delete", func(t *testing.T) {
		d := ddbDesired(ddbProps0())
		f := newDDBFake(ddbTable(d.Name), d.Tags)
		f.deleteTable = func(*dynamodb.DeleteTableInput) (*dynamodb.DeleteTableOutput, error) { return nil, notFound }
		f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
			if f.count("DeleteTable") > 0 {
				return nil, notFound
			}
			return &dynamodb.DescribeTableOutput{Table: ddbTable(d.Name)}, nil
		}
		require.NoError(t, newTestDDB(f).Delete(context.Background(), ddbLive(ddbProps0(), d.Tags)))
	})
	t.Run("read maps not found", func(t *testing.T) {
		f := &ddbFake{describeTable: func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) { return nil, notFound }}
		_, err := newTestDDB(f).read(context.Background(), "gone", nil)
		require.ErrorIs(t, err, reconcile.ErrNotFound)
		assert.Contains(t, err.Error(), "describe dynamodb table gone")
	})
}

func TestDynamoDBTableDeleteBusyThenWaitsGone(t *testing.T) {
	d := ddbDesired(ddbProps0())
	tbl := ddbTable(d.Name)
	f := newDDBFake(tbl, d.Tags)
	f.deleteTable = func(*dynamodb.DeleteTableInput) (*dynamodb.DeleteTableOutput, error) {
		if f.count("DeleteTable") == 1 {
			return nil, &types.ResourceInUseException{Message: aws.String("Table is being updated")}
		}
		tbl.TableStatus = types.TableStatusDeleting
		return &dynamodb.DeleteTableOutput{}, nil
	}
	deleting := 0
	f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		if tbl.TableStatus == types.TableStatusDeleting {
			if deleting++; deleting > 2 {
				return nil, &types.ResourceNotFoundException{Message: aws.String("not found")}
			}
		}
		return &dynamodb.DescribeTableOutput{Table: tbl}, nil
	}

	require.NoError(t, newTestDDB(f).Delete(context.Background(), ddbLive(ddbProps0(), d.Tags)))
	assert.Equal(t, 2, f.count("DeleteTable"), "busy table retried")
	assert.Equal(t, 3, deleting, "polled until gone")
}

func TestDynamoDBTableDeleteRefuses(t *testing.T) {
	t.Run("deletion protection", func(t *testing.T) {
		d := ddbDesired(ddbProps0())
		tbl := ddbTable(d.Name)
		tbl.DeletionProtectionEnabled = aws.Bool(true)
		f := newDDBFake(tbl, d.Tags)
		err := newTestDDB(f).Delete(context.Background(), ddbLive(ddbProps0(), d.Tags))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "shop-events-dev")
		assert.Contains(t, err.Error(), "set deletion_protection: false")
		assert.Zero(t, f.count("DeleteTable")+f.count("UpdateTable"), "protection is never removed behind the user's back")
	})
	t.Run("tags no longer ours", func(t *testing.T) {
		f := newDDBFake(ddbTable("shop-events-dev"), map[string]string{"Project": "shop"})
		err := newTestDDB(f).Delete(context.Background(), ddbLive(ddbProps0(), nil))
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		assert.Zero(t, f.count("DeleteTable"))
	})
}

func TestDynamoDBTableListFiltersByTags(t *testing.T) {
	tagsOf := map[string]map[string]string{
		"ours-dev":        ddbTestOwner.Tags(),
		"other-sfx-dev":   state.Owner{Stack: "shop", Suffix: "prod", ID: "events"}.Tags(),
		"other-stack-dev": state.Owner{Stack: "blog", Suffix: "dev", ID: "posts"}.Tags(),
		"untagged-dev":    nil,
	}
	f := newDDBFake(nil, nil)
	f.listTables = func(in *dynamodb.ListTablesInput) (*dynamodb.ListTablesOutput, error) {
		if in.ExclusiveStartTableName == nil {
			return &dynamodb.ListTablesOutput{TableNames: []string{"other-sfx-dev", "ours-dev"}, LastEvaluatedTableName: aws.String("ours-dev")}, nil
		}
		return &dynamodb.ListTablesOutput{TableNames: []string{"other-stack-dev", "untagged-dev", "vanished-dev", "denied-dev", "someone-elses"}}, nil
	}
	f.describeTable = func(in *dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		switch *in.TableName {
		case "vanished-dev":
			return nil, &types.ResourceNotFoundException{Message: aws.String("not found")}
		case "denied-dev":
			return nil, ddbAPIErr("AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/deploy/x is not authorized to perform: dynamodb:DescribeTable")
		case "someone-elses":
			t.Error("a table without our suffix in its name is not read")
		}
		return &dynamodb.DescribeTableOutput{Table: ddbTable(*in.TableName)}, nil
	}
	f.listTagsOfResource = func(in *dynamodb.ListTagsOfResourceInput) (*dynamodb.ListTagsOfResourceOutput, error) {
		name := (*in.ResourceArn)[len("arn:aws:dynamodb:us-east-1:111122223333:table/"):]
		// two pages of tags for ours, to exercise NextToken
		if name == "ours-dev" && in.NextToken == nil {
			return &dynamodb.ListTagsOfResourceOutput{Tags: []types.Tag{{Key: aws.String(state.TagStack), Value: aws.String("shop")}}, NextToken: aws.String("p2")}, nil
		}
		return &dynamodb.ListTagsOfResourceOutput{Tags: awscall.TagList(tagsOf[name], ddbTag)}, nil
	}

	k := newTestDDB(f)
	inv, err := reconcile.Discover(context.Background(), reconcile.Registry{reconcile.Adapt[spec.DynamoDBTable](k)}, state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err, "AccessDenied on a table not ours does not fail discovery")
	got := inv.Resources
	require.Len(t, inv.Unreadable, 1)
	assert.Equal(t, "denied-dev", inv.Unreadable[0].Name)
	require.Len(t, got, 1)
	assert.Equal(t, "ours-dev", got[0].ID)
	assert.Equal(t, ddbTestOwner, got[0].Owner)
	assert.Empty(t, tk[spec.DynamoDBTable](k).Diff(ddbDesired(ddbProps0()), got[0]), "observed in the spec's language")
	assert.Equal(t, 1, f.count("DescribeContinuousBackups"), "only ours is observed further")
	assert.Equal(t, map[string]string{"arn": "arn:aws:dynamodb:us-east-1:111122223333:table/ours-dev", "name": "ours-dev", "stream_arn": ""}, got[0].Attrs)
}

func TestDynamoDBTableListError(t *testing.T) {
	f := &ddbFake{listTables: func(*dynamodb.ListTablesInput) (*dynamodb.ListTablesOutput, error) {
		return nil, ddbAPIErr("AccessDeniedException", "no")
	}}
	_, err := newTestDDB(f).List(context.Background(), state.Selector{Suffix: "dev"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "list dynamodb tables")
	assert.False(t, errors.Is(err, reconcile.ErrNotFound))
}

func TestDynamoDBTableCreateAfterDestroyWaitsOutDeleting(t *testing.T) {
	d := ddbDesired(ddbProps0())
	tbl := ddbTable(d.Name)
	tbl.TableStatus = types.TableStatusDeleting
	f := newDDBFake(tbl, d.Tags)
	gone := false
	f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		if !gone {
			return nil, &types.ResourceInUseException{Message: aws.String("Table is being deleted")}
		}
		tbl = ddbTable(d.Name)
		return &dynamodb.CreateTableOutput{}, nil
	}
	polls := 0
	f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		if tbl.TableStatus == types.TableStatusDeleting {
			if polls++; polls > 2 {
				gone = true
				return nil, &types.ResourceNotFoundException{Message: aws.String("not found")}
			}
		}
		return &dynamodb.DescribeTableOutput{Table: tbl}, nil
	}

	r, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 2, f.count("CreateTable"), "created anew once the old table was gone")
	assert.Equal(t, types.TableStatusActive, tbl.TableStatus)
	assert.Equal(t, d.Name, r.ID)
	assert.Zero(t, f.count("UpdateTable"), "a table being deleted is not adopted")
}

func TestDynamoDBTableAdoptWaitsActive(t *testing.T) {
	d := ddbDesired(ddbProps0())
	tbl := ddbTable(d.Name)
	tbl.TableStatus = types.TableStatusCreating
	f := newDDBFake(tbl, d.Tags)
	f.createTable = func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists")}
	}
	describe := f.describeTable
	f.describeTable = func(in *dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		if f.count("DescribeTable") > 4 {
			tbl.TableStatus = types.TableStatusActive
		}
		return describe(in)
	}
	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, types.TableStatusActive, tbl.TableStatus, "returned only once ACTIVE")
}

func TestDynamoDBTableBusyErrors(t *testing.T) {
	tests := []struct {
		err   error
		retry bool
	}{
		{&types.ResourceInUseException{Message: aws.String("Table is being updated")}, true},
		{&types.LimitExceededException{Message: aws.String("Subscriber limit exceeded: Only 10 tables can be created, updated, or deleted simultaneously")}, true},
		{&types.LimitExceededException{Message: aws.String("Billing mode can only be switched to on-demand 4 times per 24 hours")}, false},
		{ddbAPIErr("ValidationException", "One or more parameter values were invalid"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.retry, ddbBusy(tt.err), "%v", tt.err)
	}
}

func ddbWarmProps(r, w int) func(p *spec.DynamoDBTable) {
	return func(p *spec.DynamoDBTable) {
		p.WarmThroughput = &spec.WarmThroughput{ReadUnitsPerSecond: r, WriteUnitsPerSecond: w}
	}
}

// Warm throughput: compared only when the spec sets it, a raise is an update, a decrease is
// impossible (never a replacement, which would lose the table's data).
func TestDynamoDBTableDiffWarmThroughput(t *testing.T) {
	tests := []struct {
		name       string
		live, want func(p *spec.DynamoDBTable)
		paths      []string
		impossible []string
	}{
		{name: "not in the spec: the live default is no diff", live: ddbWarmProps(12000, 4000)},
		{name: "equal", live: ddbWarmProps(12000, 70000), want: ddbWarmProps(12000, 70000)},
		{name: "raise writes", live: ddbWarmProps(12000, 4000), want: ddbWarmProps(12000, 70000),
			paths: []string{"warm_throughput.write_units_per_second"}},
		{name: "raise both", live: ddbWarmProps(12000, 4000), want: ddbWarmProps(15000, 70000),
			paths: []string{"warm_throughput.read_units_per_second", "warm_throughput.write_units_per_second"}},
		{name: "lower writes", live: ddbWarmProps(12000, 70000), want: ddbWarmProps(12000, 60000),
			paths: []string{"warm_throughput.write_units_per_second"}, impossible: []string{"warm_throughput.write_units_per_second"}},
		{name: "raise one, lower the other", live: ddbWarmProps(20000, 4000), want: ddbWarmProps(12000, 70000),
			paths:      []string{"warm_throughput.read_units_per_second", "warm_throughput.write_units_per_second"},
			impossible: []string{"warm_throughput.read_units_per_second"}},
		{name: "not observed", want: ddbWarmProps(12000, 70000), paths: []string{"warm_throughput"}},
	}
	k := tk[spec.DynamoDBTable](newTestDDB(&ddbFake{}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live, want := ddbProps0(), ddbProps0()
			for f, p := range map[*func(*spec.DynamoDBTable)]*spec.DynamoDBTable{&tt.live: live, &tt.want: want} {
				if *f != nil {
					(*f)(p)
				}
			}
			var paths, impossible []string
			for _, d := range k.Diff(ddbDesired(want), ddbLive(live, nil)) {
				paths = append(paths, d.Path)
				assert.False(t, d.ForceNew, "%s never forces a replacement", d.Path)
				if d.Impossible != "" {
					impossible = append(impossible, d.Path)
					assert.Contains(t, d.Impossible, "raised, never lowered")
				}
			}
			assert.Equal(t, tt.paths, paths)
			assert.Equal(t, tt.impossible, impossible)
		})
	}
}

func TestDynamoDBTableCreateWarmThroughput(t *testing.T) {
	tbl := ddbTable("shop-events-dev")
	tbl.WarmThroughput = &types.TableWarmThroughputDescription{ReadUnitsPerSecond: aws.Int64(12000), WriteUnitsPerSecond: aws.Int64(70000), Status: types.TableStatusUpdating}
	p := ddbProps0()
	ddbWarmProps(12000, 70000)(p)
	d := ddbDesired(p)
	f := newDDBFake(tbl, d.Tags)
	f.createTable = func(in *dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error) {
		require.NotNil(t, in.WarmThroughput, "warm throughput goes in CreateTable itself")
		assert.Equal(t, int64(12000), aws.ToInt64(in.WarmThroughput.ReadUnitsPerSecond))
		assert.Equal(t, int64(70000), aws.ToInt64(in.WarmThroughput.WriteUnitsPerSecond))
		return &dynamodb.CreateTableOutput{}, nil
	}
	describes := 0
	f.describeTable = func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
		if describes++; describes > 2 {
			tbl.WarmThroughput.Status = types.TableStatusActive
		}
		return &dynamodb.DescribeTableOutput{Table: tbl}, nil
	}
	r, err := tk[spec.DynamoDBTable](newTestDDB(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Greater(t, describes, 2, "waited while the warm throughput was UPDATING")
	assert.Equal(t, &spec.WarmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 70000}, r.Props.(*spec.DynamoDBTable).WarmThroughput)
}

// Update raises only: a field already higher live is sent at its live value, never lower.
func TestDynamoDBTableUpdateWarmThroughputRaisesOnly(t *testing.T) {
	live, want := ddbProps0(), ddbProps0()
	ddbWarmProps(20000, 4000)(live)
	ddbWarmProps(12000, 70000)(want)
	d := ddbDesired(want)
	f := newDDBFake(ddbTable(d.Name), d.Tags)
	updates := ddbRecordUpdates(f)
	_, err := tk[spec.DynamoDBTable](newTestDDB(f)).Update(context.Background(), d, ddbLive(live, d.Tags))
	require.NoError(t, err)
	require.Len(t, *updates, 1)
	assert.Equal(t, int64(20000), aws.ToInt64((*updates)[0].WarmThroughput.ReadUnitsPerSecond), "reads stay at live's")
	assert.Equal(t, int64(70000), aws.ToInt64((*updates)[0].WarmThroughput.WriteUnitsPerSecond))

	*updates = nil
	_, err = tk[spec.DynamoDBTable](newTestDDB(f)).Update(context.Background(), ddbDesired(live), ddbLive(live, d.Tags))
	require.NoError(t, err)
	assert.Empty(t, *updates, "nothing to raise, nothing sent")
}

// ddbRecordUpdates makes every UpdateTable of f succeed and records its input.
func ddbRecordUpdates(f *ddbFake) *[]*dynamodb.UpdateTableInput {
	var updates []*dynamodb.UpdateTableInput
	f.updateTable = func(in *dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error) {
		updates = append(updates, in)
		return &dynamodb.UpdateTableOutput{}, nil
	}
	return &updates
}
