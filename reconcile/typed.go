package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// Want is a Desired whose properties are of the kind's own type: Props shadows Desired.Props.
type Want[P spec.Properties] struct {
	Desired
	Props P
}

// Have is a live resource whose properties are of the kind's own type: Props shadows
// Resource.Props.
type Have[P spec.Properties] struct {
	state.Resource
	Props P
}

// Typed is a kind written on its own property type P (*spec.VPC, …). Adapt makes it a Kind:
// the adapter checks the properties' type, once for every kind, so that a kind never asserts
// them itself. The contracts are Kind's.
type Typed[P spec.Properties] interface {
	Kind() string
	List(ctx context.Context, sel state.Selector) ([]state.Resource, error)
	Create(ctx context.Context, d Want[P]) (state.Resource, error)
	Update(ctx context.Context, d Want[P], live Have[P], changes Changes) (state.Resource, error)
	Delete(ctx context.Context, live state.Resource) error
	Diff(d Want[P], live Have[P]) []FieldDiff
}

// Adapt makes a typed kind a Kind. Properties of another type (a wiring mistake: a spec kind
// handed to the wrong implementation) are an error naming the kind and both types, from every
// method, never a diff: a diff could plan a replacement.
func Adapt[T any, P interface {
	*T
	spec.Properties
}](k Typed[P]) Kind {
	a := adapter[T, P]{k: k}
	if l, ok := k.(Limited); ok {
		return limitedAdapter[T, P]{adapter: a, l: l}
	}
	return a
}

type adapter[T any, P interface {
	*T
	spec.Properties
}] struct {
	k Typed[P]
}

// limitedAdapter keeps the kind's Limited ability visible to the executor.
type limitedAdapter[T any, P interface {
	*T
	spec.Properties
}] struct {
	adapter[T, P]
	l Limited
}

func (a limitedAdapter[T, P]) LimitGroup() (string, int) { return a.l.LimitGroup() }

// Typed returns the kind behind an adapted one, for tests and optional abilities.
func (a adapter[T, P]) Typed() Typed[P] { return a.k }

// Unwrap returns the kind behind an adapted one without naming its property type, for code
// that inspects kinds generically (the policy table's test reflects on their SDK clients).
func (a adapter[T, P]) Unwrap() any { return a.k }

func (a adapter[T, P]) Kind() string { return a.k.Kind() }

func (a adapter[T, P]) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return a.k.List(ctx, sel)
}

func (a adapter[T, P]) Create(ctx context.Context, d Desired) (state.Resource, error) {
	w, err := WantOf[T, P](a.k.Kind(), d)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create %w", err)
	}
	return a.k.Create(ctx, w)
}

func (a adapter[T, P]) Update(ctx context.Context, d Desired, live state.Resource, changes Changes) (state.Resource, error) {
	w, h, err := a.both(d, live)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update %w", err)
	}
	return a.k.Update(ctx, w, h, changes)
}

func (a adapter[T, P]) Delete(ctx context.Context, live state.Resource) error {
	return a.k.Delete(ctx, live)
}

func (a adapter[T, P]) Diff(d Desired, live state.Resource) ([]FieldDiff, error) {
	w, h, err := a.both(d, live)
	if err != nil {
		return nil, fmt.Errorf("diff %w", err)
	}
	return a.k.Diff(w, h), nil
}

func (a adapter[T, P]) both(d Desired, live state.Resource) (Want[P], Have[P], error) {
	w, err := WantOf[T, P](a.k.Kind(), d)
	if err != nil {
		return Want[P]{}, Have[P]{}, err
	}
	h, err := HaveOf[T, P](a.k.Kind(), live)
	return w, h, err
}

// WantOf checks that d's properties are a non-nil P.
func WantOf[T any, P interface {
	*T
	spec.Properties
}](kind string, d Desired) (Want[P], error) {
	p, err := propsOf[T, P](kind, d.Name, d.Props)
	return Want[P]{Desired: d, Props: p}, err
}

// HaveOf checks that live's properties are a non-nil P.
func HaveOf[T any, P interface {
	*T
	spec.Properties
}](kind string, live state.Resource) (Have[P], error) {
	p, err := propsOf[T, P](kind, live.ID, live.Props)
	return Have[P]{Resource: live, Props: p}, err
}

func propsOf[T any, P interface {
	*T
	spec.Properties
}](kind, name string, props spec.Properties) (P, error) {
	p, ok := props.(P)
	if !ok || (*T)(p) == nil {
		return nil, fmt.Errorf("%s %s: properties are %T, want %T", kind, name, props, P(nil))
	}
	return p, nil
}

// ChangesOf is what the plan computes for an update of live to d, for the kinds' own adoption
// paths (Create finding an existing resource of ours): the kind's diffs, the user tags, the
// name.
func ChangesOf[P spec.Properties](k Typed[P], d Want[P], live Have[P]) Changes {
	return withTagsAndName(k.Diff(d, live), d.Desired, live.Resource)
}

// Changes are the diffs of one update, as the plan computed them.
type Changes []FieldDiff

// Changed reports whether any of paths, or anything below one of them, changed:
// Changed("tags") holds for tags.Project, Changed("ingress") for ingress[0].cidrs. Like ACK's
// delta.DifferentAt, it lets Update change only what differs.
func (c Changes) Changed(paths ...string) bool {
	for _, fd := range c {
		for _, p := range paths {
			if fd.Path == p || strings.HasPrefix(fd.Path, p+".") || strings.HasPrefix(fd.Path, p+"[") {
				return true
			}
		}
	}
	return false
}

// ForceNew reports whether any change forces a replacement.
func (c Changes) ForceNew() (FieldDiff, bool) {
	for _, fd := range c {
		if fd.ForceNew {
			return fd, true
		}
	}
	return FieldDiff{}, false
}

// Adopting is what a kind's Create needs to bring an existing resource of ours (an earlier
// attempt, found by name or tags) to d the way an update would: live with its own properties,
// and the changes the plan would have computed.
func Adopting[T any, P interface {
	*T
	spec.Properties
}](k Typed[P], d Want[P], live state.Resource) (Have[P], Changes, error) {
	h, err := HaveOf[T, P](k.Kind(), live)
	if err != nil {
		return h, nil, err
	}
	return h, ChangesOf(k, d, h), nil
}

// Except returns the changes that are not at or below any of paths: Except("tags") is what an
// update must do beyond the tags.
func (c Changes) Except(paths ...string) Changes {
	var out Changes
	for _, fd := range c {
		if !(Changes{fd}).Changed(paths...) {
			out = append(out, fd)
		}
	}
	return out
}
