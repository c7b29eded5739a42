package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// defaultWaitTimeout is how long a delete waits for what holds it: AWS keeps a deleted VPC
// Lambda's network interfaces for up to ~45 minutes (docs/engine.md, "Waits and budgets").
const defaultWaitTimeout = 45 * time.Minute

// timeoutFlag registers --timeout, the budget of each slow delete's wait, and hands it to the
// kinds through the command's context before the command runs.
func timeoutFlag(cmd *cobra.Command) {
	d := cmd.Flags().Duration("timeout", defaultWaitTimeout,
		"how long a delete waits for what still holds it (Lambda's network interfaces in a subnet or security group) before it fails naming them")
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		cmd.SetContext(reconcile.WithWaitBudget(ctx, *d))
		return run(cmd, args)
	}
}
