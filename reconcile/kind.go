// Package reconcile is the engine: the kind interface, discovery across kinds, the dependency
// graph, the planner and the executor. It returns data, which views/ renders. It never imports
// a kind; the CLI hands it the registry.
package reconcile

import (
	"context"
	"errors"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// Kind implements one AWS resource type (ec2.vpc, dynamodb.table, …).
//
// Contracts every implementation keeps:
//   - every call is idempotent, and each AWS call runs under its own timeout (the kinds'
//     call path, reconcile/kinds/internal/awscall);
//   - List returns only resources whose ownership tags match the selector, fully observed
//     (Props in the spec's language, Attrs filled);
//   - Create applies the ownership tags in the create call itself where the API allows. When a
//     resource with d's physical name already exists and carries d's ownership tags, Create
//     adopts it (and brings it to d); when it exists without them, Create fails with an error
//     wrapping ErrNotOwned that names it, and changes nothing;
//   - Update brings live to d in place, tags included; it is called only for diffs without
//     ForceNew, and changes are those diffs as the plan computed them (Changes.Changed asks
//     whether a path changed), so that Update never works out again what differs;
//   - Delete deletes live and everything it owns that cannot be tagged, waits until it is
//     gone, and tolerates not found;
//   - Diff is pure: it compares d.Props with live.Props for what the kind can change, and
//     marks fields that force a replacement. Tags are compared by the engine. It fails only
//     for properties that are not the kind's (a wiring mistake).
//
// Kinds are written as Typed and made a Kind by Adapt, which checks the properties' type.
//
// Service-specific not-found errors become ErrNotFound at the kind's edge (awscall.NotFound).
type Kind interface {
	Kind() string
	List(ctx context.Context, sel state.Selector) ([]state.Resource, error)
	Create(ctx context.Context, d Desired) (state.Resource, error)
	Update(ctx context.Context, d Desired, live state.Resource, changes Changes) (state.Resource, error)
	Delete(ctx context.Context, live state.Resource) error
	Diff(d Desired, live state.Resource) ([]FieldDiff, error)
}

// Limited is an optional ability: a kind whose service needs its writes serialised or capped
// (API Gateway's control plane quotas) names a limit group and how many changes of that group
// may run at once. Kinds naming the same group share one limit.
type Limited interface {
	LimitGroup() (group string, max int)
}

// Costed is an optional ability: a kind whose create makes many AWS round trips one after
// another (an S3 bucket's settings, a REST API's routes and stage) says about how many, so that
// the walk starts it, and the chain that waits for it, before changes that nothing waits for
// as long. A kind without it counts defaultCreateCost. Only the order of ready changes
// depends on it, never what runs.
type Costed interface {
	CreateCost() int
}

// defaultCreateCost is the round trips of a typical create: a look-up, the create, a setting.
const defaultCreateCost = 3

// createCost is k's Costed cost, found through an adapter too, or defaultCreateCost.
func createCost(k Kind) int {
	if c, ok := k.(Costed); ok {
		return c.CreateCost()
	}
	if u, ok := k.(interface{ Unwrap() any }); ok {
		if c, ok := u.Unwrap().(Costed); ok {
			return c.CreateCost()
		}
	}
	return defaultCreateCost
}

// Desired is one resource of the spec with every reference resolved.
type Desired struct {
	Owner state.Owner
	Name  string            // physical name
	Props spec.Properties   // resolved properties
	Tags  map[string]string // the stack's tags plus the ownership tags
	// Replaces is the id of the live resource a create-first replacement deletes once this one
	// exists and what references it has moved (empty otherwise). See Replacer.
	Replaces string
}

// FieldDiff is one field whose live value differs from the desired one.
type FieldDiff struct {
	Path     string `json:"path"` // e.g. point_in_time_recovery, ingress[0].cidrs, tags.Project
	Live     any    `json:"live"`
	Desired  any    `json:"desired"`
	ForceNew bool   `json:"force_new,omitempty"` // the field cannot change in place: replace
	// Impossible says why AWS cannot make this change at all (lowering a raise-only setting):
	// plan and drift show it, and Apply refuses the whole plan before changing anything.
	Impossible string `json:"impossible,omitempty"`
}

var (
	// ErrNotFound is what every kind returns for a resource that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNotOwned marks a resource that exists under our name without our ownership tags.
	ErrNotOwned = errors.New("exists without provisioner ownership tags")
)
