package reconcile

import (
	"fmt"
	"sort"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Diffs collects field diffs; kinds write their typed Diff as a list of calls on it.
type Diffs []FieldDiff

// Field records path when live and desired differ (nil and empty slices and maps are equal).
func (d *Diffs) Field(path string, live, desired any) {
	if !Equal(live, desired) {
		*d = append(*d, FieldDiff{Path: path, Live: live, Desired: desired})
	}
}

// ForceNew records path as a replacing change when live and desired differ.
func (d *Diffs) ForceNew(path string, live, desired any) {
	if !Equal(live, desired) {
		*d = append(*d, FieldDiff{Path: path, Live: live, Desired: desired, ForceNew: true})
	}
}

// Impossible records path as a change AWS cannot make, with why: replacing the resource is no
// way out either (a new table loses its data), so the plan refuses it rather than forcing new.
func (d *Diffs) Impossible(path string, live, desired any, why string) {
	*d = append(*d, FieldDiff{Path: path, Live: live, Desired: desired, Impossible: why})
}

// Set records path when two string lists differ as sets (order and duplicates ignored).
func (d *Diffs) Set(path string, live, desired []string) {
	d.Field(path, SortedSet(live), SortedSet(desired))
}

// Equal compares two values the way every diff does: deep, with nil and empty the same.
func Equal(a, b any) bool {
	return cmp.Equal(a, b, cmpopts.EquateEmpty())
}

// SortedSet returns the sorted, de-duplicated copy of s (nil for an empty s).
func SortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// Index renders a list element's path, e.g. Index("ingress", 2) = "ingress[2]".
func Index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
