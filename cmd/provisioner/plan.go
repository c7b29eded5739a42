package main

import (
	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
)

func newPlanCmd(g *globals) *cobra.Command {
	var suffix, output string
	var detailed bool
	cmd := &cobra.Command{
		Use:   "plan SPEC",
		Short: "Show what apply would change, without changing anything",
		Long: "plan reads the spec, finds the stack's live resources by their ownership tags and prints\n" +
			"each change apply would make. Exit 0, or 2 with --detailed-exitcode when there are changes; 1 on error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			t, err := g.loadTarget(cmd.Context(), args[0], suffix, true)
			if err != nil {
				return err
			}
			p, err := t.plan(cmd.Context())
			if err != nil {
				return err
			}
			if err := g.renderPlan(cmd, p, output, reconcile.RenderOptions{}); err != nil {
				return err
			}
			if detailed && p.HasChanges() {
				return &exitError{code: 2}
			}
			return nil
		},
	}
	suffixFlag(cmd, &suffix, "environment suffix (default: the spec's)")
	outputFlag(cmd, &output)
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when there are changes")
	return cmd
}

func newDriftCmd(g *globals) *cobra.Command {
	var suffix, output string
	cmd := &cobra.Command{
		Use:   "drift SPEC",
		Short: "Check that the account matches the spec; read-only, for cron",
		Long: "drift reports every drifted resource and field with live and desired values, missing\n" +
			"resources, and unexpected resources carrying the stack's tags. It makes no mutating AWS call:\n" +
			"every client refuses one before it is sent. Exit 0 in sync, 2 drift, 1 error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			t, err := g.loadTarget(cmd.Context(), args[0], suffix, true)
			if err != nil {
				return err
			}
			p, err := t.plan(cmd.Context())
			if err != nil {
				return err
			}
			if err := g.renderPlan(cmd, p, output, reconcile.RenderOptions{Drift: true}); err != nil {
				return err
			}
			if p.HasChanges() {
				return &exitError{code: 2}
			}
			return nil
		},
	}
	suffixFlag(cmd, &suffix, "environment suffix (default: the spec's)")
	outputFlag(cmd, &output)
	return cmd
}
