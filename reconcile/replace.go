package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/provisioner-dev/provisioner/state"
)

// ReplaceOrder is how a replacement runs.
type ReplaceOrder string

const (
	// CreateFirst creates the new resource beside the old one, runs the changes of everything
	// that references it (they move to the new one), then deletes the old one.
	CreateFirst ReplaceOrder = "create_before_delete"
	// DeleteFirst deletes the old resource, then creates the new one: the two cannot exist at
	// once (a name AWS keeps unique and the spec fixes). The plan says why.
	DeleteFirst ReplaceOrder = "delete_before_create"
)

// Replacer is an optional ability: a kind saying whether a new resource for d can exist
// beside live, the one it replaces (diffs are the plan's, ForceNew among them). When it can,
// the replacement is created first; when not, why says what stands in the way, and the plan
// shows it before anything is changed. A kind without it is replaced delete-first, unless its
// name changes (a new name never collides with the old one).
//
// A kind that says yes keeps two promises for a Create given Desired.Replaces: its look-up of
// an earlier attempt (by ownership tags) skips the resource being replaced, and where the
// name must be unique in a scope the new resource shares, it takes ReplacementName.
type Replacer interface {
	CreateFirst(d Desired, live state.Resource, diffs []FieldDiff) (ok bool, why string)
}

// replaceOrder decides how c, a replacement of live by d, runs, and says why in words the
// plan shows.
func replaceOrder(k Kind, d Desired, live state.Resource, diffs []FieldDiff) (ReplaceOrder, string) {
	if slices.ContainsFunc(diffs, func(fd FieldDiff) bool { return fd.Path == "name" && fd.ForceNew }) {
		return CreateFirst, "created first under its new name, then the old one is deleted once what references it has moved"
	}
	if r, ok := ability[Replacer](k); ok {
		if yes, why := r.CreateFirst(d, live, diffs); yes {
			return CreateFirst, "created first, then the old one is deleted once what references it has moved"
		} else if why != "" {
			return DeleteFirst, "deleted first: " + why
		}
	}
	return DeleteFirst, fmt.Sprintf("deleted first: a %s's name is unique and the spec fixes %q, so the old one must go before the new one can be created", k.Kind(), d.Name)
}

// ability finds an optional interface on k or on the typed kind behind an adapted one.
func ability[T any](k Kind) (T, bool) {
	if a, ok := k.(T); ok {
		return a, true
	}
	if u, ok := k.(interface{ Unwrap() any }); ok {
		a, ok := u.Unwrap().(T)
		return a, ok
	}
	var zero T
	return zero, false
}

// ReplacementName is the physical name a create-first replacement takes where the name must be
// unique in a scope old and new share (a security group's name in its VPC): name with
// "-r" and six hex characters derived from the id being replaced. It is the same on every run
// for the same old resource, so a create sent again after a lost answer or a crash meets the
// first one ("already exists") and adopts it instead of making a second.
func ReplacementName(name, replaces string) string {
	h := sha256.Sum256([]byte(replaces))
	return name + "-r" + hex.EncodeToString(h[:3])
}

// BaseName undoes ReplacementName: physical is base itself or base's replacement name (a
// kind keeps base, the spec's name, in a tag, and reads its name back as base either way).
func BaseName(physical, base string) string {
	rest, ok := strings.CutPrefix(physical, base+"-r")
	if !ok || len(rest) != 6 {
		return physical
	}
	if _, err := hex.DecodeString(rest); err != nil {
		return physical
	}
	return base
}
