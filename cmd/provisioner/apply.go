package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/reconcile"
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
			if err := checkOutput(output); err != nil {
				return err
			}
			return g.apply(cmd, args[0], suffix, output, parallelism, lockTimeout)
		},
	}
	suffixFlag(cmd, &suffix, "environment suffix (default: the spec's)")
	outputFlag(cmd, &output)
	cmd.Flags().IntVar(&parallelism, "parallelism", 10, "changes in flight at once")
	lockTimeoutFlag(cmd, &lockTimeout)
	return cmd
}

func (g *globals) apply(cmd *cobra.Command, path, suffix, output string, parallelism int, lockTimeout time.Duration) (err error) {
	ctx := cmd.Context()
	t, err := g.loadTarget(ctx, path, suffix, false)
	if err != nil {
		return err
	}
	p, err := t.plan(ctx)
	if err != nil {
		return err
	}
	lock, p, err := g.lockIfChanges(ctx, t, p, lockTimeout)
	if err != nil {
		return err
	}
	defer lock.finish(&err, false)
	if lock != nil {
		ctx = lock.ctx
	}
	out := cmd.OutOrStdout()
	if output == "text" {
		if err := g.renderPlan(cmd, p, output, reconcile.RenderOptions{}); err != nil {
			return err
		}
	}
	res, err := reconcile.Apply(ctx, p, t.reg, reconcile.ApplyOptions{Parallelism: parallelism, Observer: g.observer(cmd, output)})
	if err != nil {
		return err
	}
	after, verr := t.plan(ctx)
	if output == "json" {
		if err := writeApplyJSON(out, p, res); err != nil {
			return err
		}
	} else {
		writeCounts(out, "Apply", res.Counts())
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

func writeCounts(w io.Writer, what string, c reconcile.Counts) {
	fmt.Fprintf(w, "\n%s complete: %d created, %d updated, %d replaced, %d deleted, %d unchanged, %d failed",
		what, c.Created, c.Updated, c.Replaced, c.Deleted, c.Unchanged, c.Failed)
	if c.Skipped > 0 {
		fmt.Fprintf(w, ", %d skipped", c.Skipped)
	}
	fmt.Fprintln(w, ".")
}

func writeApplyJSON(w io.Writer, p *reconcile.Plan, res *reconcile.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		FormatVersion int                      `json:"format_version"`
		Stack         string                   `json:"stack"`
		Suffix        string                   `json:"suffix"`
		Results       []reconcile.ChangeResult `json:"results"`
		Counts        reconcile.Counts         `json:"counts"`
	}{1, p.Stack, p.Suffix, res.Results, res.Counts()})
}

var (
	ingVerb = map[reconcile.Action]string{reconcile.Create: "creating", reconcile.Update: "updating", reconcile.Replace: "replacing", reconcile.Delete: "deleting"}
	edVerb  = map[reconcile.Action]string{reconcile.Create: "created", reconcile.Update: "updated", reconcile.Replace: "replaced", reconcile.Delete: "deleted"}
)

// textObserver prints a line as each change starts, runs long, and finishes.
type textObserver struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *textObserver) line(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(o.w, format+"\n", args...)
}

func (o *textObserver) Started(c reconcile.Change) {
	o.line("%s: %s...", c.Address, ingVerb[c.Action])
}

func (o *textObserver) Progress(c reconcile.Change, elapsed time.Duration) {
	o.line("%s: still %s... [%s elapsed]", c.Address, ingVerb[c.Action], elapsed.Round(time.Second))
}

func (o *textObserver) Finished(c reconcile.Change, err error, elapsed time.Duration) {
	if err != nil {
		o.line("%s: %s failed after %s: %v", c.Address, c.Action, round(elapsed), err)
		return
	}
	o.line("%s: %s in %s", c.Address, edVerb[c.Action], round(elapsed))
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// logObserver reports progress through the logger (stderr) when stdout carries JSON.
type logObserver struct{ log *zap.Logger }

func (o *logObserver) Started(c reconcile.Change) {
	o.log.Info("start", zap.String("address", c.Address), zap.String("action", string(c.Action)))
}

func (o *logObserver) Progress(c reconcile.Change, elapsed time.Duration) {
	o.log.Info("still running", zap.String("address", c.Address), zap.Duration("elapsed", elapsed))
}

func (o *logObserver) Finished(c reconcile.Change, err error, elapsed time.Duration) {
	o.log.Info("finish", zap.String("address", c.Address), zap.String("action", string(c.Action)),
		zap.Duration("elapsed", elapsed), zap.Error(err))
}

func zapAccount(a string) zap.Field { return zap.String("account", a) }
func zapRegion(r string) zap.Field  { return zap.String("region", r) }
