package main

import (
	"time"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// chain is the longest chain of dependent changes in an apply: Length counts the changes on
// the chain with the most of them; Measured is the largest sum of measured durations along any
// chain (the least the walk could take with unlimited parallelism and the same per-change
// times).
type chain struct {
	Length   int
	Measured time.Duration
}

// longestChain walks the creates, updates and replaces that ran along depends_on (logical
// names); both maxima are taken independently.
func longestChain(results []reconcile.ChangeResult) chain {
	byLogical := map[string]reconcile.ChangeResult{}
	for _, cr := range results {
		if cr.Change.Action != reconcile.NoOp && cr.Change.Action != reconcile.Delete && !cr.Skipped {
			byLogical[cr.Change.Logical] = cr
		}
	}
	memo := map[string]chain{}
	var visit func(l string) chain
	visit = func(l string) chain {
		if c, ok := memo[l]; ok {
			return c
		}
		cr := byLogical[l]
		var best chain
		for _, dep := range cr.Change.DependsOn {
			if _, ok := byLogical[dep]; ok {
				c := visit(dep)
				best.Length = max(best.Length, c.Length)
				best.Measured = max(best.Measured, c.Measured)
			}
		}
		c := chain{Length: best.Length + 1, Measured: best.Measured + cr.Elapsed}
		memo[l] = c
		return c
	}
	var out chain
	for l := range byLogical {
		c := visit(l)
		out.Length = max(out.Length, c.Length)
		out.Measured = max(out.Measured, c.Measured)
	}
	return out
}

// countedChanges is the number of changes that ran.
func countedChanges(results []reconcile.ChangeResult) int {
	n := 0
	for _, cr := range results {
		if cr.Change.Action != reconcile.NoOp && !cr.Skipped {
			n++
		}
	}
	return n
}

// bound is the critical-path model of an apply: one round of calls for discovery (every kind
// lists at once), then the longer of the longest chain of dependent changes and the changes
// the parallelism lets through one slot (changes / parallelism), each change costing the
// apply's calls per change made one after another, then one round for the verifying pass;
// each round costs one latency. Nothing with this many calls per change and this parallelism
// can beat it; a tool near it waits only for what it must.
func bound(length, changes, parallelism int, callsPerChange float64, latency time.Duration) time.Duration {
	slots := (changes + parallelism - 1) / max(parallelism, 1)
	rounds := 2 + float64(max(length, slots))*callsPerChange
	return time.Duration(rounds * float64(latency))
}

// graphBound is the critical-path bound of the apply's own graph: every change costs what it
// took in a serial cold apply (parallelism 1: no change's time holds a wait for a slot or for
// another change's calls, only its own rounds at this latency), the depends_on graph chains
// them, and what that run spent outside its changes (the account lookup, both discoveries,
// the lock, the verifying pass; none of it depends on the parallelism) comes once. With
// parallelism slots no walk of these changes beats fixed + max(longest chain, their total /
// parallelism), the list-scheduling bound.
func graphBound(serial measured, parallelism int) (bound, chain, fixed time.Duration) {
	var total time.Duration
	for _, cr := range serial.Results {
		if cr.Change.Action != reconcile.NoOp && !cr.Skipped {
			total += cr.Elapsed
		}
	}
	chain = longestChain(serial.Results).Measured
	fixed = max(serial.Wall-total, 0)
	return fixed + max(chain, total/time.Duration(max(parallelism, 1))), chain, fixed
}

// phaseCalls is the calls of the named phase.
func phaseCalls(s reconcile.CallStats, name string) int {
	for _, p := range s.Phases {
		if p.Name == name {
			return p.Calls
		}
	}
	return 0
}
