package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/views"
)

// callAccount is --stats: the counter every client of the run reports to, once connected.
type callAccount struct {
	enabled bool
	calls   *reconcile.CallCounter
}

// statsFlag registers --stats on cmd. After a text run (also a failed one, or drift's exit
// 2) the account goes to stderr as a table; JSON views carry it in their documents instead.
func (g *globals) statsFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&g.account.enabled, "stats", false,
		"count the run's AWS calls by service and operation, reads and writes, retries and throttles (a table on stderr; JSON output carries it under \"stats\")")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		err := run(c, args)
		if g.account.calls != nil && c.Flag("output").Value.String() != "json" {
			if werr := views.WriteStats(c.ErrOrStderr(), g.account.calls.Stats()); werr != nil && err == nil {
				err = werr
			}
		}
		return err
	}
}

// attach starts counting the calls of every client built from cfg.
func (a *callAccount) attach(cfg *aws.Config) {
	if !a.enabled {
		return
	}
	a.calls = reconcile.NewCallCounter()
	a.calls.Phase("discover")
	a.calls.Attach(cfg)
}

// phase starts a named phase of the account (apply, verify, ...).
func (a *callAccount) phase(name string) {
	if a.calls != nil {
		a.calls.Phase(name)
	}
}

// stats is the account so far, for the JSON views.
func (a *callAccount) stats() reconcile.CallStats {
	if a.calls == nil {
		return reconcile.CallStats{}
	}
	return a.calls.Stats()
}

// withStats makes v's JSON documents carry the account when --stats is given.
func (a *callAccount) withStats(v *views.View) *views.View {
	if a.enabled {
		v.WithStats(a.stats)
	}
	return v
}
