package reconcile

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/state"
)

// inner is the kind listCounting wraps (a named embedding: Kind is also a method).
type inner = Kind

// listCounting counts a kind's List calls: what a verifying pass costs.
type listCounting struct {
	inner
	lists *atomic.Int32
}

func (k listCounting) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	k.lists.Add(1)
	return k.inner.List(ctx, sel)
}

func TestTouchedNamesChangedKindsAndDependentsOfReplacements(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "x", "producer"))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())

	// An update of the log group touches its kind only: the queue refers to it but an update
	// takes nothing with it.
	update := f.plan(t, stackOf(logGroup("producer", 30, ""), queueLike("consumer", "x", "producer")))
	res := f.apply(t, update)
	assert.Equal(t, []string{"logs.log_group"}, res.Touched(update))

	// A replacement (new KMS key) deletes first: what refers to it is listed again too.
	replace := f.plan(t, stackOf(logGroup("producer", 30, "k2"), queueLike("consumer", "x", "producer")))
	res = f.apply(t, replace)
	assert.Equal(t, Counts{Replaced: 1, Unchanged: 1}, res.Counts())
	assert.Equal(t, []string{"logs.log_group", "sqs.queue"}, res.Touched(replace))

	noop := f.plan(t, stackOf(logGroup("producer", 30, "k2"), queueLike("consumer", "x", "producer")))
	assert.Empty(t, f.apply(t, noop).Touched(noop), "nothing ran, nothing touched")
}

func TestRediscoverListsOnlyTheTouchedKinds(t *testing.T) {
	f := newFixture()
	var groupLists, queueLists atomic.Int32
	f.reg = Registry{listCounting{f.groups, &groupLists}, listCounting{f.queues, &queueLists}}
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "x", "producer"))
	sel := state.Selector{Stack: "app", Suffix: "dev"}
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())
	inv, err := Discover(context.Background(), f.reg, sel)
	require.NoError(t, err)
	groupLists.Store(0)
	queueLists.Store(0)

	p, err := MakePlan(stackOf(logGroup("producer", 30, ""), queueLike("consumer", "x", "producer")), inv, f.reg, f.env)
	require.NoError(t, err)
	res := f.apply(t, p)
	after, err := Rediscover(context.Background(), f.reg, inv, res.Touched(p))
	require.NoError(t, err)
	assert.Equal(t, int32(1), groupLists.Load(), "the updated kind is listed again")
	assert.Equal(t, int32(0), queueLists.Load(), "the untouched kind is not")
	require.Len(t, after.Resources, 2, "the untouched kind's resources are kept from the plan's discovery")
	verify, err := MakePlan(stackOf(logGroup("producer", 30, ""), queueLike("consumer", "x", "producer")), after, f.reg, f.env)
	require.NoError(t, err)
	assert.False(t, verify.HasChanges(), "the fresh observation of the updated group matches the spec")
}

func TestApplyReportsElapsedOfChangesThatRan(t *testing.T) {
	f := newFixture()
	require.NoError(t, f.apply(t, f.plan(t, stackOf(logGroup("a", 7, "")))).Err())
	res := f.apply(t, f.plan(t, stackOf(logGroup("a", 30, ""), logGroup("b", 7, ""))))
	for _, cr := range res.Results {
		assert.Positive(t, cr.Elapsed, "%s ran", cr.Change.Address)
	}
	res = f.apply(t, f.plan(t, stackOf(logGroup("a", 30, ""), logGroup("b", 7, ""))))
	for _, cr := range res.Results {
		assert.Zero(t, cr.Elapsed, "%s did not run", cr.Change.Address)
	}
}
