package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Graph is a small dependency graph over string node names. Edges point from a node to the
// nodes it depends on; a walk runs dependencies first.
type Graph struct {
	nodes   []string
	deps    map[string][]string
	weights map[string]int // a node's expected cost in round trips; 1 when not set
	groups  map[string]string
	caps    map[string]int // per group: how many of its nodes run at once
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{deps: map[string][]string{}, weights: map[string]int{}, groups: map[string]string{}, caps: map[string]int{}}
}

// Limit puts n in group, of which at most most nodes run at once. A node whose group is full
// waits without holding one of the walk's slots, which go meanwhile to ready nodes of other
// groups.
func (g *Graph) Limit(n, group string, most int) {
	g.groups[n] = group
	g.caps[group] = max(most, 1)
}

// Weigh sets n's expected cost (at least 1), which the walk's scheduler adds up along chains of
// dependents (heights).
func (g *Graph) Weigh(n string, w int) { g.weights[n] = max(w, 1) }

// weight is n's expected cost.
func (g *Graph) weight(n string) int {
	if w, ok := g.weights[n]; ok {
		return w
	}
	return 1
}

// Add adds a node (again is a no-op).
func (g *Graph) Add(n string) {
	if _, ok := g.deps[n]; !ok {
		g.nodes = append(g.nodes, n)
		g.deps[n] = nil
	}
}

// Connect records that from depends on to; both must have been added.
func (g *Graph) Connect(from, to string) {
	if !slices.Contains(g.deps[from], to) {
		g.deps[from] = append(g.deps[from], to)
	}
}

// Nodes returns the nodes in the order they were added.
func (g *Graph) Nodes() []string { return slices.Clone(g.nodes) }

// Cycle returns one dependency cycle as a path that starts and ends on the same node, or nil.
// The search visits nodes in insertion order, so the report is deterministic.
func (g *Graph) Cycle() []string {
	const (
		unvisited = iota
		onPath
		done
	)
	mark := map[string]int{}
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		mark[n] = onPath
		path = append(path, n)
		for _, d := range g.deps[n] {
			switch mark[d] {
			case onPath:
				i := slices.Index(path, d)
				return append(slices.Clone(path[i:]), d)
			case unvisited:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		mark[n] = done
		return nil
	}
	for _, n := range g.nodes {
		if mark[n] == unvisited {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// CycleError reports a dependency cycle.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Path, " -> ")
}

// ErrSkipped is the result of a node whose dependency failed.
type ErrSkipped struct{ Dep string }

func (e *ErrSkipped) Error() string { return fmt.Sprintf("skipped: %s failed", e.Dep) }

// Walk runs visit on every node, dependencies first, at most parallelism at once; of the ready
// nodes, the one with the longest chain of dependents runs first (slots), chains measured by
// their nodes' weights (Weigh). A node whose
// dependency failed (or was skipped) is not visited; its result is an *ErrSkipped. Walk returns
// every node's error (nil for success). Cancelling ctx stops new visits; nodes not started get
// ctx's error.
func (g *Graph) Walk(ctx context.Context, parallelism int, visit func(ctx context.Context, n string) error) (map[string]error, error) {
	if c := g.Cycle(); c != nil {
		return nil, &CycleError{Path: c}
	}
	w := g.walker(max(parallelism, 1))
	var wg sync.WaitGroup
	for _, n := range g.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran, err := w.run(ctx, n, visit)
			w.finish(n, err)
			if ran {
				w.slots.release(w.g.groups[n]) // after finish: the dependents it made ready are queued for it
			}
		}()
	}
	wg.Wait()
	return w.results, nil
}

// walker is one walk's state.
type walker struct {
	g          *Graph
	heights    map[string]int
	order      map[string]int
	dependents map[string][]string
	done       map[string]chan struct{}
	slots      *slots

	mu      sync.Mutex
	results map[string]error
}

func (g *Graph) walker(parallelism int) *walker {
	w := &walker{g: g, heights: g.heights(), order: map[string]int{}, dependents: map[string][]string{},
		done: make(map[string]chan struct{}, len(g.nodes)), results: make(map[string]error, len(g.nodes))}
	roots := 0
	for i, n := range g.nodes {
		w.order[n] = i
		w.done[n] = make(chan struct{})
		if len(g.deps[n]) == 0 {
			roots++
		}
		for _, d := range g.deps[n] {
			w.dependents[d] = append(w.dependents[d], n)
		}
	}
	w.slots = newSlots(parallelism, roots, g.caps)
	return w
}

// run waits for n's dependencies, then for a slot, and visits n; ran says it held a slot.
func (w *walker) run(ctx context.Context, n string, visit func(context.Context, string) error) (ran bool, err error) {
	for _, d := range w.g.deps[n] {
		<-w.done[d]
		if w.result(d) != nil {
			return false, &ErrSkipped{Dep: d}
		}
	}
	if err := w.slots.acquire(ctx, w.heights[n], w.order[n], w.g.groups[n]); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return true, err
	}
	return true, visit(ctx, n)
}

// finish records n's result and tells the slots how many dependents it made ready (every
// dependency done, none failed), so that the slot n frees is handed out among them too.
func (w *walker) finish(n string, err error) {
	w.mu.Lock()
	w.results[n] = err
	ready := 0
	for _, d := range w.dependents[n] {
		if w.allSucceeded(d) {
			ready++
		}
	}
	w.mu.Unlock()
	w.slots.expect(ready)
	close(w.done[n])
}

// allSucceeded reports whether every dependency of n has finished without error; w.mu is held.
func (w *walker) allSucceeded(n string) bool {
	for _, d := range w.g.deps[n] {
		if err, ok := w.results[d]; !ok || err != nil {
			return false
		}
	}
	return true
}

func (w *walker) result(n string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.results[n]
}
