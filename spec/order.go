package spec

import (
	"fmt"
	"slices"
	"sync"
)

// KindOrder returns every kind in an order that puts each kind after the kinds it References:
// a whole stack is created in this order, and destroy without a spec deletes in reverse, so
// that a resource goes before what it may refer to. Among kinds free at the same point, the
// one earlier in Kinds comes first, so the order is stable; it does not depend on Kinds being
// sorted.
func KindOrder() []string { return slices.Clone(kindOrder()) }

// Tier returns kind's place in KindOrder, or -1 for a kind the language does not know.
func Tier(kind string) int { return slices.Index(kindOrder(), kind) }

var kindOrder = sync.OnceValue(func() []string {
	order, err := topoOrder(Kinds)
	if err != nil {
		panic(err) // the kinds' References are code: TestKindOrder keeps them acyclic
	}
	return order
})

// topoOrder sorts kinds after the kinds they reference (Kahn's algorithm, ties in list order).
// A reference to an unknown kind, or a cycle, is an error.
func topoOrder(kinds []KindInfo) ([]string, error) {
	placed := make(map[string]bool, len(kinds))
	known := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		known[k.Kind] = true
	}
	for _, k := range kinds {
		for _, ref := range k.References {
			if !known[ref] || ref == k.Kind {
				return nil, fmt.Errorf("kind %s references %s: want another known kind", k.Kind, ref)
			}
		}
	}
	var order []string
	for len(order) < len(kinds) {
		i := slices.IndexFunc(kinds, func(k KindInfo) bool {
			return !placed[k.Kind] && !slices.ContainsFunc(k.References, func(r string) bool { return !placed[r] })
		})
		if i < 0 {
			var left []string
			for _, k := range kinds {
				if !placed[k.Kind] {
					left = append(left, k.Kind)
				}
			}
			return nil, fmt.Errorf("kinds %v reference each other in a cycle", left)
		}
		placed[kinds[i].Kind] = true
		order = append(order, kinds[i].Kind)
	}
	return order, nil
}
