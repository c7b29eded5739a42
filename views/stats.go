package views

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// WithStats makes the view's JSON documents carry the run's call account under "stats" (from
// --stats); stats is asked each time a document is written, so each carries the calls so far.
// Without it the documents are as documented, with no stats key.
func (v *View) WithStats(stats func() reconcile.CallStats) *View {
	v.stats = stats
	return v
}

// callStats is the account for a JSON document, nil (and so left out) without --stats.
func (v *View) callStats() *reconcile.CallStats {
	if v.stats == nil {
		return nil
	}
	s := v.stats()
	return &s
}

// WriteStats writes the call account as a small table for people (on stderr, so that stdout
// stays the command's output): totals, then one row per operation, then the phases.
func WriteStats(w io.Writer, s reconcile.CallStats) error {
	if _, err := fmt.Fprintf(w, "\nAWS calls: %d (%d reads, %d writes), %d retries, %d throttled\n",
		s.Calls, s.Reads, s.Writes, s.Retries, s.Throttles); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SERVICE\tOPERATION\tKIND\tCALLS\tRETRIES\tTHROTTLED")
	for _, o := range s.Operations {
		kind := "write"
		if o.Read {
			kind = "read"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%d\n", o.Service, o.Operation, kind, o.Calls, o.Retries, o.Throttles)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range s.Phases {
		if _, err := fmt.Fprintf(w, "  %s: %d calls (%d reads, %d writes)\n", p.Name, p.Calls, p.Reads, p.Writes); err != nil {
			return err
		}
	}
	return nil
}
