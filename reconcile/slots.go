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
// made among all of them, not by which goroutine happened to run first. A node of a limit
// group (Graph.Limit) that is full is passed over, keeping no slot while it waits.
type slots struct {
	mu      sync.Mutex
	free    int
	gate    int // ready nodes still to queue before the first slot is handed out
	waiting []*slotWait
	caps    map[string]int // per limit group: its width
	running map[string]int // per limit group: its nodes holding slots
}

type slotWait struct {
	prio, order int
	group       string
	granted     chan struct{}
}

func newSlots(n, firstReady int, caps map[string]int) *slots {
	return &slots{free: n, gate: firstReady, caps: caps, running: map[string]int{}}
}

// acquire waits for a slot; prio is the node's chain of dependents (longer goes first), order
// breaks ties (the node's place in the graph, smaller first), so that the walk is the same
// every time; group is the node's limit group ("" for none).
func (s *slots) acquire(ctx context.Context, prio, order int, group string) error {
	s.mu.Lock()
	w := &slotWait{prio: prio, order: order, group: group, granted: make(chan struct{})}
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
			s.running[group]--
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

// release frees the slot of a node of group.
func (s *slots) release(group string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free++
	s.running[group]--
	s.dispatch()
}

// dispatch grants free slots to the best waiters whose group has room; s.mu is held.
func (s *slots) dispatch() {
	for s.gate <= 0 && s.free > 0 {
		var best *slotWait
		for _, w := range s.waiting {
			if w.group != "" && s.running[w.group] >= s.caps[w.group] {
				continue
			}
			if best == nil || w.prio > best.prio || (w.prio == best.prio && w.order < best.order) {
				best = w
			}
		}
		if best == nil {
			return
		}
		s.remove(best)
		s.free--
		s.running[best.group]++
		close(best.granted)
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
