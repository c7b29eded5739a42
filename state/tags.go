// Package state is the live-state model: ownership tags, the inventory of what discovery
// found, and what a resource looks like once observed.
package state

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/provisioner-dev/provisioner/spec"
)

// Ownership tag keys. Every taggable resource carries all three from its create call on;
// nothing without them is ever updated or deleted.
const (
	TagStack  = "provisioner:stack"
	TagSuffix = "provisioner:suffix"
	TagID     = "provisioner:id"
)

// Owner identifies a resource as ours: which stack, which environment suffix, which logical
// resource of the spec.
type Owner struct {
	Stack  string
	Suffix string
	ID     string // logical name
}

// Tags returns the ownership tags of o.
func (o Owner) Tags() map[string]string {
	return map[string]string{TagStack: o.Stack, TagSuffix: o.Suffix, TagID: o.ID}
}

// OwnerOf reads the ownership tags; ok is false unless all three are present and non-empty.
func OwnerOf(tags map[string]string) (o Owner, ok bool) {
	o = Owner{Stack: tags[TagStack], Suffix: tags[TagSuffix], ID: tags[TagID]}
	return o, o.Stack != "" && o.Suffix != "" && o.ID != ""
}

// Owns reports whether tags carry exactly o's ownership tags: all three present, non-empty and
// equal to o's. An Owner with an empty field owns nothing.
func (o Owner) Owns(tags map[string]string) bool {
	got, ok := OwnerOf(tags)
	return ok && got == o
}

// Selector picks the resources of one environment: a suffix, and optionally one stack.
type Selector struct {
	Stack  string // empty: any stack
	Suffix string // required
}

// Matches reports whether tags carry our ownership tags for this selector.
func (s Selector) Matches(tags map[string]string) bool {
	o, ok := OwnerOf(tags)
	return ok && o.Suffix == s.Suffix && (s.Stack == "" || o.Stack == s.Stack)
}

// MayName reports whether a physical name may be one of ours: every name the spec gives
// carries the suffix (spec/names.go requires ${suffix} in every name), so a name without it
// is someone else's, and discovery does not read its tags. It is a cheap first sieve: the
// ownership tags still decide.
func (s Selector) MayName(name string) bool {
	return s.Suffix == "" || strings.Contains(name, s.Suffix)
}

// Unreadable is a resource discovery listed but could not read (AccessDenied on its tags or
// its describe): a resource not ours in a shared account, under a role limited to our names.
type Unreadable struct {
	Kind, Name, Reason string
}

// Resource is one live resource as discovery or a create observed it.
type Resource struct {
	Kind  string            // e.g. dynamodb.table
	Owner Owner             // from its ownership tags
	ID    string            // the identifier the kind's API takes (VPC id, table name, queue URL, …)
	Name  string            // physical name
	Attrs map[string]string // the attributes other resources may reference (spec.KindInfo.Attributes)
	Tags  map[string]string // every tag, ownership tags included
	Props spec.Properties   // observed properties in the spec's own language
}

// Address is kind/logical, unique within a stack.
func (r Resource) Address() string { return r.Kind + "/" + r.Owner.ID }

// Inventory is every live resource found for one selector.
type Inventory struct {
	Selector  Selector
	Resources []Resource
	// Unreadable are the candidates discovery skipped because AWS refused to let it read them;
	// none carried a name of ours that could be read.
	Unreadable []Unreadable
	// Hinted are the kinds whose ownership tags came from the eventually consistent tag index
	// (reconcile.TagIndex) rather than from their own services.
	Hinted []string
}

// Find returns the live resource of that kind and logical name in the stack, if any: the
// one Copies keeps when there are several.
func (inv *Inventory) Find(stack, kind, logical string) (Resource, bool) {
	c := inv.Copies(stack, kind, logical)
	if len(c) == 0 {
		return Resource{}, false
	}
	return c[0], true
}

// Copies returns every live resource of that kind and logical name in the stack. There is
// one unless something made another (an older run whose answer was lost, a hand-made copy
// carrying our tags). The first is the one to keep: the one other live resources reference
// (its id appears in their properties or attributes), else, among equals, the smallest id, so
// that every run keeps the same one. The rest are extra copies, for the plan to delete.
func (inv *Inventory) Copies(stack, kind, logical string) []Resource {
	var out []Resource
	for _, r := range inv.Resources {
		if r.Kind == kind && r.Owner.Stack == stack && r.Owner.ID == logical {
			out = append(out, r)
		}
	}
	if len(out) < 2 {
		return out
	}
	refs := make(map[string]bool, len(out))
	for _, r := range out {
		refs[r.ID] = inv.referenced(r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if refs[out[i].ID] != refs[out[j].ID] {
			return refs[out[i].ID]
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Referenced reports whether another live resource names r's id in its properties or
// attributes.
func (inv *Inventory) Referenced(r Resource) bool { return inv.referenced(r) }

func (inv *Inventory) referenced(r Resource) bool {
	if r.ID == "" {
		return false
	}
	for _, o := range inv.Resources {
		if o.Kind == r.Kind && o.ID == r.ID {
			continue
		}
		for _, v := range o.Attrs {
			if strings.Contains(v, r.ID) {
				return true
			}
		}
		if b, err := json.Marshal(o.Props); err == nil && strings.Contains(string(b), r.ID) {
			return true
		}
	}
	return false
}

// UserTags returns tags without the ownership tags.
func UserTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if k != TagStack && k != TagSuffix && k != TagID {
			out[k] = v
		}
	}
	return out
}
