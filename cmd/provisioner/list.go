package main

import (
	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/views"
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
			vt, err := views.ParseViewType(o.output)
			if err != nil {
				return err
			}
			t, err := g.suffixTarget(cmd.Context(), "list", args, o, true)
			if err != nil {
				return err
			}
			inv, err := t.discover(cmd.Context())
			if err != nil {
				return err
			}
			return views.NewList(vt, g.view(cmd)).List(inv)
		},
	}
	suffixFlag(cmd, &o.suffix, "environment suffix (required unless a SPEC names one)")
	cmd.Flags().StringVar(&o.stack, "stack", "", "only this stack (default: the SPEC's stack, else every stack)")
	outputFlag(cmd, &o.output)
	g.statsFlag(cmd)
	return cmd
}
