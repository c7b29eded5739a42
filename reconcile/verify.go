package reconcile

import (
	"context"
	"slices"

	"github.com/provisioner-dev/provisioner/state"
)

// Touched returns the kinds whose live state an apply may have changed, sorted: the kinds of
// every change that ran (as run: a recheck can turn a no-op into an update), and for a
// replace or a delete also the kinds of the resources that refer to it, since deleting a
// resource can take with it what hangs on it (a function's permissions). Kinds that appear in
// none of these were not written to, so what the plan's discovery saw of them still holds.
func (r *Result) Touched(p *Plan) []string {
	kindOf := map[string]string{} // logical → kind, for the spec's resources
	for _, c := range p.Changes {
		if c.Action != Delete {
			kindOf[c.Logical] = c.Kind
		}
	}
	dependents := map[string][]string{} // logical → kinds that refer to it
	for _, c := range p.Changes {
		for _, dep := range c.DependsOn {
			dependents[dep] = append(dependents[dep], c.Kind)
		}
	}
	set := map[string]bool{}
	for _, cr := range r.Results {
		c := cr.Change
		if c.Action == NoOp || cr.Skipped {
			continue
		}
		set[c.Kind] = true
		if c.Action == Replace || c.Action == Delete {
			for _, k := range dependents[c.Logical] {
				set[k] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Rediscover lists the named kinds again and keeps what inv holds of every other kind: the
// verifying pass after an apply observes only what the apply touched.
func Rediscover(ctx context.Context, reg Registry, inv *state.Inventory, kinds []string) (*state.Inventory, error) {
	var sub Registry
	for _, k := range reg {
		if slices.Contains(kinds, k.Kind()) {
			sub = append(sub, k)
		}
	}
	fresh, err := Discover(ctx, sub, inv.Selector)
	if err != nil {
		return nil, err
	}
	out := &state.Inventory{Selector: inv.Selector, Unreadable: inv.Unreadable, Hinted: fresh.Hinted}
	for _, k := range inv.Hinted {
		if !slices.Contains(kinds, k) {
			out.Hinted = append(out.Hinted, k)
		}
	}
	slices.Sort(out.Hinted)
	for _, r := range inv.Resources {
		if !slices.Contains(kinds, r.Kind) {
			out.Resources = append(out.Resources, r)
		}
	}
	out.Resources = append(out.Resources, fresh.Resources...)
	return out, nil
}
