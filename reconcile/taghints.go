package reconcile

import (
	"context"
	"slices"
	"sync"

	"github.com/provisioner-dev/provisioner/state"
)

// TagIndex reads, in a few paged calls, the tags of every resource that carries a selector's
// ownership tags, keyed by ARN: the Resource Groups Tagging API. That index is eventually
// consistent (a resource tagged a moment ago may be missing, one untagged a moment ago may still
// show our tags), so what it says is only ever a hint:
//   - discovery still lists every kind from its own service, and a candidate the index does not
//     hold has its tags read from its service;
//   - a plan that finds changes in a kind whose tags came from the index reads that kind again
//     from its services before it shows or makes them (Plan.Hinted, ConfirmHinted);
//   - apply takes its lock and discovers under it without hints, so every write rests on tags
//     read from the resource's own service.
//
// What stays possible is that a tag changed out of band in the last few minutes is not seen by
// a plan or drift check that otherwise finds nothing to do; the next run sees it.
type TagIndex interface {
	OwnedTags(ctx context.Context, sel state.Selector) (map[string]map[string]string, error)
}

type hintsKey struct{}

// hints is one discovery's use of a TagIndex.
type hints struct {
	index TagIndex
	sel   state.Selector

	once sync.Once
	tags map[string]map[string]string // nil when the index could not be read

	mu   sync.Mutex
	used map[string]bool // kinds that took tags from the index
}

// WithTagHints lets the discoveries run under ctx take ownership tags from index. Only
// read-only planning asks for it; see TagIndex for why writes never rest on it.
func WithTagHints(ctx context.Context, index TagIndex) context.Context {
	if index == nil {
		return ctx
	}
	return context.WithValue(ctx, hintsKey{}, index)
}

// withHintUse starts one discovery's hints: the index is read at most once per discovery, on
// the first kind that asks.
func withHintUse(ctx context.Context, sel state.Selector) (context.Context, *hints) {
	index, ok := ctx.Value(hintsKey{}).(TagIndex)
	if !ok {
		return ctx, nil
	}
	h := &hints{index: index, sel: sel, used: map[string]bool{}}
	return context.WithValue(ctx, hintsKey{}, h), h
}

// HintedTags returns arn's tags as the tag index holds them, with ok false when there is no
// index in this discovery, it could not be read, or it does not hold arn: the kind then reads
// the tags from its own service. A kind that uses the answer is recorded, so that a plan
// changing it is confirmed (Plan.Hinted): kinds names every kind whose resources rest on these
// tags (a function's and its permissions').
func HintedTags(ctx context.Context, arn string, kinds ...string) (map[string]string, bool) {
	h, ok := ctx.Value(hintsKey{}).(*hints)
	if !ok || arn == "" {
		return nil, false
	}
	h.once.Do(func() {
		// An index that cannot be read (AccessDenied on tag:GetResources, an endpoint without
		// the API) costs nothing but the hint: every kind reads its own tags as without one.
		if tags, err := h.index.OwnedTags(ctx, h.sel); err == nil {
			h.tags = tags
		}
	})
	tags, ok := h.tags[arn]
	if !ok {
		return nil, false
	}
	h.note(kinds...)
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out, true
}

// Hinted reports whether this is a hinted discovery, in which a kind may take an answer that
// can lag (a listing's copy of a state a Get would read) for the precise one. Saying yes records
// kind as hinted, so that a plan changing it reads it again precisely first (ConfirmHinted).
func Hinted(ctx context.Context, kind string) bool {
	h, ok := ctx.Value(hintsKey{}).(*hints)
	if ok {
		h.note(kind)
	}
	return ok
}

func (h *hints) note(kinds ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range kinds {
		h.used[k] = true
	}
}

// kinds is the sorted list of kinds that took tags from the index.
func (h *hints) kinds() []string {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k := range h.used {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Hinted returns the kinds whose ownership tags came from the tag index and in which the plan
// has a change: before such a plan is shown or carried out those kinds are read again without
// the index (ConfirmHinted), so that a stale index never shows a change that is not there.
func (p *Plan) Hinted(inv *state.Inventory) []string {
	var out []string
	for _, c := range p.Changes {
		if c.Action != NoOp && slices.Contains(inv.Hinted, c.Kind) && !slices.Contains(out, c.Kind) {
			out = append(out, c.Kind)
		}
	}
	slices.Sort(out)
	return out
}

// ConfirmHinted reads again, without hints, the kinds of inv in which the plan found changes on
// the tag index's word, and plans again; a plan with none of those is returned as it is.
func ConfirmHinted(ctx context.Context, p *Plan, inv *state.Inventory, replan func(*state.Inventory) (*Plan, error), reg Registry) (*Plan, *state.Inventory, error) {
	kinds := p.Hinted(inv)
	if len(kinds) == 0 {
		return p, inv, nil
	}
	fresh, err := Rediscover(withoutHints(ctx), reg, inv, kinds)
	if err != nil {
		return nil, nil, err
	}
	again, err := replan(fresh)
	if err != nil {
		return nil, nil, err
	}
	return again, fresh, nil
}

// withoutHints hides any tag index from the discoveries run under the returned context.
func withoutHints(ctx context.Context) context.Context {
	return context.WithValue(ctx, hintsKey{}, nil)
}
