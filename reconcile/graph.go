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
	nodes []string
	deps  map[string][]string
}

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{deps: map[string][]string{}} }

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

// Walk runs visit on every node, dependencies first, at most parallelism at once. A node whose
// dependency failed (or was skipped) is not visited; its result is an *ErrSkipped. Walk returns
// every node's error (nil for success). Cancelling ctx stops new visits; nodes not started get
// ctx's error.
func (g *Graph) Walk(ctx context.Context, parallelism int, visit func(ctx context.Context, n string) error) (map[string]error, error) {
	if c := g.Cycle(); c != nil {
		return nil, &CycleError{Path: c}
	}
	parallelism = max(parallelism, 1)
	var (
		mu      sync.Mutex
		results = make(map[string]error, len(g.nodes))
		doneCh  = make(map[string]chan struct{}, len(g.nodes))
		sem     = make(chan struct{}, parallelism)
		wg      sync.WaitGroup
	)
	for _, n := range g.nodes {
		doneCh[n] = make(chan struct{})
	}
	result := func(n string) error {
		mu.Lock()
		defer mu.Unlock()
		return results[n]
	}
	for _, n := range g.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(doneCh[n])
			err := g.runNode(ctx, n, doneCh, result, sem, visit)
			mu.Lock()
			results[n] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	return results, nil
}

func (g *Graph) runNode(ctx context.Context, n string, done map[string]chan struct{}, result func(string) error,
	sem chan struct{}, visit func(context.Context, string) error) error {
	for _, d := range g.deps[n] {
		<-done[d]
		if result(d) != nil {
			return &ErrSkipped{Dep: d}
		}
	}
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	return visit(ctx, n)
}
