package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/state"
)

func newUnlockCmd(g *globals) *cobra.Command {
	var o envOpts
	cmd := &cobra.Command{
		Use:   "unlock --suffix S [--stack NAME]",
		Short: "Remove a stack lock left by a run that died",
		Long: "apply and destroy hold a lock per stack and suffix (an SSM parameter under\n" +
			"/provisioner/lock/<suffix>/<stack>/) and renew it while they run; a killed run's lock expires\n" +
			"by itself after its lease (3 minutes). unlock shows who holds the lock and removes it after\n" +
			"you type the suffix (or --yes). A run that is still alive stops at its next renewal.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return g.unlock(cmd, o) },
	}
	suffixFlag(cmd, &o.suffix, "environment suffix whose locks to remove (required)")
	cmd.Flags().StringVar(&o.stack, "stack", "", "only this stack's lock (default: every stack of the suffix)")
	cmd.Flags().BoolVar(&o.yes, "yes", false, "do not ask; required when stdin is not a terminal")
	return cmd
}

func (g *globals) unlock(cmd *cobra.Command, o envOpts) error {
	if o.suffix == "" {
		return fmt.Errorf("unlock: --suffix is required (or PROVISIONER_SUFFIX)")
	}
	ctx := cmd.Context()
	t, err := g.connect(ctx, "", false, "")
	if err != nil {
		return err
	}
	api := lockAPIFor(t.cfg)
	stacks := []string{o.stack}
	if o.stack == "" {
		if stacks, err = state.Locks(ctx, api, o.suffix); err != nil {
			return err
		}
	}
	var held []state.LockInfo
	for _, s := range stacks {
		info, ok, err := (&state.Locker{API: api, Stack: s, Suffix: o.suffix}).Read(ctx)
		if err != nil {
			return err
		}
		if ok {
			held = append(held, info)
			fmt.Fprintln(cmd.OutOrStdout(), (&state.LockedError{Info: info}).Error())
		}
	}
	if len(held) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "No lock is held for suffix %s.\n", o.suffix)
		return nil
	}
	if err := confirmUnlock(cmd, o, len(held)); err != nil {
		return err
	}
	for _, info := range held {
		l := &state.Locker{API: api, Stack: info.Stack, Suffix: o.suffix}
		if err := l.Break(ctx, info.Holder.RunID, t.holder("unlock")); err != nil {
			return fmt.Errorf("unlock stack %s suffix %s: %w", info.Stack, o.suffix, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "Removed the lock of stack %s suffix %s.\n", info.Stack, o.suffix)
	}
	return nil
}

// confirmUnlock asks a person to type the suffix; without a terminal it needs --yes.
func confirmUnlock(cmd *cobra.Command, o envOpts, n int) error {
	if o.yes {
		return nil
	}
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); !ok || !isTerminal(f) {
		return fmt.Errorf("unlock: stdin is not a terminal; pass --yes to remove %d locks", n)
	}
	return askUnlock(cmd.ErrOrStderr(), in, o.suffix, n)
}

func askUnlock(w io.Writer, in io.Reader, suffix string, n int) error {
	fmt.Fprintf(w, "\nIf that run is still going, it stops at its next renewal. Type the suffix %q to remove %d locks: ", suffix, n)
	line, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(line) != suffix {
		return fmt.Errorf("unlock: confirmation %q does not match suffix %q; nothing removed", strings.TrimSpace(line), suffix)
	}
	return nil
}
