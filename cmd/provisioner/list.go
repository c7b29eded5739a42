package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

func newListCmd(g *globals) *cobra.Command {
	var o envOpts
	cmd := &cobra.Command{
		Use:   "list --suffix S [--stack NAME] [SPEC]",
		Short: "Show where things are: every live resource of one environment, with its id and attributes",
		Long: "list finds everything carrying the suffix's ownership tags (read-only) and prints each\n" +
			"resource's address, physical id and referable attributes (ARNs, URLs, ...). Secrets such as\n" +
			"API key values are never among them.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			t, err := g.suffixTarget(cmd.Context(), "list", args, o, true)
			if err != nil {
				return err
			}
			inv, err := reconcile.Discover(cmd.Context(), t.reg, t.sel)
			if err != nil {
				return err
			}
			if o.output == "json" {
				return writeListJSON(cmd.OutOrStdout(), inv)
			}
			return writeListText(cmd.OutOrStdout(), inv)
		},
	}
	suffixFlag(cmd, &o.suffix, "environment suffix (required unless a SPEC names one)")
	cmd.Flags().StringVar(&o.stack, "stack", "", "only this stack (default: the SPEC's stack, else every stack)")
	outputFlag(cmd, &o.output)
	return cmd
}

type listed struct {
	Address string            `json:"address"`
	Stack   string            `json:"stack"`
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Attrs   map[string]string `json:"attributes"`
}

// sortedListing orders resources by stack, then address.
func sortedListing(inv *state.Inventory) []listed {
	out := make([]listed, 0, len(inv.Resources))
	for _, r := range inv.Resources {
		out = append(out, listed{Address: r.Address(), Stack: r.Owner.Stack, ID: r.ID, Name: r.Name, Attrs: r.Attrs})
	}
	slices.SortFunc(out, func(a, b listed) int { return strings.Compare(a.Stack+" "+a.Address, b.Stack+" "+b.Address) })
	return out
}

func writeListJSON(w io.Writer, inv *state.Inventory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Suffix    string   `json:"suffix"`
		Resources []listed `json:"resources"`
	}{inv.Selector.Suffix, sortedListing(inv)})
}

func writeListText(w io.Writer, inv *state.Inventory) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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
	_, err := fmt.Fprintf(w, "%d resources carry suffix %s.\n", len(inv.Resources), inv.Selector.Suffix)
	return err
}
