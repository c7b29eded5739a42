package reconcile

import (
	"context"
	"errors"
	"maps"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/state"
)

// fakeIndex is a TagIndex with fixed answers, counting its reads.
type fakeIndex struct {
	tags  map[string]map[string]string
	err   error
	reads atomic.Int32
}

func (x *fakeIndex) OwnedTags(context.Context, state.Selector) (map[string]map[string]string, error) {
	x.reads.Add(1)
	return x.tags, x.err
}

// hintingKind takes its resources' tags from the tag index where the discovery has one, as
// the kinds that read tags one call per resource do; tagReads counts the reads it makes itself.
type hintingKind struct {
	inner
	tagReads *atomic.Int32
}

func (k hintingKind) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	all, err := k.inner.List(ctx, state.Selector{Suffix: sel.Suffix})
	if err != nil {
		return nil, err
	}
	var out []state.Resource
	for _, r := range all {
		if tags, ok := HintedTags(ctx, r.Attrs["arn"], k.Kind()); ok {
			r.Tags = tags
		} else {
			k.tagReads.Add(1)
		}
		if r.Owner, _ = state.OwnerOf(r.Tags); sel.Matches(r.Tags) {
			out = append(out, r)
		}
	}
	return out, nil
}

// hintFixture applies one log group and one queue-like resource, and returns the index as it
// would answer now.
func hintFixture(t *testing.T) (*fixture, *atomic.Int32, *fakeIndex) {
	f := newFixture()
	var reads atomic.Int32
	require.NoError(t, f.apply(t, f.plan(t, stackOf(logGroup("a", 7, ""), queueLike("q", "")))).Err())
	f.reg = Registry{hintingKind{f.groups, &reads}, hintingKind{f.queues, &reads}}
	index := &fakeIndex{tags: map[string]map[string]string{}}
	for _, k := range []*fakeKind{f.groups, f.queues} {
		for _, r := range k.live {
			index.tags[r.Attrs["arn"]] = maps.Clone(r.Tags)
		}
	}
	return f, &reads, index
}

// hintedPlan is what the CLI's plan does: a hinted discovery, a plan, and its confirmation.
func (f *fixture) hintedPlan(t *testing.T, index TagIndex) (*Plan, *state.Inventory) {
	t.Helper()
	st := stackOf(logGroup("a", 7, ""), queueLike("q", ""))
	ctx := WithTagHints(context.Background(), index)
	inv, err := Discover(ctx, f.reg, state.Selector{Stack: "app", Suffix: "dev"})
	require.NoError(t, err)
	replan := func(inv *state.Inventory) (*Plan, error) { return MakePlan(st, inv, f.reg, f.env) }
	p, err := replan(inv)
	require.NoError(t, err)
	p, inv, err = ConfirmHinted(ctx, p, inv, replan, f.reg)
	require.NoError(t, err)
	return p, inv
}

func TestTagHints(t *testing.T) {
	t.Run("an index that agrees replaces every tag read and needs no confirmation", func(t *testing.T) {
		f, reads, index := hintFixture(t)
		p, inv := f.hintedPlan(t, index)
		assert.False(t, p.HasChanges())
		assert.Zero(t, reads.Load(), "no kind read its own tags")
		assert.Equal(t, int32(1), index.reads.Load(), "the index is read once for both kinds")
		assert.Equal(t, []string{"logs.log_group", "sqs.queue"}, inv.Hinted)
	})
	t.Run("a stale index that shows a change is confirmed by the kind's own reads", func(t *testing.T) {
		f, reads, index := hintFixture(t)
		for arn, tags := range index.tags {
			if tags[state.TagID] == "a" {
				index.tags[arn]["Project"] = "before" // the index lags behind a tag change
			}
		}
		p, inv := f.hintedPlan(t, index)
		assert.False(t, p.HasChanges(), "the change the index showed is not there")
		assert.Equal(t, int32(1), reads.Load(), "only the log group's kind was read again, without the index")
		assert.Equal(t, []string{"sqs.queue"}, inv.Hinted, "the log group's tags now come from its service")
	})
	t.Run("a resource the index does not hold is read from its service", func(t *testing.T) {
		f, reads, index := hintFixture(t)
		for arn, tags := range index.tags {
			if tags[state.TagID] == "q" {
				delete(index.tags, arn) // tagged a moment ago: not indexed yet
			}
		}
		p, inv := f.hintedPlan(t, index)
		assert.False(t, p.HasChanges())
		assert.Equal(t, int32(1), reads.Load())
		assert.Equal(t, []string{"logs.log_group"}, inv.Hinted)
	})
	t.Run("an index that cannot be read costs only the hint", func(t *testing.T) {
		f, reads, _ := hintFixture(t)
		p, inv := f.hintedPlan(t, &fakeIndex{err: errors.New("AccessDenied")})
		assert.False(t, p.HasChanges())
		assert.Equal(t, int32(2), reads.Load())
		assert.Empty(t, inv.Hinted)
	})
	t.Run("a discovery without hints never asks the index", func(t *testing.T) {
		f, reads, _ := hintFixture(t)
		inv, err := Discover(context.Background(), f.reg, state.Selector{Stack: "app", Suffix: "dev"})
		require.NoError(t, err)
		assert.Equal(t, int32(2), reads.Load())
		assert.Empty(t, inv.Hinted)
		assert.False(t, Hinted(context.Background(), "logs.log_group"))
		hidden := withoutHints(WithTagHints(context.Background(), &fakeIndex{}))
		inv, err = Discover(hidden, f.reg, state.Selector{Stack: "app", Suffix: "dev"})
		require.NoError(t, err)
		assert.Empty(t, inv.Hinted, "ConfirmHinted's discoveries take no hints")
	})
}
