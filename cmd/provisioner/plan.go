package main

import (
	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/views"
)

// planOpts are the flags plan and drift share.
type planOpts struct {
	suffix, output string
	detailed       bool // exit 2 when there are changes
}

func newPlanCmd(g *globals) *cobra.Command {
	var o planOpts
	cmd := &cobra.Command{
		Use:   "plan SPEC",
		Short: "Show what apply would change, without changing anything",
		Long: "plan reads the spec, finds the stack's live resources by their ownership tags and prints\n" +
			"each change apply would make. Exit 0, or 2 with --detailed-exitcode when there are changes; 1 on error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.showPlan(cmd, args[0], o, views.NewPlan)
		},
	}
	suffixFlag(cmd, &o.suffix, "environment suffix (default: the spec's)")
	outputFlag(cmd, &o.output)
	cmd.Flags().BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when there are changes")
	g.statsFlag(cmd)
	return cmd
}

func newDriftCmd(g *globals) *cobra.Command {
	o := planOpts{detailed: true}
	cmd := &cobra.Command{
		Use:   "drift SPEC",
		Short: "Check that the account matches the spec; read-only, for cron",
		Long: "drift reports every drifted resource and field with live and desired values, missing\n" +
			"resources, and unexpected resources carrying the stack's tags. It makes no mutating AWS call:\n" +
			"every client refuses one before it is sent. Exit 0 in sync, 2 drift, 1 error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.showPlan(cmd, args[0], o, views.NewDrift)
		},
	}
	suffixFlag(cmd, &o.suffix, "environment suffix (default: the spec's)")
	outputFlag(cmd, &o.output)
	g.statsFlag(cmd)
	return cmd
}

// showPlan is the body of plan and drift: read-only, they differ only in their view and in
// whether changes make exit code 2.
func (g *globals) showPlan(cmd *cobra.Command, path string, o planOpts, newView func(views.ViewType, *views.View) views.Plan) error {
	vt, err := views.ParseViewType(o.output)
	if err != nil {
		return err
	}
	t, err := g.loadTarget(cmd.Context(), path, o.suffix, true)
	if err != nil {
		return err
	}
	p, err := t.plan(cmd.Context(), hinted)
	if err != nil {
		return err
	}
	if err := newView(vt, g.view(cmd)).Plan(p); err != nil {
		return err
	}
	if o.detailed && p.HasChanges() {
		return &exitError{code: 2}
	}
	return nil
}
