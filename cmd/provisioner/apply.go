package main

import (
	"time"

	"fmt"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/views"
)

func newApplyCmd(g *globals) *cobra.Command {
	var suffix, output string
	var parallelism int
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "apply SPEC",
		Short: "Make the account match the spec",
		Long: "apply plans like `plan`, then creates, updates and deletes in dependency order without a\n" +
			"prompt (it is run by CI). It exits 0 only when a fresh plan afterwards shows no changes.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := views.ParseViewType(output)
			if err != nil {
				return err
			}
			return g.apply(cmd, args[0], suffix, views.NewApply(vt, g.view(cmd)), parallelism, lockTimeout)
		},
	}
	g.statsFlag(cmd)
	suffixFlag(cmd, &suffix, "environment suffix (default: the spec's)")
	outputFlag(cmd, &output)
	cmd.Flags().IntVar(&parallelism, "parallelism", 10, "changes in flight at once")
	lockTimeoutFlag(cmd, &lockTimeout)
	timeoutFlag(cmd)
	return cmd
}

func (g *globals) apply(cmd *cobra.Command, path, suffix string, view views.Operation, parallelism int, lockTimeout time.Duration) (err error) {
	ctx := cmd.Context()
	t, err := g.loadTarget(ctx, path, suffix, false)
	if err != nil {
		return err
	}
	p, err := t.plan(ctx, hintedUnconfirmed)
	if err != nil {
		return err
	}
	if refused := p.Refused(); refused != nil {
		// Refused before the lock too: a plan AWS cannot carry out makes no call at all.
		if err := view.Plan(p); err != nil {
			return err
		}
		return refused
	}
	lock, p, err := g.lockIfChanges(ctx, t, p, lockTimeout)
	if err != nil {
		return err
	}
	defer lock.finish(&err, false)
	if lock != nil {
		ctx = lock.ctx
	}
	if err := view.Plan(p); err != nil {
		return err
	}
	g.account.phase("apply")
	res, err := reconcile.Apply(ctx, p, t.reg, reconcile.ApplyOptions{Parallelism: parallelism, Observer: view.Observer()})
	if err != nil {
		return err
	}
	var after *reconcile.Plan
	var verr error
	if res.Err() == nil { // a failed apply exits with its failures: nothing to verify
		g.account.phase("verify")
		after, verr = t.verify(ctx, p, res)
	}
	if err := view.Result(p, res); err != nil {
		return err
	}
	return applyOutcome(res, after, verr)
}

// applyOutcome is the exit status: failures first, then whether a fresh plan is empty.
func applyOutcome(res *reconcile.Result, after *reconcile.Plan, verr error) error {
	if err := res.Err(); err != nil {
		return fmt.Errorf("apply failed:\n%w", err)
	}
	if verr != nil {
		return fmt.Errorf("verify after apply: %w", verr)
	}
	if after.HasChanges() {
		s := after.Summary()
		return fmt.Errorf("verify after apply: the account still differs from the spec (%d to create, %d to update, %d to replace, %d to delete); run plan to see them",
			s.Create, s.Update, s.Replace, s.Delete)
	}
	return nil
}
