package kinds

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }

// emuConfig is the emulator's config with the call path the CLI installs (CallPath): without
// it a create marked Once is resent by the SDK after a lost answer, and a test sees two.
func emuConfig(t *testing.T) aws.Config {
	t.Helper()
	cfg := emutest.Config(t)
	CallPath(&cfg)
	return cfg
}

// testOwner gives one integration test its own suffix, so tests sharing an endpoint never see
// each other's resources.
func testOwner(t *testing.T, logical string) state.Owner {
	return state.Owner{Stack: "kindtest", Suffix: emutest.Suffix(t), ID: logical}
}

// desired builds a Desired with the ownership tags and one user tag.
func desired(o state.Owner, name string, props interface{ Kind() string }) reconcile.Desired {
	tags := o.Tags()
	tags["Project"] = "kindtest"
	return reconcile.Desired{Owner: o, Name: name, Props: props, Tags: tags}
}

// testKind drives a typed kind the way the engine does: through reconcile.Adapt, with Update
// given the changes the plan would compute, and Diff's wiring error failing loudly (the tests
// always hand a kind its own properties).
type testKind struct{ reconcile.Kind }

// tk adapts a typed kind for a test.
func tk[T any, P interface {
	*T
	spec.Properties
}](k reconcile.Typed[P]) testKind {
	return testKind{reconcile.Adapt[T, P](k)}
}

func (k testKind) Update(ctx context.Context, d reconcile.Desired, live state.Resource) (state.Resource, error) {
	changes, err := reconcile.Compare(k.Kind, d, live)
	if err != nil {
		return state.Resource{}, err
	}
	return k.Kind.Update(ctx, d, live, changes)
}

func (k testKind) Diff(d reconcile.Desired, live state.Resource) []reconcile.FieldDiff {
	diffs, err := k.Kind.Diff(d, live)
	if err != nil {
		panic(err)
	}
	return diffs
}

// checkLifecycle drives one kind through the contract against the emulator: create, find by
// tags with no diff, adopt on a second create, update one property, delete, and delete again.
func checkLifecycle(t *testing.T, k testKind, d reconcile.Desired, change func(reconcile.Desired) reconcile.Desired) {
	t.Helper()
	ctx := context.Background()
	sel := state.Selector{Stack: d.Owner.Stack, Suffix: d.Owner.Suffix}

	created := createForTest(t, k, d)
	assert.Equal(t, d.Owner, created.Owner)
	assert.NotEmpty(t, created.ID)
	assert.Empty(t, k.Diff(d, created), "diff right after create")

	live := findOne(t, k, sel, d.Owner.ID)
	assert.Equal(t, created.ID, live.ID)
	assert.Empty(t, k.Diff(d, live), "diff of the listed resource")
	assert.Equal(t, "kindtest", live.Tags["Project"])

	adopted, err := k.Create(ctx, d)
	require.NoError(t, err, "second create adopts")
	assert.Equal(t, created.ID, adopted.ID)

	if change != nil {
		d2 := change(d)
		require.NotEmpty(t, k.Diff(d2, live), "the change must show in the diff")
		updated, err := k.Update(ctx, d2, live)
		require.NoError(t, err, "update")
		assert.Empty(t, k.Diff(d2, updated), "diff after update")
		assert.Empty(t, k.Diff(d2, findOne(t, k, sel, d.Owner.ID)), "diff of the listed resource after update")
	}

	require.NoError(t, k.Delete(ctx, live), "delete")
	got, err := k.List(ctx, sel)
	require.NoError(t, err)
	assert.Empty(t, got, "nothing left after delete")
	require.NoError(t, k.Delete(ctx, live), "delete tolerates not found")
}

func findOne(t *testing.T, k testKind, sel state.Selector, logical string) state.Resource {
	t.Helper()
	got, err := k.List(context.Background(), sel)
	require.NoError(t, err, "list")
	require.Len(t, got, 1, "list finds exactly the resource")
	assert.Equal(t, logical, got[0].Owner.ID)
	return got[0]
}

// checkDriftRepair is the drift round trip against the emulator: create d, see no diff, let
// byHand change the resource through the SDK, see exactly paths drift, update, and see no diff
// in what is listed afterwards.
func checkDriftRepair(t *testing.T, k testKind, d reconcile.Desired, byHand func(live state.Resource), paths ...string) {
	t.Helper()
	ctx := context.Background()
	sel := state.Selector{Stack: d.Owner.Stack, Suffix: d.Owner.Suffix}
	created := createForTest(t, k, d)
	require.Empty(t, k.Diff(d, findOne(t, k, sel, d.Owner.ID)), "no changes right after create")

	byHand(created)
	drifted := findOne(t, k, sel, d.Owner.ID)
	var got []string
	for _, fd := range k.Diff(d, drifted) {
		got = append(got, fd.Path)
	}
	require.ElementsMatch(t, paths, got, "drift shows what was changed by hand")

	_, err := k.Update(ctx, d, drifted)
	require.NoError(t, err, "update repairs")
	assert.Empty(t, k.Diff(d, findOne(t, k, sel, d.Owner.ID)), "no drift after the repair")
}

// createForTest creates d and deletes it when the test ends.
func createForTest(t *testing.T, k testKind, d reconcile.Desired) state.Resource {
	t.Helper()
	created, err := k.Create(context.Background(), d)
	require.NoError(t, err, "create")
	t.Cleanup(func() { _ = k.Delete(context.Background(), created) })
	return created
}
