package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// Registry is the explicit list of kinds the engine may use, handed over by the CLI.
type Registry []Kind

// Lookup returns the kind with that name.
func (r Registry) Lookup(kind string) (Kind, bool) {
	for _, k := range r {
		if k.Kind() == kind {
			return k, true
		}
	}
	return nil, false
}

// tier is a kind's place in spec.KindOrder, derived from the kinds each kind may reference: a
// kind may depend only on kinds of a lower tier, so deletes of resources the spec no longer
// describes run from the highest tier down.
func tier(kind string) int { return spec.Tier(kind) }

// Discover lists every kind concurrently and returns what carries sel's ownership tags. A kind
// that fails to list makes the whole discovery fail (a partial inventory would plan deletes
// and creates that are not true), with every kind's error joined.
func Discover(ctx context.Context, reg Registry, sel state.Selector) (*state.Inventory, error) {
	ctx, skipped := withUnreadables(withShared(ctx))
	ctx, hinted := withHintUse(ctx, sel)
	found := make([][]state.Resource, len(reg))
	errs := make([]error, len(reg))
	var wg sync.WaitGroup
	for i, k := range reg {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := k.List(ctx, sel)
			if err != nil {
				errs[i] = fmt.Errorf("discover %s: %w", k.Kind(), err)
				return
			}
			found[i] = rs
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	inv := &state.Inventory{Selector: sel, Unreadable: skipped.list, Hinted: hinted.kinds()}
	for _, rs := range found {
		inv.Resources = append(inv.Resources, rs...)
	}
	return inv, nil
}
