package reconcile

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/state"
)

func graphOf(edges map[string][]string, order ...string) *Graph {
	g := NewGraph()
	for _, n := range order {
		g.Add(n)
	}
	for _, n := range order {
		for _, d := range edges[n] {
			g.Connect(n, d)
		}
	}
	return g
}

func TestGraphCycle(t *testing.T) {
	tests := []struct {
		name  string
		edges map[string][]string
		order []string
		want  []string
	}{
		{"none", map[string][]string{"b": {"a"}, "c": {"b"}}, []string{"a", "b", "c"}, nil},
		{"self", map[string][]string{"a": {"a"}}, []string{"a"}, []string{"a", "a"}},
		{"three", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}, []string{"a", "b", "c"}, []string{"a", "b", "c", "a"}},
		{"tail into cycle", map[string][]string{"x": {"a"}, "a": {"b"}, "b": {"a"}}, []string{"x", "a", "b"}, []string{"a", "b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, graphOf(tt.edges, tt.order...).Cycle())
		})
	}
}

func TestWalkOrderAndSkips(t *testing.T) {
	// vpc <- subnet <- fn ; vpc <- sg <- fn ; bucket independent; sg fails.
	g := graphOf(map[string][]string{"subnet": {"vpc"}, "sg": {"vpc"}, "fn": {"subnet", "sg"}},
		"vpc", "subnet", "sg", "fn", "bucket")
	var mu sync.Mutex
	var order []string
	res, err := g.Walk(context.Background(), 4, func(_ context.Context, n string) error {
		mu.Lock()
		order = append(order, n)
		mu.Unlock()
		if n == "sg" {
			return errors.New("boom")
		}
		return nil
	})
	require.NoError(t, err)
	assert.NotContains(t, order, "fn")
	assert.Less(t, indexOf(order, "vpc"), indexOf(order, "subnet"))
	assert.Less(t, indexOf(order, "vpc"), indexOf(order, "sg"))
	assert.NoError(t, res["subnet"])
	assert.EqualError(t, res["sg"], "boom")
	var skipped *ErrSkipped
	require.ErrorAs(t, res["fn"], &skipped)
	assert.Equal(t, "sg", skipped.Dep)
	assert.NoError(t, res["bucket"])
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestWalkRespectsParallelism(t *testing.T) {
	g := NewGraph()
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		g.Add(n)
	}
	var cur, peak atomic.Int32
	release := make(chan struct{})
	go func() {
		for range 6 {
			release <- struct{}{}
		}
	}()
	_, err := g.Walk(context.Background(), 2, func(context.Context, string) error {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		cur.Add(-1)
		return nil
	})
	require.NoError(t, err)
	assert.LessOrEqual(t, peak.Load(), int32(2))
}

// A node whose limit group is full waits without a slot: at parallelism 2 with a group of
// width 1, the group's second node (preferred by weight) does not take the slot the ungrouped
// node needs while the first runs; the group never runs two at once.
func TestWalkLimitGroupWaitsWithoutASlot(t *testing.T) {
	g := NewGraph()
	for _, n := range []string{"key-a", "key-b", "param"} {
		g.Add(n)
	}
	g.Weigh("key-a", 5)
	g.Weigh("key-b", 4)
	g.Limit("key-a", "apigateway", 1)
	g.Limit("key-b", "apigateway", 1)
	paramStarted := make(chan struct{})
	var inGroup, peak atomic.Int32
	_, err := g.Walk(context.Background(), 2, func(_ context.Context, n string) error {
		if n == "param" {
			close(paramStarted)
			return nil
		}
		cur := inGroup.Add(1)
		defer inGroup.Add(-1)
		for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
		}
		if n == "key-a" {
			select {
			case <-paramStarted:
			case <-time.After(5 * time.Second):
				return errors.New("param did not start while key-a ran: key-b held the slot")
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), peak.Load(), "one of the group at a time")
}

func TestWalkRefusesCycle(t *testing.T) {
	g := graphOf(map[string][]string{"a": {"b"}, "b": {"a"}}, "a", "b")
	_, err := g.Walk(context.Background(), 1, func(context.Context, string) error { return nil })
	assert.EqualError(t, err, "dependency cycle: a -> b -> a")
}

// The head of the longest chain runs first even when it was added last and nothing else has
// dependents: at parallelism 1 the order of the ready nodes is the scheduler's choice alone.
func TestWalkStartsTheLongestChainFirst(t *testing.T) {
	g := graphOf(map[string][]string{"fn": {"role"}, "api": {"fn"}, "plan": {"api"}, "alarm": {"fn"}},
		"param-a", "param-b", "log", "role", "fn", "api", "plan", "alarm")
	var mu sync.Mutex
	var order []string
	_, err := g.Walk(context.Background(), 1, func(_ context.Context, n string) error {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, n)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"role", "fn", "api", "param-a", "param-b", "log", "plan", "alarm"}, order,
		"longest chain of dependents first, then the order nodes were added")
	assert.Equal(t, map[string]int{"role": 4, "fn": 3, "api": 2, "plan": 1, "alarm": 1, "param-a": 1, "param-b": 1, "log": 1}, g.heights())
}

// Chains are measured by their nodes' weights: a heavy node heading a chain as long as a light
// one's, by count, runs first (a bucket with a dozen settings calls before a parameter, both
// waited for by one function).
func TestWalkWeighsChains(t *testing.T) {
	g := graphOf(map[string][]string{"fn": {"param", "bucket"}, "api": {"fn"}}, "param", "bucket", "fn", "api", "log")
	g.Weigh("bucket", 20)
	g.Weigh("param", 3)
	g.Weigh("log", 0) // at least 1
	var order []string
	_, err := g.Walk(context.Background(), 1, func(_ context.Context, n string) error {
		order = append(order, n)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"bucket", "param", "fn", "api", "log"}, order)
	assert.Equal(t, map[string]int{"bucket": 22, "param": 5, "fn": 2, "api": 1, "log": 1}, g.heights())
}

type costedKind struct {
	fakeKind
	cost int
}

func (c *costedKind) CreateCost() int { return c.cost }

type unwrapping struct{ k Kind }

func (u unwrapping) Kind() string { return u.k.Kind() }
func (u unwrapping) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return u.k.List(ctx, sel)
}
func (u unwrapping) Create(ctx context.Context, d Desired) (state.Resource, error) {
	return u.k.Create(ctx, d)
}
func (u unwrapping) Update(ctx context.Context, d Desired, live state.Resource, c Changes) (state.Resource, error) {
	return u.k.Update(ctx, d, live, c)
}
func (u unwrapping) Delete(ctx context.Context, live state.Resource) error {
	return u.k.Delete(ctx, live)
}
func (u unwrapping) Diff(d Desired, live state.Resource) ([]FieldDiff, error) {
	return u.k.Diff(d, live)
}
func (u unwrapping) Unwrap() any { return u.k }

func TestCreateCost(t *testing.T) {
	plain := newFakeKind("logs.log_group", nil)
	costed := &costedKind{fakeKind: *newFakeKind("s3.bucket", nil), cost: 20}
	assert.Equal(t, defaultCreateCost, createCost(plain))
	assert.Equal(t, 20, createCost(costed))
	assert.Equal(t, 20, createCost(unwrapping{costed}), "found behind an adapter")
	assert.Equal(t, defaultCreateCost, createCost(unwrapping{plain}))
}

// A walk cancelled while nodes wait for a slot ends every one of them with ctx's error.
func TestWalkCancelledWhileWaiting(t *testing.T) {
	g := graphOf(nil, "a", "b", "c")
	ctx, cancel := context.WithCancel(context.Background())
	results, err := g.Walk(ctx, 1, func(ctx context.Context, n string) error {
		cancel()
		return nil
	})
	require.NoError(t, err)
	var cancelled int
	for _, e := range results {
		if errors.Is(e, context.Canceled) {
			cancelled++
		}
	}
	assert.Equal(t, 2, cancelled, "the one that ran succeeded; the two waiting were cancelled")
}
