package spec

import (
	"maps"
	"slices"
	"strings"
)

// link checks every reference and depends_on entry and records the dependency edges.
func (l *loader) link() {
	names := make([]string, 0, len(l.res))
	for _, r := range l.res {
		names = append(names, r.Logical)
	}
	for _, r := range l.res {
		for _, u := range r.refs {
			if u.ref.Resource == "" {
				continue // ${account}: the engine's
			}
			if l.linkOne(r, u, names) {
				if _, seen := r.edges[u.ref.Resource]; !seen {
					r.edges[u.ref.Resource] = u.pos
				}
			}
		}
		r.DependsOn = slices.Sorted(maps.Keys(r.edges))
	}
}

// linkOne checks one reference (or depends_on entry, which has no attribute).
func (l *loader) linkOne(r *loaded, u refUse, names []string) bool {
	target := l.byName[u.ref.Resource]
	where := joinPath(r.Logical, u.path)
	switch {
	case target == nil && u.ref.Attribute == "":
		l.probs.add(u.pos, "%s: unknown resource %q%s", where, u.ref.Resource, didYouMean(u.ref.Resource, names))
		return false
	case target == nil:
		l.probs.add(u.pos, "%s: %s refers to unknown resource %q%s", where, u.ref, u.ref.Resource, didYouMean(u.ref.Resource, names))
		return false
	case u.ref.Attribute == "" || !target.known:
		return true
	case !slices.Contains(target.info.Attributes, u.ref.Attribute):
		l.probs.add(u.pos, "%s: %s: %s %q has no attribute %q%s; it has %s", where, u.ref, target.Kind,
			target.Logical, u.ref.Attribute, didYouMean(u.ref.Attribute, target.info.Attributes), strings.Join(target.info.Attributes, ", "))
		return false
	}
	return true
}

// findCycles reports each dependency cycle once, as the path a depth-first walk in file
// order meets it: "a -> b -> c -> a", at the edge that leaves its first resource.
func (l *loader) findCycles() {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []*loaded
	reported := map[string]bool{}
	var visit func(r *loaded)
	visit = func(r *loaded) {
		color[r.Logical] = grey
		stack = append(stack, r)
		for _, dep := range r.DependsOn {
			next := l.byName[dep]
			switch color[dep] {
			case white:
				visit(next)
			case grey:
				l.reportCycle(stack, next, reported)
			}
		}
		stack = stack[:len(stack)-1]
		color[r.Logical] = black
	}
	for _, r := range l.res {
		if color[r.Logical] == white {
			visit(r)
		}
	}
}

// reportCycle reports the cycle closed by an edge from the top of stack back to start.
func (l *loader) reportCycle(stack []*loaded, start *loaded, reported map[string]bool) {
	i := slices.Index(stack, start)
	cycle := stack[i:]
	names := make([]string, 0, len(cycle)+1)
	for _, r := range cycle {
		names = append(names, r.Logical)
	}
	key := strings.Join(slices.Sorted(slices.Values(names)), ",")
	if reported[key] {
		return
	}
	reported[key] = true
	names = append(names, start.Logical)
	next := names[1]
	l.probs.add(start.edges[next], "dependency cycle: %s", strings.Join(names, " -> "))
}

// Order returns the resources in an order that creates dependencies first; among resources
// free to go, the one earlier in the file goes first. Dependencies outside the stack are
// ignored; resources left in a cycle (which Load rejects) come last, in file order.
func (s *Stack) Order() []*Resource {
	index := map[string]int{}
	for i, r := range s.Resources {
		index[r.Logical] = i
	}
	done := make([]bool, len(s.Resources))
	out := make([]*Resource, 0, len(s.Resources))
	for len(out) < len(s.Resources) {
		i := s.nextReady(index, done)
		if i < 0 {
			break
		}
		done[i] = true
		out = append(out, s.Resources[i])
	}
	for i, r := range s.Resources {
		if !done[i] {
			out = append(out, r)
		}
	}
	return out
}

// nextReady returns the first resource in file order not done whose dependencies are done.
func (s *Stack) nextReady(index map[string]int, done []bool) int {
	for i, r := range s.Resources {
		if done[i] {
			continue
		}
		ready := true
		for _, dep := range r.DependsOn {
			if j, ok := index[dep]; ok && !done[j] && j != i {
				ready = false
				break
			}
		}
		if ready {
			return i
		}
	}
	return -1
}

// Dependents returns the logical names of the resources that depend directly on logical,
// in file order: what must go before it is deleted.
func (s *Stack) Dependents(logical string) []string {
	var out []string
	for _, r := range s.Resources {
		if slices.Contains(r.DependsOn, logical) {
			out = append(out, r.Logical)
		}
	}
	return out
}
