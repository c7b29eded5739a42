package views

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

// List shows every live resource of one environment.
type List interface {
	List(inv *state.Inventory) error
}

// NewList is the view of `list`.
func NewList(vt ViewType, v *View) List {
	if vt == JSON {
		return &listJSON{v: v}
	}
	return &listText{v: v}
}

// Listed is one resource in the JSON form of a listing.
type Listed struct {
	Address string            `json:"address"`
	Stack   string            `json:"stack"`
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Attrs   map[string]string `json:"attributes"`
}

// sortedListing orders resources by stack, then address.
func sortedListing(inv *state.Inventory) []Listed {
	out := make([]Listed, 0, len(inv.Resources))
	for _, r := range inv.Resources {
		out = append(out, Listed{Address: r.Address(), Stack: r.Owner.Stack, ID: r.ID, Name: r.Name, Attrs: r.Attrs})
	}
	slices.SortFunc(out, func(a, b Listed) int { return strings.Compare(a.Stack+" "+a.Address, b.Stack+" "+b.Address) })
	return out
}

type listJSON struct{ v *View }

func (l *listJSON) List(inv *state.Inventory) error {
	return writeJSON(l.v.out, struct {
		Suffix    string               `json:"suffix"`
		Resources []Listed             `json:"resources"`
		Stats     *reconcile.CallStats `json:"stats,omitempty"` // only with --stats
	}{inv.Selector.Suffix, sortedListing(inv), l.v.callStats()})
}

type listText struct{ v *View }

// List writes a table of stack, address, id and the attributes other than the id.
func (l *listText) List(inv *state.Inventory) error {
	tw := tabwriter.NewWriter(l.v.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tADDRESS\tID\tATTRIBUTES")
	for _, r := range sortedListing(inv) {
		var attrs []string
		for _, k := range slices.Sorted(maps.Keys(r.Attrs)) {
			if v := r.Attrs[k]; v != "" && v != r.ID {
				attrs = append(attrs, k+"="+v)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Stack, r.Address, r.ID, strings.Join(attrs, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(l.v.out, "%d resources carry suffix %s.\n", len(inv.Resources), inv.Selector.Suffix)
	return err
}
