package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
	"github.com/provisioner-dev/provisioner/views"
)

// envOpts are the flags of the commands that work on one environment (a suffix), with or
// without a spec: destroy, list and api-key.
type envOpts struct {
	suffix, stack, output string
	dryRun, yes           bool
	parallelism           int
	lockTimeout           time.Duration
}

func newDestroyCmd(g *globals) *cobra.Command {
	var o envOpts
	cmd := &cobra.Command{
		Use:   "destroy --suffix S [--stack NAME] [SPEC]",
		Short: "Delete every resource carrying one environment suffix's ownership tags",
		Long: "destroy finds everything tagged with the suffix (the spec is optional; --stack narrows it to\n" +
			"one stack), prints what it will delete, asks you to type the suffix on a terminal (or needs\n" +
			"--yes), deletes in reverse dependency order, waits, and verifies that nothing tagged remains.\n" +
			"Nothing without the ownership tags is ever touched.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vt, err := views.ParseViewType(o.output)
			if err != nil {
				return err
			}
			return g.destroy(cmd, args, o, views.NewDestroy(vt, g.view(cmd)))
		},
	}
	suffixFlag(cmd, &o.suffix, "environment suffix to destroy (required unless a SPEC names one)")
	cmd.Flags().StringVar(&o.stack, "stack", "", "only this stack (default: the SPEC's stack, else every stack)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print what would be deleted and stop")
	cmd.Flags().BoolVar(&o.yes, "yes", false, "do not ask; required when stdin is not a terminal")
	cmd.Flags().IntVar(&o.parallelism, "parallelism", 10, "deletes in flight at once")
	lockTimeoutFlag(cmd, &o.lockTimeout)
	outputFlag(cmd, &o.output)
	g.statsFlag(cmd)
	timeoutFlag(cmd)
	return cmd
}

// suffixTarget works out the selector and region from --suffix, --stack and an optional spec,
// for the commands that work on one environment without needing the spec.
func (g *globals) suffixTarget(ctx context.Context, cmdName string, args []string, o envOpts, readOnly bool) (*target, error) {
	region, specFile, sel := "", "", state.Selector{Stack: o.stack, Suffix: o.suffix}
	if len(args) == 1 {
		specFile = args[0]
		st, err := spec.Load(args[0], spec.Options{Suffix: o.suffix})
		if err != nil {
			return nil, err
		}
		region, sel.Suffix = st.Region, st.Suffix
		if sel.Stack == "" {
			sel.Stack = st.Name
		}
	}
	if sel.Suffix == "" {
		return nil, fmt.Errorf("%s: --suffix is required (or PROVISIONER_SUFFIX, or a SPEC)", cmdName)
	}
	t, err := g.connect(ctx, region, readOnly, specFile)
	if err != nil {
		return nil, err
	}
	t.sel = sel
	return t, nil
}

func (g *globals) destroy(cmd *cobra.Command, args []string, o envOpts, view views.Operation) (err error) {
	ctx := cmd.Context()
	t, err := g.suffixTarget(ctx, "destroy", args, o, o.dryRun)
	if err != nil {
		return err
	}
	inv, err := t.discover(ctx)
	if err != nil {
		return err
	}
	p := reconcile.DestroyPlan(inv)
	p.Region = t.env.Region
	if err := view.Plan(p); err != nil {
		return err
	}
	if o.dryRun || !p.HasChanges() {
		return nil
	}
	g.account.phase("destroy")
	if err := confirm(cmd, o, len(p.Changes)); err != nil {
		return err
	}
	lock, p, err := g.lockForDestroy(ctx, t, inv, o.lockTimeout)
	if err != nil {
		return err
	}
	defer lock.finish(&err, true) // last: verifyGone has run, and the lock goes too
	ctx = lock.ctx
	res, err := reconcile.Apply(ctx, p, t.reg, reconcile.ApplyOptions{Parallelism: o.parallelism, Observer: view.Observer()})
	if err != nil {
		return err
	}
	var verr error
	if res.Err() == nil { // verified before the result is shown, so its --stats count the check
		g.account.phase("verify")
		verr = verifyGone(ctx, t, res.Touched(p))
	}
	if err := view.Result(p, res); err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("destroy failed:\n%w", err)
	}
	return verr
}

// verifyGone lists again the kinds destroy deleted from: it succeeds only when nothing
// carrying the tags remains.
func verifyGone(ctx context.Context, t *target, kinds []string) error {
	left, err := reconcile.Rediscover(ctx, t.reg, &state.Inventory{Selector: t.sel}, kinds)
	if err != nil {
		return fmt.Errorf("verify destroy: %w", err)
	}
	if n := len(left.Resources); n > 0 {
		var addrs []string
		for _, r := range left.Resources {
			addrs = append(addrs, r.Address())
		}
		return fmt.Errorf("verify destroy: %d resources still carry suffix %s: %s", n, t.sel.Suffix, strings.Join(addrs, ", "))
	}
	return nil
}

// confirm asks a person to type the suffix; without a terminal it needs --yes.
func confirm(cmd *cobra.Command, o envOpts, n int) error {
	if o.yes {
		return nil
	}
	in := cmd.InOrStdin()
	f, isFile := in.(*os.File)
	if !isFile || !isTerminal(f) {
		return &exitError{code: 1, err: fmt.Errorf("destroy: stdin is not a terminal; pass --yes to delete %d resources", n)}
	}
	return askSuffix(cmd.ErrOrStderr(), in, o.suffix, n)
}

func askSuffix(w io.Writer, in io.Reader, suffix string, n int) error {
	fmt.Fprintf(w, "\nThis deletes %d resources. Type the suffix %q to confirm: ", n, suffix)
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("destroy: no confirmation: %w", err)
	}
	if strings.TrimSpace(line) != suffix {
		return fmt.Errorf("destroy: confirmation %q does not match suffix %q; nothing deleted", strings.TrimSpace(line), suffix)
	}
	return nil
}
