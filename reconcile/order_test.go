package reconcile

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// refersTo reports whether resources of kind a may refer, directly or through other kinds,
// to resources of kind b, by the kinds' declared References.
func refersTo(a, b string) bool {
	info, _ := spec.Info(a)
	for _, r := range info.References {
		if r == b || refersTo(r, b) {
			return true
		}
	}
	return false
}

// TestDestroyDeletesDependentsFirst: destroy has no spec, only ownership tags; with one
// resource of every kind, discovered in an order unrelated to the kinds', it still deletes
// every resource before anything it may refer to, in the plan and when it runs.
func TestDestroyDeletesDependentsFirst(t *testing.T) {
	var log []string
	reg := Registry{}
	inv := &state.Inventory{Selector: state.Selector{Suffix: "dev"}}
	for i := range spec.Kinds {
		k := spec.Kinds[(i*7)%len(spec.Kinds)] // 7 is prime to 16: every kind once, shuffled
		fk := newFakeKind(k.Kind, &log)
		r := state.Resource{Kind: k.Kind, Owner: state.Owner{Stack: "app", Suffix: "dev", ID: "x"}, ID: "id-" + k.Kind, Name: "app-x-dev"}
		fk.live[r.ID] = r
		reg = append(reg, fk)
		inv.Resources = append(inv.Resources, r)
	}
	require.Len(t, reg, len(spec.Kinds))

	p := DestroyPlan(inv)
	var planned []string
	for _, c := range p.Changes {
		planned = append(planned, "delete "+c.Address)
	}
	res, err := Apply(context.Background(), p, reg, ApplyOptions{Parallelism: 4})
	require.NoError(t, err)
	require.NoError(t, res.Err())
	require.Len(t, log, len(spec.Kinds))

	pairs := 0
	for _, a := range spec.Kinds {
		for _, b := range spec.Kinds {
			if !refersTo(a.Kind, b.Kind) {
				continue
			}
			pairs++
			da, db := "delete "+a.Kind+"/x", "delete "+b.Kind+"/x"
			assert.Less(t, slices.Index(planned, da), slices.Index(planned, db), "plan: %s may refer to %s", a.Kind, b.Kind)
			assert.Less(t, slices.Index(log, da), slices.Index(log, db), "run: %s may refer to %s", a.Kind, b.Kind)
		}
	}
	assert.Greater(t, pairs, len(spec.Kinds), "the kinds refer to each other")
}
