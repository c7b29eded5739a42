package reconcile

import (
	"context"
	"sync"
)

// slots hands out a walk's parallelism: when more nodes are ready than there are slots, the
// one with the longest chain of dependents behind it goes first (list scheduling's
// longest-path-first rule). A wide apply then starts its critical path — role, function, REST
// API, usage plans — at once instead of behind a dozen parameters and log groups that nothing
// waits for. A slot is handed out only once every node known to be ready has queued (the
// first ready nodes, then the dependents a finished node made ready), so that the choice is
// made among all of them, not by which goroutine happened to run first.
type slots struct {
	mu      sync.Mutex
	free    int
	gate    int // ready nodes still to queue before the first slot is handed out
	waiting []*slotWait
}

type slotWait struct {
	prio, order int
	granted     chan struct{}
}

func newSlots(n, firstReady int) *slots { return &slots{free: n, gate: firstReady} }

// acquire waits for a slot; prio is the node's chain of dependents (longer goes first), order
// breaks ties (the node's place in the graph, smaller first), so that the walk is the same
// every time.
func (s *slots) acquire(ctx context.Context, prio, order int) error {
	s.mu.Lock()
	w := &slotWait{prio: prio, order: order, granted: make(chan struct{})}
	s.waiting = append(s.waiting, w)
	s.gate--
	s.dispatch()
	s.mu.Unlock()
	select {
	case <-w.granted:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		select {
		case <-w.granted: // granted as ctx ended: hand the slot on
			s.free++
			s.dispatch()
		default:
			s.remove(w)
		}
		return ctx.Err()
	}
}

// expect holds the slots until n more ready nodes have queued.
func (s *slots) expect(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate += n
}

func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free++
	s.dispatch()
}

// dispatch grants free slots to the best waiters; s.mu is held.
func (s *slots) dispatch() {
	for s.gate <= 0 && s.free > 0 && len(s.waiting) > 0 {
		best := 0
		for i, w := range s.waiting {
			b := s.waiting[best]
			if w.prio > b.prio || (w.prio == b.prio && w.order < b.order) {
				best = i
			}
		}
		w := s.waiting[best]
		s.remove(w)
		s.free--
		close(w.granted)
	}
}

func (s *slots) remove(w *slotWait) {
	for i, x := range s.waiting {
		if x == w {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			return
		}
	}
}

// heights is, for every node, the weight of the heaviest chain that starts at it and runs
// through its dependents (with unweighted nodes, the number of nodes on the longest one): what
// waits, at the least, for it to finish.
func (g *Graph) heights() map[string]int {
	dependents := map[string][]string{}
	for _, n := range g.nodes {
		for _, d := range g.deps[n] {
			dependents[d] = append(dependents[d], n)
		}
	}
	h := make(map[string]int, len(g.nodes))
	var visit func(n string) int
	visit = func(n string) int {
		if v, ok := h[n]; ok {
			return v
		}
		best := 0
		for _, d := range dependents[n] {
			best = max(best, visit(d))
		}
		h[n] = best + g.weight(n)
		return h[n]
	}
	for _, n := range g.nodes {
		visit(n)
	}
	return h
}
