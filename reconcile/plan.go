package reconcile

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// Action is what a change does to one resource.
type Action string

const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace"
	Delete  Action = "delete"
)

// Unknown stands in for an attribute of a resource that does not exist yet.
const Unknown = "(known after apply)"

// Change is one planned change of one resource.
type Change struct {
	Action  Action `json:"action"`
	Address string `json:"address"` // kind/logical
	Kind    string `json:"kind"`
	Logical string `json:"logical"`
	Name    string `json:"name"`         // physical name
	ID      string `json:"id,omitempty"` // live identifier, when it exists
	Reason  string `json:"reason,omitempty"`
	// Order is how a replace runs (create_before_delete or delete_before_create); Reason says
	// why.
	Order     ReplaceOrder `json:"order,omitempty"`
	Diffs     []FieldDiff  `json:"diffs,omitempty"`
	DependsOn []string     `json:"depends_on,omitempty"` // logical names

	stack string          // the owning stack: a destroy may span stacks with the same addresses
	spec  *spec.Resource  // nil for deletes of resources not in the spec
	live  *state.Resource // nil for creates
}

// node identifies the change in the execution graph; addresses repeat across stacks, and a
// delete of an extra copy shares its address with the copy that stays.
func (c Change) node() string {
	if c.Action == Delete {
		return c.stack + "/" + c.Address + "#" + c.ID
	}
	return c.stack + "/" + c.Address
}

// Plan is every change that makes the account match a spec, creates and updates in dependency
// order, then deletes from the highest kind tier down. It is data: rendering is separate.
type Plan struct {
	Stack   string   `json:"stack"`
	Suffix  string   `json:"suffix"`
	Region  string   `json:"region"`
	Changes []Change `json:"changes"`

	env   Env
	stack *spec.Stack
	kept  map[string]state.Resource // logical → the live copy the plan keeps (see keep)
}

// Env is what resolving a spec needs from the account: the built-ins beyond the spec's own.
type Env struct {
	Account string
	Region  string
}

// Summary counts changes by action.
type Summary struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
	NoOp    int `json:"no_op"`
}

// Summary counts the plan's changes by action.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Delete:
			s.Delete++
		default:
			s.NoOp++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	return slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Action != NoOp })
}

// Refused joins an error for every change AWS cannot make (FieldDiff.Impossible), or is nil.
// Apply checks it first, so a plan holding one changes nothing.
func (p *Plan) Refused() error {
	var errs []error
	for _, c := range p.Changes {
		for _, d := range c.Diffs {
			if d.Impossible != "" {
				errs = append(errs, fmt.Errorf("%s: %s: %s", c.Address, d.Path, d.Impossible))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("the plan holds changes AWS cannot make; nothing was changed:\n%w", errors.Join(errs...))
}

// MakePlan compares the spec with what discovery found. It is pure: kinds' Diff methods are.
func MakePlan(st *spec.Stack, inv *state.Inventory, reg Registry, env Env) (*Plan, error) {
	p := &Plan{Stack: st.Name, Suffix: st.Suffix, Region: env.Region, env: env, stack: st, kept: map[string]state.Resource{}}
	changing := map[string]bool{} // logical names whose attributes are unknown until apply
	matched := map[string]bool{}  // addresses of live resources the spec describes
	var extra []Change            // deletes: extra copies, then orphans
	for _, r := range st.Order() {
		k, ok := reg.Lookup(r.Kind)
		if !ok {
			return nil, fmt.Errorf("plan %s/%s: kind %s is not implemented by this build", r.Kind, r.Logical, r.Kind)
		}
		c, err := p.planResource(k, r, inv, changing)
		if err != nil {
			return nil, err
		}
		if c.live != nil {
			matched[c.live.Address()] = true
		}
		if c.Action == Create || c.Action == Replace {
			changing[r.Logical] = true
		}
		p.Changes = append(p.Changes, c)
		extra = append(extra, p.extraCopies(inv, r)...)
	}
	extra = append(extra, orphans(st.Name, inv, matched)...)
	sortDeletes(extra)
	p.Changes = append(p.Changes, extra...)
	return p, nil
}

// extraCopies plans the deletion of every copy of r but the one the plan keeps, saying which
// one stays and why: nothing picks one silently.
func (p *Plan) extraCopies(inv *state.Inventory, r *spec.Resource) []Change {
	copies := inv.Copies(p.Stack, r.Kind, r.Logical)
	if len(copies) < 2 {
		return nil
	}
	kept := p.kept[r.Logical]
	why := "the first by id"
	switch {
	case kept.ID != copies[0].ID:
		why = "the replacement an earlier apply created: it matches the spec, the others must be replaced; they go once what references them has moved"
	case inv.Referenced(kept):
		why = "the one other resources reference"
	}
	var out []Change
	for _, x := range copies {
		if x.ID != kept.ID {
			out = append(out, deleteChange(x, fmt.Sprintf("extra copy: %d carry the ownership tags of %s/%s; keeping %s (%s)",
				len(copies), r.Kind, r.Logical, kept.ID, why)))
		}
	}
	return out
}

// keep picks the live copy of r the plan works on: the one Inventory.Copies puts first, unless
// that one needs replacing and another does not. That other one is what a create-first
// replacement made before the run stopped (crashed, or a dependent failed) short of deleting
// the old one: keeping it finishes the replacement instead of starting another.
func (p *Plan) keep(k Kind, r *spec.Resource, d Desired, inv *state.Inventory) (state.Resource, bool, error) {
	copies := inv.Copies(p.Stack, r.Kind, r.Logical)
	if len(copies) == 0 {
		return state.Resource{}, false, nil
	}
	kept := copies[0]
	if len(copies) > 1 {
		first, err := diffs(k, d, kept)
		if err != nil {
			return kept, true, err
		}
		if actionFor(first) == Replace {
			for _, x := range copies[1:] {
				if xd, err := diffs(k, d, x); err == nil && actionFor(xd) != Replace {
					kept = x
					break
				}
			}
		}
	}
	p.kept[r.Logical] = kept
	return kept, true, nil
}

func (p *Plan) planResource(k Kind, r *spec.Resource, inv *state.Inventory, changing map[string]bool) (Change, error) {
	c := Change{Address: r.Kind + "/" + r.Logical, Kind: r.Kind, Logical: r.Logical, DependsOn: r.DependsOn, stack: p.Stack, spec: r}
	d, err := p.desired(r, func(ref spec.Ref) (string, bool) {
		if changing[ref.Resource] {
			return Unknown, true
		}
		return p.liveAttr(inv, ref)
	})
	if err != nil {
		return c, err
	}
	c.Name = d.Name
	live, found, err := p.keep(k, r, d, inv)
	if err != nil {
		return c, fmt.Errorf("plan %s: %w", c.Address, err)
	}
	if !found {
		c.Action, c.Reason = Create, "not found"
		return c, nil
	}
	c.live, c.ID = &live, live.ID
	if c.Diffs, err = diffs(k, d, live); err != nil {
		return c, fmt.Errorf("plan %s: %w", c.Address, err)
	}
	c.Action = actionFor(c.Diffs)
	if c.Action == Replace {
		c.Order, c.Reason = replaceOrder(k, d, live, c.Diffs)
	}
	return c, nil
}

// diffs is every difference between a desired resource and its live twin: the name, the
// kind's typed fields, and the user tags.
func diffs(k Kind, d Desired, live state.Resource) ([]FieldDiff, error) {
	kd, err := k.Diff(d, live)
	if err != nil {
		return nil, err
	}
	return withTagsAndName(kd, d, live), nil
}

// withTagsAndName adds to a kind's diffs what the engine compares itself: user tags, name.
func withTagsAndName(kd []FieldDiff, d Desired, live state.Resource) []FieldDiff {
	out := append(kd, tagDiffs(live.Tags, d.Tags)...)
	if live.Name != d.Name {
		out = append([]FieldDiff{{Path: "name", Live: live.Name, Desired: d.Name, ForceNew: true}}, out...)
	}
	return out
}

func actionFor(diffs []FieldDiff) Action {
	switch {
	case slices.ContainsFunc(diffs, func(d FieldDiff) bool { return d.ForceNew }):
		return Replace
	case len(diffs) > 0:
		return Update
	default:
		return NoOp
	}
}

// desired resolves a spec resource into what a kind creates or updates.
func (p *Plan) desired(r *spec.Resource, lookup func(spec.Ref) (string, bool)) (Desired, error) {
	resolve := func(ref spec.Ref) (string, bool) {
		if ref.Resource == "" {
			return p.builtin(ref.Attribute)
		}
		return lookup(ref)
	}
	name, err := spec.Interpolate(r.Name, resolve)
	if err != nil {
		return Desired{}, fmt.Errorf("resolve %s/%s name: %w", r.Kind, r.Logical, err)
	}
	props, err := spec.Resolve(r.Props, resolve)
	if err != nil {
		return Desired{}, fmt.Errorf("resolve %s/%s: %w", r.Kind, r.Logical, err)
	}
	owner := state.Owner{Stack: p.Stack, Suffix: p.Suffix, ID: r.Logical}
	tags := owner.Tags()
	for k, v := range p.stack.Tags {
		tags[k] = v
	}
	return Desired{Owner: owner, Name: name, Props: props, Tags: tags}, nil
}

func (p *Plan) builtin(name string) (string, bool) {
	switch name {
	case "account":
		return p.env.Account, p.env.Account != ""
	case "region":
		return p.Region, true
	case "stack":
		return p.Stack, true
	case "suffix":
		return p.Suffix, true
	}
	return "", false
}

// liveAttr reads a referenced attribute from the inventory. An attribute the kind did not
// observe resolves to "", which the diff then shows.
func (p *Plan) liveAttr(inv *state.Inventory, ref spec.Ref) (string, bool) {
	dep := p.stack.Lookup(ref.Resource)
	if dep == nil {
		return "", false
	}
	live, ok := p.kept[dep.Logical]
	if !ok {
		return Unknown, true
	}
	return live.Attrs[ref.Attribute], true
}

// tagDiffs compares user tags. The Name tag is the physical name of EC2 resources and is
// compared as the name, not as a tag.
func tagDiffs(live, desired map[string]string) []FieldDiff {
	var out Diffs
	keys := map[string]bool{}
	for k := range live {
		keys[k] = true
	}
	for k := range desired {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if k != "Name" {
			sorted = append(sorted, k)
		}
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		lv, lok := live[k]
		dv, dok := desired[k]
		if lok != dok || lv != dv {
			out = append(out, FieldDiff{Path: "tags." + k, Live: tagValue(lv, lok), Desired: tagValue(dv, dok)})
		}
	}
	return out
}

func tagValue(v string, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

// orphans plans the deletion of live resources of the stack that the spec does not describe,
// highest kind tier first so that dependents go before what they depend on.
func orphans(stack string, inv *state.Inventory, matched map[string]bool) []Change {
	var out []Change
	for _, r := range inv.Resources {
		if r.Owner.Stack != stack || matched[r.Address()] {
			continue
		}
		out = append(out, deleteChange(r, "not in the spec"))
	}
	return out
}

func deleteChange(r state.Resource, reason string) Change {
	live := r
	return Change{Action: Delete, Address: r.Address(), Kind: r.Kind, Logical: r.Owner.ID, Name: r.Name, ID: r.ID, Reason: reason,
		stack: r.Owner.Stack, live: &live}
}

func sortDeletes(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		ti, tj := tier(cs[i].Kind), tier(cs[j].Kind)
		if ti != tj {
			return ti > tj
		}
		return cs[i].Address < cs[j].Address
	})
}

// DestroyPlan deletes everything in the inventory, in reverse kind order. The stack's spec is
// not needed: ownership tags say what is ours.
func DestroyPlan(inv *state.Inventory) *Plan {
	p := &Plan{Stack: inv.Selector.Stack, Suffix: inv.Selector.Suffix}
	for _, r := range inv.Resources {
		reason := "stack " + r.Owner.Stack
		p.Changes = append(p.Changes, deleteChange(r, reason))
	}
	sortDeletes(p.Changes)
	return p
}

// Compare is what the plan computes for live and d: the changes an update would be given.
func Compare(k Kind, d Desired, live state.Resource) (Changes, error) {
	return diffs(k, d, live)
}
