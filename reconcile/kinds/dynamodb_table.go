package kinds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// DynamoDBTableAPI is the part of the DynamoDB API the dynamodb.table kind uses;
// *dynamodb.Client satisfies it.
type DynamoDBTableAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
	DeleteTable(ctx context.Context, in *dynamodb.DeleteTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error)
	ListTables(ctx context.Context, in *dynamodb.ListTablesInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error)
	ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
	TagResource(ctx context.Context, in *dynamodb.TagResourceInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *dynamodb.UntagResourceInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error)
	DescribeContinuousBackups(ctx context.Context, in *dynamodb.DescribeContinuousBackupsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	UpdateContinuousBackups(ctx context.Context, in *dynamodb.UpdateContinuousBackupsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateContinuousBackupsOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// DynamoDBTable is the dynamodb.table kind. Its ID and name are the table name.
//
// Only the key schema (hash_key, range_key) forces a replacement. Everything else changes in
// place, including the stream view type: AWS cannot change the view type of an enabled
// stream, so Update disables the stream, waits, and enables it with the new view type. That
// keeps the table's data (a replacement would lose it) at the cost of a new stream ARN; the old
// stream stays readable for 24 hours.
//
// SSE with the AWS-managed key (sse.enabled true, no kms_key_arn) is observed with the ARN of
// that key, which cannot be told from a customer key without KMS; Diff therefore compares
// sse.kms_key_arn only when the spec names a key.
type DynamoDBTable struct {
	api  DynamoDBTableAPI
	wait reconcile.Backoff
}

// NewDynamoDBTable returns the dynamodb.table kind over a DynamoDB client.
func NewDynamoDBTable(api DynamoDBTableAPI) *DynamoDBTable {
	return &DynamoDBTable{api: api, wait: reconcile.DefaultBackoff}
}

// Kind implements reconcile.Kind.
func (k *DynamoDBTable) Kind() string { return "dynamodb.table" }

// ddbNotFound maps DynamoDB's not-found codes to reconcile.ErrNotFound, keeping the cause.
func ddbNotFound(err error) error {
	return awscall.NotFound(err, awscall.ResourceNotFoundException, awscall.TableNotFoundException)
}

// ddbBusy reports errors that mean "the table or the account's control plane is busy, try
// again": a table still CREATING/UPDATING answers ResourceInUseException, and more than a
// handful of simultaneous table operations per account answer LimitExceededException.
func ddbBusy(err error) bool {
	if awscall.Is(err, awscall.ResourceInUseException) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return awscall.Is(err, awscall.LimitExceededException) &&
		(strings.Contains(msg, "simultaneous") || strings.Contains(msg, "subscriber limit"))
}

// ---- diff ----

// Diff implements reconcile.Kind. Only the key schema forces a replacement.
func (k *DynamoDBTable) Diff(d reconcile.Want[*spec.DynamoDBTable], live reconcile.Have[*spec.DynamoDBTable]) []reconcile.FieldDiff {
	want, have := d.Props, live.Props
	var ds reconcile.Diffs
	ds.ForceNew("hash_key", have.HashKey, want.HashKey)
	ds.ForceNew("range_key", have.RangeKey, want.RangeKey)
	ds.Field("billing_mode", have.BillingMode, want.BillingMode)
	if want.BillingMode == string(types.BillingModeProvisioned) {
		ds.Field("read_capacity", have.ReadCapacity, want.ReadCapacity)
		ds.Field("write_capacity", have.WriteCapacity, want.WriteCapacity)
	}
	ds.Field("stream_view_type", have.StreamViewType, want.StreamViewType)
	ds.Field("point_in_time_recovery", have.PointInTimeRecovery, want.PointInTimeRecovery)
	ds.Field("sse.enabled", have.SSE.Enabled, want.SSE.Enabled)
	if want.SSE.Enabled && want.SSE.KMSKeyARN != "" {
		ds.Field("sse.kms_key_arn", have.SSE.KMSKeyARN, want.SSE.KMSKeyARN)
	}
	ds.Field("ttl_attribute", have.TTLAttribute, want.TTLAttribute)
	ds.Field("deletion_protection", have.DeletionProtection, want.DeletionProtection)
	ddbWarmDiff(&ds, have.WarmThroughput, want.WarmThroughput)
	return ds
}

// ddbWarmDiff compares warm throughput only when the spec sets it (every live table has one).
// A raise is an update; a decrease is impossible on AWS, and a replacement would lose the
// table's data, so it is marked impossible and the plan refuses it.
func ddbWarmDiff(ds *reconcile.Diffs, have, want *spec.WarmThroughput) {
	if want == nil {
		return
	}
	if have == nil {
		ds.Field("warm_throughput", nil, want)
		return
	}
	for _, f := range []struct {
		path       string
		live, spec int
	}{
		{"warm_throughput.read_units_per_second", have.ReadUnitsPerSecond, want.ReadUnitsPerSecond},
		{"warm_throughput.write_units_per_second", have.WriteUnitsPerSecond, want.WriteUnitsPerSecond},
	} {
		switch {
		case f.spec > f.live:
			ds.Field(f.path, f.live, f.spec)
		case f.spec < f.live:
			ds.Impossible(f.path, f.live, f.spec, fmt.Sprintf(
				"warm throughput can be raised, never lowered: the table already takes %d; set at least that", f.live))
		}
	}
}

// ---- list and observe ----

// List implements reconcile.Kind: every table of the account and region, read tag by tag,
// keeping those whose ownership tags match sel.
func (k *DynamoDBTable) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	names, err := k.tableNames(ctx)
	if err != nil {
		return nil, err
	}
	names = slices.DeleteFunc(names, func(name string) bool {
		return !sel.MayName(name) // ListTables has no name filter: a name without our suffix is not read
	})
	return awscall.Gather(ctx, names, func(ctx context.Context, name string) (state.Resource, bool, error) {
		r, err := k.read(ctx, name, sel.Matches)
		if errors.Is(err, errDDBSkip) || awscall.Skippable(ctx, k.Kind(), name, err) {
			return state.Resource{}, false, nil // not ours, deleted since ListTables, or not ours to read
		}
		return r, err == nil, err
	})
}

var errDDBSkip = errors.New("not selected")

func (k *DynamoDBTable) tableNames(ctx context.Context) ([]string, error) {
	var names []string
	p := dynamodb.NewListTablesPaginator(k.api, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		page, err := awscall.Call(ctx, func(ctx context.Context) (*dynamodb.ListTablesOutput, error) { return p.NextPage(ctx) })
		if err != nil {
			return nil, fmt.Errorf("list dynamodb tables: %w", err)
		}
		names = append(names, page.TableNames...)
	}
	return names, nil
}

// read observes one table fully. keep decides from its tags whether to go on; when it says
// no, read returns errDDBSkip without the further calls.
func (k *DynamoDBTable) read(ctx context.Context, name string, keep func(map[string]string) bool) (state.Resource, error) {
	t, err := k.describe(ctx, name)
	if err != nil {
		return state.Resource{}, err
	}
	arn := aws.ToString(t.TableArn)
	tags, err := ownedTags(ctx, k.Kind(), arn, func(ctx context.Context) (map[string]string, error) { return k.tags(ctx, arn) })
	if err != nil {
		return state.Resource{}, fmt.Errorf("read tags of dynamodb table %s: %w", name, err)
	}
	if keep != nil && !keep(tags) {
		return state.Resource{}, errDDBSkip
	}
	var pitr bool
	var ttl string
	// PITR and TTL have an API each and need nothing of the other's answer: one round, not two.
	if err := awscall.All(ctx,
		func(ctx context.Context) (err error) { pitr, err = k.pitr(ctx, name); return err },
		func(ctx context.Context) (err error) { ttl, err = k.ttl(ctx, name); return err },
	); err != nil {
		return state.Resource{}, err
	}
	return k.resource(t, tags, pitr, ttl), nil
}

// readNew is read for a table this run made, whose ARN CreateTable answered: nothing waits
// for the tags, so the four reads are one round.
func (k *DynamoDBTable) readNew(ctx context.Context, name, arn string) (state.Resource, error) {
	if arn == "" {
		return k.read(ctx, name, nil)
	}
	var t *types.TableDescription
	var tags map[string]string
	var pitr bool
	var ttl string
	if err := awscall.All(ctx,
		func(ctx context.Context) (err error) { t, err = k.describe(ctx, name); return err },
		func(ctx context.Context) (err error) {
			if tags, err = k.tags(ctx, arn); err != nil {
				return fmt.Errorf("read tags of dynamodb table %s: %w", name, err)
			}
			return nil
		},
		func(ctx context.Context) (err error) { pitr, err = k.pitr(ctx, name); return err },
		func(ctx context.Context) (err error) { ttl, err = k.ttl(ctx, name); return err },
	); err != nil {
		return state.Resource{}, err
	}
	return k.resource(t, tags, pitr, ttl), nil
}

// resource is the observed table.
func (k *DynamoDBTable) resource(t *types.TableDescription, tags map[string]string, pitr bool, ttl string) state.Resource {
	props := ddbObserveTable(t)
	props.PointInTimeRecovery, props.TTLAttribute = pitr, ttl
	name := aws.ToString(t.TableName)
	owner, _ := state.OwnerOf(tags)
	return state.Resource{
		Kind: k.Kind(), Owner: owner, ID: name, Name: name, Tags: tags, Props: props,
		Attrs: map[string]string{"arn": aws.ToString(t.TableArn), "name": name, "stream_arn": ddbStreamARN(t)},
	}
}

func (k *DynamoDBTable) describe(ctx context.Context, name string) (*types.TableDescription, error) {
	out, err := awscall.Get(ctx, k.api.DescribeTable, &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		return nil, fmt.Errorf("describe dynamodb table %s: %w", name, ddbNotFound(err))
	}
	if out.Table == nil {
		return nil, fmt.Errorf("describe dynamodb table %s: empty answer", name)
	}
	return out.Table, nil
}

func (k *DynamoDBTable) tags(ctx context.Context, arn string) (map[string]string, error) {
	tags := map[string]string{}
	var token *string
	for {
		out, err := awscall.Get(ctx, k.api.ListTagsOfResource, &dynamodb.ListTagsOfResourceInput{ResourceArn: &arn, NextToken: token})
		if err != nil {
			return nil, ddbNotFound(err)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if token = out.NextToken; token == nil || *token == "" {
			return tags, nil
		}
	}
}

func (k *DynamoDBTable) pitr(ctx context.Context, name string) (bool, error) {
	out, err := awscall.Get(ctx, k.api.DescribeContinuousBackups, &dynamodb.DescribeContinuousBackupsInput{TableName: &name})
	if err != nil {
		return false, fmt.Errorf("describe continuous backups of dynamodb table %s: %w", name, ddbNotFound(err))
	}
	d := out.ContinuousBackupsDescription
	return d != nil && d.PointInTimeRecoveryDescription != nil &&
		d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled, nil
}

// ttl returns the TTL attribute, or "" when TTL is off or being turned off.
func (k *DynamoDBTable) ttl(ctx context.Context, name string) (string, error) {
	out, err := awscall.Get(ctx, k.api.DescribeTimeToLive, &dynamodb.DescribeTimeToLiveInput{TableName: &name})
	if err != nil {
		return "", fmt.Errorf("describe time to live of dynamodb table %s: %w", name, ddbNotFound(err))
	}
	d := out.TimeToLiveDescription
	if d == nil || (d.TimeToLiveStatus != types.TimeToLiveStatusEnabled && d.TimeToLiveStatus != types.TimeToLiveStatusEnabling) {
		return "", nil
	}
	return aws.ToString(d.AttributeName), nil
}

// ddbObserveTable maps what DescribeTable says to the spec's language (all but PITR and TTL,
// which have their own APIs).
func ddbObserveTable(t *types.TableDescription) *spec.DynamoDBTable {
	p := &spec.DynamoDBTable{BillingMode: string(types.BillingModeProvisioned)}
	if t.BillingModeSummary != nil && t.BillingModeSummary.BillingMode != "" {
		p.BillingMode = string(t.BillingModeSummary.BillingMode)
	}
	if p.BillingMode == string(types.BillingModeProvisioned) && t.ProvisionedThroughput != nil {
		p.ReadCapacity = int(aws.ToInt64(t.ProvisionedThroughput.ReadCapacityUnits))
		p.WriteCapacity = int(aws.ToInt64(t.ProvisionedThroughput.WriteCapacityUnits))
	}
	attrTypes := map[string]string{}
	for _, a := range t.AttributeDefinitions {
		attrTypes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	for _, e := range t.KeySchema {
		key := spec.Key{Name: aws.ToString(e.AttributeName), Type: attrTypes[aws.ToString(e.AttributeName)]}
		if e.KeyType == types.KeyTypeRange {
			p.RangeKey = &key
		} else {
			p.HashKey = key
		}
	}
	if s := t.StreamSpecification; s != nil && aws.ToBool(s.StreamEnabled) {
		p.StreamViewType = string(s.StreamViewType)
	}
	if w := t.WarmThroughput; w != nil && (w.ReadUnitsPerSecond != nil || w.WriteUnitsPerSecond != nil) {
		p.WarmThroughput = &spec.WarmThroughput{
			ReadUnitsPerSecond: int(aws.ToInt64(w.ReadUnitsPerSecond)), WriteUnitsPerSecond: int(aws.ToInt64(w.WriteUnitsPerSecond))}
	}
	p.SSE = ddbObserveSSE(t.SSEDescription)
	p.DeletionProtection = aws.ToBool(t.DeletionProtectionEnabled)
	return p
}

func ddbObserveSSE(d *types.SSEDescription) spec.SSE {
	if d == nil || d.Status == types.SSEStatusDisabled || d.Status == types.SSEStatusDisabling {
		return spec.SSE{} // AWS-owned key
	}
	return spec.SSE{Enabled: true, KMSKeyARN: aws.ToString(d.KMSMasterKeyArn)}
}

func ddbStreamARN(t *types.TableDescription) string {
	if t.StreamSpecification != nil && aws.ToBool(t.StreamSpecification.StreamEnabled) {
		return aws.ToString(t.LatestStreamArn)
	}
	return ""
}

// ---- create ----

// Create implements reconcile.Kind. Tags go in CreateTable itself; PITR and TTL, which
// CreateTable cannot set, follow once the table is ACTIVE. An existing table with this
// owner's tags is adopted and brought to d; one without them is refused untouched.
func (k *DynamoDBTable) Create(ctx context.Context, d reconcile.Want[*spec.DynamoDBTable]) (state.Resource, error) {
	in := ddbCreateInput(d.Name, d.Props, d.Tags)
	var out *dynamodb.CreateTableOutput
	err := k.wait.Retry(ctx, ddbLimited, func(ctx context.Context) (err error) {
		out, err = awscall.Get(ctx, k.api.CreateTable, in)
		return err
	})
	if awscall.Is(err, awscall.ResourceInUseException) {
		return k.adopt(ctx, d)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create dynamodb table %s: %w", d.Name, err)
	}
	if err := k.waitActive(ctx, d.Name, true); err != nil {
		return state.Resource{}, err
	}
	// A new table has both off: they are set only when the spec turns them on, at once (each
	// has its own API, and neither puts the table in UPDATING).
	var set []func(ctx context.Context) error
	if d.Props.PointInTimeRecovery {
		set = append(set, func(ctx context.Context) error { return k.setPITR(ctx, d.Name, true) })
	}
	if d.Props.TTLAttribute != "" {
		set = append(set, func(ctx context.Context) error { return k.setTTL(ctx, d.Name, "", d.Props.TTLAttribute) })
	}
	if err := awscall.All(ctx, set...); err != nil {
		return state.Resource{}, err
	}
	var arn string
	if out != nil && out.TableDescription != nil {
		arn = aws.ToString(out.TableDescription.TableArn)
	}
	var live state.Resource
	err = k.visible(ctx, d.Name, func(ctx context.Context) (err error) { live, err = k.readNew(ctx, d.Name, arn); return err })
	return live, err
}

// visible waits for read of a table just created to stop answering not found: DescribeTable,
// DescribeContinuousBackups and DescribeTimeToLive each miss a new table for a moment (the
// DescribeTable reference says so).
func (k *DynamoDBTable) visible(ctx context.Context, name string, read func(ctx context.Context) error) error {
	return awscall.Visible(ctx, k.wait, "dynamodb table "+name, read)
}

// ddbLimited: on CreateTable, ResourceInUseException means "exists", so only the account's
// concurrency limit is retried.
func ddbLimited(err error) bool {
	return !awscall.Is(err, awscall.ResourceInUseException) && ddbBusy(err)
}

// adopt handles CreateTable's "exists". A table being deleted (a rerun right after a
// destroy) is waited out and created anew; otherwise the table must be ours, and is waited
// for until ACTIVE and brought to d.
func (k *DynamoDBTable) adopt(ctx context.Context, d reconcile.Want[*spec.DynamoDBTable]) (state.Resource, error) {
	t, err := k.describe(ctx, d.Name)
	if errors.Is(err, reconcile.ErrNotFound) || (err == nil && t.TableStatus == types.TableStatusDeleting) {
		if err := k.waitGone(ctx, d.Name); err != nil {
			return state.Resource{}, fmt.Errorf("create dynamodb table %s: %w", d.Name, err)
		}
		return k.Create(ctx, d)
	}
	live, err := k.read(ctx, d.Name, nil)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create dynamodb table %s: exists, and reading it failed: %w", d.Name, err)
	}
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("create dynamodb table %s: table %s %w (its tags: %v)",
			d.Name, d.Name, reconcile.ErrNotOwned, awscall.OwnerTags(live.Tags))
	}
	if err := k.waitActive(ctx, d.Name, false); err != nil {
		return state.Resource{}, err
	}
	return miscAdopt(ctx, k, d, live)
}

func ddbCreateInput(name string, p *spec.DynamoDBTable, tags map[string]string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:                 aws.String(name),
		BillingMode:               types.BillingMode(p.BillingMode),
		DeletionProtectionEnabled: aws.Bool(p.DeletionProtection),
		Tags:                      awscall.TagList(tags, ddbTag),
	}
	keys := []struct {
		key  *spec.Key
		kind types.KeyType
	}{{&p.HashKey, types.KeyTypeHash}, {p.RangeKey, types.KeyTypeRange}}
	for _, k := range keys {
		if k.key == nil {
			continue
		}
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(k.key.Name), AttributeType: types.ScalarAttributeType(k.key.Type)})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(k.key.Name), KeyType: k.kind})
	}
	if p.BillingMode == string(types.BillingModeProvisioned) {
		in.ProvisionedThroughput = ddbThroughput(p)
	}
	if p.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(p.StreamViewType)}
	}
	if p.SSE.Enabled {
		in.SSESpecification = ddbSSESpec(p.SSE)
	}
	if w := p.WarmThroughput; w != nil {
		in.WarmThroughput = ddbWarm(w)
	}
	return in
}

func ddbWarm(w *spec.WarmThroughput) *types.WarmThroughput {
	return &types.WarmThroughput{ReadUnitsPerSecond: aws.Int64(int64(w.ReadUnitsPerSecond)), WriteUnitsPerSecond: aws.Int64(int64(w.WriteUnitsPerSecond))}
}

func ddbThroughput(p *spec.DynamoDBTable) *types.ProvisionedThroughput {
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(int64(p.ReadCapacity)), WriteCapacityUnits: aws.Int64(int64(p.WriteCapacity))}
}

func ddbSSESpec(s spec.SSE) *types.SSESpecification {
	if !s.Enabled {
		return &types.SSESpecification{Enabled: aws.Bool(false)}
	}
	out := &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms}
	if s.KMSKeyARN != "" {
		out.KMSMasterKeyId = aws.String(s.KMSKeyARN)
	}
	return out
}

// ddbTag builds one of the service's tags, for awscall.TagList.
func ddbTag(key, value *string) types.Tag { return types.Tag{Key: key, Value: value} }

// waitActive polls until the table is ACTIVE and any SSE or warm throughput change has
// settled (DynamoDB takes one of them at a time).
func (k *DynamoDBTable) waitActive(ctx context.Context, name string, fresh bool) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		t, err := k.describe(ctx, name)
		if err != nil {
			// A table just made is missing from DescribeTable for a moment (its reference says
			// so): not found then means not yet.
			return !(fresh && errors.Is(err, reconcile.ErrNotFound)), err
		}
		switch t.TableStatus {
		case types.TableStatusActive:
		case types.TableStatusCreating, types.TableStatusUpdating:
			return false, fmt.Errorf("table is %s", t.TableStatus)
		default:
			return true, fmt.Errorf("table is %s", t.TableStatus)
		}
		if s := t.SSEDescription; s != nil && (s.Status == types.SSEStatusEnabling || s.Status == types.SSEStatusDisabling || s.Status == types.SSEStatusUpdating) {
			return false, fmt.Errorf("encryption is %s", s.Status)
		}
		if w := t.WarmThroughput; w != nil && w.Status != "" && w.Status != types.TableStatusActive {
			return false, fmt.Errorf("warm throughput is %s", w.Status)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for dynamodb table %s to be active: %w", name, err)
	}
	return nil
}

// ---- update ----

// Update implements reconcile.Kind. Each changed path is its own UpdateTable call, since
// DynamoDB takes one kind of change per call, and each waits for the table to be ACTIVE again.
func (k *DynamoDBTable) Update(ctx context.Context, d reconcile.Want[*spec.DynamoDBTable], live reconcile.Have[*spec.DynamoDBTable], changes reconcile.Changes) (state.Resource, error) {
	want, have := d.Props, live.Props
	name := live.ID
	arn := live.Attrs["arn"]
	if arn == "" {
		t, err := k.describe(ctx, name)
		if err != nil {
			return state.Resource{}, err
		}
		arn = aws.ToString(t.TableArn)
	}
	// Tags are synced whatever the changes say: the sync itself sends nothing when they match.
	if err := k.updateTags(ctx, name, arn, live.Tags, d.Tags); err != nil {
		return state.Resource{}, err
	}
	for _, step := range k.updateSteps(ctx, name, have, want) {
		if !changes.Changed(step.paths...) {
			continue
		}
		if err := step.do(); err != nil {
			return state.Resource{}, err
		}
	}
	return k.read(ctx, name, nil)
}

// ddbStep is one change Update may make, and the paths whose changes call for it.
type ddbStep struct {
	paths []string
	do    func() error
}

// updateSteps are Update's changes, in the order it makes them.
func (k *DynamoDBTable) updateSteps(ctx context.Context, name string, have, want *spec.DynamoDBTable) []ddbStep {
	return []ddbStep{
		{[]string{"billing_mode", "read_capacity", "write_capacity"}, func() error { return k.updateCapacity(ctx, name, want) }},
		{[]string{"warm_throughput"}, func() error { return k.updateWarm(ctx, name, have.WarmThroughput, want.WarmThroughput) }},
		{[]string{"stream_view_type"}, func() error { return k.updateStream(ctx, name, have.StreamViewType, want.StreamViewType) }},
		{[]string{"sse"}, func() error { return k.updateSSE(ctx, name, want.SSE) }},
		{[]string{"deletion_protection"}, func() error { return k.updateDeletionProtection(ctx, name, want) }},
		{[]string{"point_in_time_recovery"}, func() error { return k.setPITR(ctx, name, want.PointInTimeRecovery) }},
		{[]string{"ttl_attribute"}, func() error { return k.setTTL(ctx, name, have.TTLAttribute, want.TTLAttribute) }},
	}
}

// updateTable runs one UpdateTable, retrying while the table is busy, then waits for ACTIVE.
func (k *DynamoDBTable) updateTable(ctx context.Context, what string, in *dynamodb.UpdateTableInput) error {
	name := aws.ToString(in.TableName)
	err := k.wait.Retry(ctx, ddbBusy, func(ctx context.Context) error {
		_, err := awscall.Get(ctx, k.api.UpdateTable, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("update %s of dynamodb table %s: %w", what, name, ddbNotFound(err))
	}
	return k.waitActive(ctx, name, false)
}

func (k *DynamoDBTable) updateCapacity(ctx context.Context, name string, want *spec.DynamoDBTable) error {
	provisioned := want.BillingMode == string(types.BillingModeProvisioned)
	in := &dynamodb.UpdateTableInput{TableName: aws.String(name), BillingMode: types.BillingMode(want.BillingMode)}
	if provisioned {
		in.ProvisionedThroughput = ddbThroughput(want)
	}
	return k.updateTable(ctx, "billing mode", in)
}

// updateWarm raises warm throughput to the spec's; it never sends a lower value than live's
// (the plan refuses a decrease before Update runs), so a field already higher stays. A change
// that is only a decrease (an adoption's changes are not refused) sends nothing.
func (k *DynamoDBTable) updateWarm(ctx context.Context, name string, have, want *spec.WarmThroughput) error {
	raised := *want
	if have != nil {
		raised = spec.WarmThroughput{
			ReadUnitsPerSecond:  max(want.ReadUnitsPerSecond, have.ReadUnitsPerSecond),
			WriteUnitsPerSecond: max(want.WriteUnitsPerSecond, have.WriteUnitsPerSecond),
		}
		if raised == *have {
			return nil
		}
	}
	return k.updateTable(ctx, "warm throughput", &dynamodb.UpdateTableInput{TableName: aws.String(name), WarmThroughput: ddbWarm(&raised)})
}

// updateStream turns the stream on or off; a new view type on an enabled stream is a disable
// followed by an enable, since AWS cannot change it in place.
func (k *DynamoDBTable) updateStream(ctx context.Context, name, have, want string) error {
	if have != "" {
		off := &dynamodb.UpdateTableInput{TableName: aws.String(name), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}
		if err := k.updateTable(ctx, "stream", off); err != nil {
			return err
		}
	}
	if want == "" {
		return nil
	}
	on := &dynamodb.UpdateTableInput{TableName: aws.String(name), StreamSpecification: &types.StreamSpecification{
		StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(want)}}
	return k.updateTable(ctx, "stream", on)
}

func (k *DynamoDBTable) updateSSE(ctx context.Context, name string, want spec.SSE) error {
	return k.updateTable(ctx, "encryption", &dynamodb.UpdateTableInput{TableName: aws.String(name), SSESpecification: ddbSSESpec(want)})
}

func (k *DynamoDBTable) updateDeletionProtection(ctx context.Context, name string, want *spec.DynamoDBTable) error {
	return k.updateTable(ctx, "deletion protection", &dynamodb.UpdateTableInput{
		TableName: aws.String(name), DeletionProtectionEnabled: aws.Bool(want.DeletionProtection)})
}

// setPITR turns point-in-time recovery to want. Right after CreateTable, AWS can answer
// ContinuousBackupsUnavailableException for a while: that is retried with the backoff.
func (k *DynamoDBTable) setPITR(ctx context.Context, name string, want bool) error {
	in := &dynamodb.UpdateContinuousBackupsInput{
		TableName:                        aws.String(name),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(want)},
	}
	err := k.wait.Retry(ctx, func(err error) bool {
		return awscall.Is(err, awscall.ContinuousBackupsUnavailableException) || ddbBusy(err)
	}, func(ctx context.Context) error {
		_, err := awscall.Get(ctx, k.api.UpdateContinuousBackups, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("update point-in-time recovery of dynamodb table %s: %w", name, ddbNotFound(err))
	}
	return nil
}

// setTTL moves TTL from attribute have to want ("" is off). Changing the attribute is a
// disable then an enable, and AWS allows one TTL change per table per hour, so the enable
// right after a disable fails on AWS: the error says so and the next apply, an hour later,
// finishes the change.
func (k *DynamoDBTable) setTTL(ctx context.Context, name, have, want string) error {
	if have != "" {
		if err := k.updateTTL(ctx, name, have, false); err != nil {
			return fmt.Errorf("disable time to live on %q of dynamodb table %s: %s%w", have, name, ddbTTLHint(err, ""), err)
		}
	}
	if want == "" {
		return nil
	}
	if err := k.updateTTL(ctx, name, want, true); err != nil {
		return fmt.Errorf("enable time to live on %q of dynamodb table %s: %s%w", want, name, ddbTTLHint(err, have), err)
	}
	return nil
}

// ddbTTLHint explains AWS's one-TTL-change-per-hour answer; disabled names the attribute
// whose TTL this run already turned off.
func ddbTTLHint(err error, disabled string) string {
	if !ddbTTLTooSoon(err) {
		return ""
	}
	hint := "AWS allows one TTL change per table per hour; apply again in an hour to finish: "
	if disabled != "" {
		hint = fmt.Sprintf("TTL on %q is now disabled, and ", disabled) + hint
	}
	return hint
}

func (k *DynamoDBTable) updateTTL(ctx context.Context, name, attr string, enabled bool) error {
	in := &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name), TimeToLiveSpecification: &types.TimeToLiveSpecification{
		AttributeName: aws.String(attr), Enabled: aws.Bool(enabled)}}
	err := k.wait.Retry(ctx, ddbBusy, func(ctx context.Context) error {
		_, err := awscall.Get(ctx, k.api.UpdateTimeToLive, in)
		return err
	})
	return ddbNotFound(err)
}

// ddbTTLTooSoon recognises AWS's answer to a second TTL change within the hour.
func ddbTTLTooSoon(err error) bool {
	return awscall.Is(err, awscall.ValidationException) && strings.Contains(strings.ToLower(err.Error()), "multiple times")
}

// updateTags makes the table's tags equal want: TagResource for missing or changed ones,
// UntagResource for extra ones (never the ownership tags, nor AWS's own aws: tags).
func (k *DynamoDBTable) updateTags(ctx context.Context, name, arn string, have, want map[string]string) error {
	return awscall.SyncTagsKeepAWS(have, want, func(set map[string]string) error {
		if err := awscall.Send(ctx, k.api.TagResource, &dynamodb.TagResourceInput{ResourceArn: &arn, Tags: awscall.TagList(set, ddbTag)}); err != nil {
			return fmt.Errorf("tag dynamodb table %s: %w", name, ddbNotFound(err))
		}
		return nil
	}, func(keys []string) error {
		if err := awscall.Send(ctx, k.api.UntagResource, &dynamodb.UntagResourceInput{ResourceArn: &arn, TagKeys: keys}); err != nil {
			return fmt.Errorf("untag dynamodb table %s: %w", name, ddbNotFound(err))
		}
		return nil
	})
}

// ---- delete ----

// Delete implements reconcile.Kind. It re-reads the table's tags first and refuses a table
// that is not live's owner's; a table with deletion protection is refused with how to proceed,
// rather than having its protection silently removed.
func (k *DynamoDBTable) Delete(ctx context.Context, live state.Resource) error {
	name := live.ID
	t, err := k.describe(ctx, name)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete dynamodb table %s: %w", name, err)
	}
	tags, err := k.tags(ctx, aws.ToString(t.TableArn))
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete dynamodb table %s: read tags: %w", name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete dynamodb table %s: %w (its tags: %v)", name, reconcile.ErrNotOwned, awscall.OwnerTags(tags))
	}
	if aws.ToBool(t.DeletionProtectionEnabled) {
		return fmt.Errorf("delete dynamodb table %s: deletion protection is on; set deletion_protection: false "+
			"for it in the spec and apply, then delete again", name)
	}
	err = k.wait.Retry(ctx, ddbBusy, func(ctx context.Context) error {
		_, err := awscall.Get(ctx, k.api.DeleteTable, &dynamodb.DeleteTableInput{TableName: &name})
		return err
	})
	if err != nil && !awscall.Is(err, awscall.ResourceNotFoundException) {
		return fmt.Errorf("delete dynamodb table %s: %w", name, err)
	}
	return k.waitGone(ctx, name)
}

func (k *DynamoDBTable) waitGone(ctx context.Context, name string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		t, err := k.describe(ctx, name)
		if errors.Is(err, reconcile.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return true, err
		}
		return false, fmt.Errorf("table is %s", t.TableStatus)
	})
	if err != nil {
		return fmt.Errorf("wait for dynamodb table %s to be deleted: %w", name, err)
	}
	return nil
}
