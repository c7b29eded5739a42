package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// Observer hears about each change as the executor runs it.
type Observer interface {
	Started(c Change)
	Progress(c Change, elapsed time.Duration) // every ProgressEvery while a change runs
	Finished(c Change, err error, elapsed time.Duration)
}

// ApplyOptions tunes the executor.
type ApplyOptions struct {
	Parallelism   int // changes in flight at once; default 10
	Observer      Observer
	ProgressEvery time.Duration // default 10s
}

// ChangeResult is the outcome of one change.
type ChangeResult struct {
	Change  Change        `json:"change"`
	Err     error         `json:"-"`
	Error   string        `json:"error,omitempty"`
	Skipped bool          `json:"skipped,omitempty"` // not run because a dependency failed
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Result is what Apply did.
type Result struct {
	Results []ChangeResult `json:"results"`
}

// Counts is the final summary of an apply.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Replaced  int `json:"replaced"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
}

// Counts summarises the result.
func (r *Result) Counts() Counts {
	var c Counts
	for _, cr := range r.Results {
		switch {
		case cr.Skipped:
			c.Skipped++
		case cr.Err != nil:
			c.Failed++
		case cr.Change.Action == Create:
			c.Created++
		case cr.Change.Action == Update:
			c.Updated++
		case cr.Change.Action == Replace:
			c.Replaced++
		case cr.Change.Action == Delete:
			c.Deleted++
		default:
			c.Unchanged++
		}
	}
	return c
}

// Err joins every failure (skips are not failures of their own).
func (r *Result) Err() error {
	var errs []error
	for _, cr := range r.Results {
		if cr.Err != nil && !cr.Skipped {
			errs = append(errs, fmt.Errorf("%s: %w", cr.Change.Address, cr.Err))
		}
	}
	return errors.Join(errs...)
}

// executor runs one plan.
type executor struct {
	plan    *Plan
	reg     Registry
	opts    ApplyOptions
	mu      sync.Mutex
	outputs map[string]map[string]string // logical → attributes, live or just made
	changed map[string]bool              // logical names changed by this apply
	actual  map[string]Change            // node → the change as run, when it differs from the plan
	elapsed map[string]time.Duration     // node → how long its change took
}

// Apply walks the plan's dependency graph: creates and updates after what they depend on,
// deletes of resources the spec dropped after everything that might still use them. A failed
// change skips its dependents; every failure is reported.
func Apply(ctx context.Context, plan *Plan, reg Registry, opts ApplyOptions) (*Result, error) {
	if err := plan.Refused(); err != nil {
		return nil, err
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 10 * time.Second
	}
	ex := &executor{plan: plan, reg: reg, opts: opts, outputs: map[string]map[string]string{},
		changed: map[string]bool{}, actual: map[string]Change{}, elapsed: map[string]time.Duration{}}
	ex.seedOutputs()
	byNode := make(map[string]Change, len(plan.Changes))
	for _, c := range plan.Changes {
		byNode[c.node()] = c
		if c.createFirst() {
			byNode[retiredNode(c)] = retired(c)
		}
	}
	g := graphFor(plan)
	weigh(g, plan, reg)
	limit(g, byNode, reg)
	results, err := g.Walk(ctx, opts.Parallelism, func(ctx context.Context, node string) error {
		return ex.timed(ctx, node, byNode[node])
	})
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, c := range plan.Changes {
		if a, ok := ex.actual[c.node()]; ok {
			c = a
		}
		cr := ChangeResult{Change: c, Err: results[c.node()]}
		var skip *ErrSkipped
		cr.Skipped = errors.As(cr.Err, &skip)
		if c.Action != NoOp && !cr.Skipped {
			cr.Elapsed = ex.elapsed[c.node()]
		}
		if c.createFirst() && cr.Err == nil {
			cr.Err = retireErr(c, results[retiredNode(c)])
			cr.Elapsed += ex.elapsed[retiredNode(c)]
		}
		if cr.Err != nil {
			cr.Error = cr.Err.Error()
		}
		res.Results = append(res.Results, cr)
	}
	return res, nil
}

// retireErr is the error of a create-first replacement whose new resource is in place but whose
// old one was not deleted: it failed, or was skipped because a change that references it
// failed. Either way the replacement is unfinished (the next plan finishes it).
func retireErr(c Change, err error) error {
	var skip *ErrSkipped
	switch {
	case err == nil:
		return nil
	case errors.As(err, &skip):
		return fmt.Errorf("the new one is in place; the replaced %s is kept until what references it has moved (%v)", c.live.ID, err)
	}
	return fmt.Errorf("the new one is in place; delete the replaced %s: %w", c.live.ID, err)
}

// graphFor builds the execution graph. A resource waits for what it references. A delete of a
// resource the spec dropped, or of an extra copy, waits for the updates, replacements and
// deletes of the resources of a higher kind tier whose live state still refers to it
// (liveRefs: those are the resources that could still be using it; the tiers keep the graph
// free of cycles), and for the changes of what references its logical name. A create-first
// replacement is
// two nodes: the create, and the old one's delete (retiredNode), which waits for every change
// that references the resource, so that they have moved to the new one.
func graphFor(p *Plan) *Graph {
	g := NewGraph()
	nodeOf := map[string]string{} // logical → node, for the spec's resources (one stack)
	for _, c := range p.Changes {
		g.Add(c.node())
		if c.createFirst() {
			g.Add(retiredNode(c))
			g.Connect(retiredNode(c), c.node())
		}
		if c.Action != Delete {
			nodeOf[c.Logical] = c.node()
		}
	}
	refs := newLiveRefs()
	for _, c := range p.Changes {
		if c.Action != Delete {
			for _, dep := range c.DependsOn {
				if n, ok := nodeOf[dep]; ok {
					g.Connect(c.node(), n)
				}
			}
			continue
		}
		for _, o := range p.Changes {
			if o.node() != c.node() && o.Action != NoOp && o.live != nil && tier(o.Kind) > tier(c.Kind) && refs.uses(o.live, c.live) {
				g.Connect(c.node(), o.node())
			}
			// An extra copy may still be in use by what references its logical name, of the same
			// tier too (another group's rule): those move to the kept copy first.
			if o.Action != Delete && o.stack == c.stack && slices.Contains(o.DependsOn, c.Logical) {
				g.Connect(c.node(), o.node())
			}
		}
	}
	connectRetired(g, p)
	return g
}

// weigh gives every create (and replacement) its kind's create cost, so that of the changes
// ready at once the walk starts those heading the costliest chains: in a cold apply of the
// example, the bucket (a dozen settings calls) that the receiver function waits for, before
// the parameters that have the same number of changes behind them but take four calls.
// Updates and deletes keep the default: their cost depends on what changed.
func weigh(g *Graph, p *Plan, reg Registry) {
	for _, c := range p.Changes {
		w := defaultCreateCost
		if k, ok := reg.Lookup(c.Kind); ok && (c.Action == Create || c.Action == Replace) {
			w = createCost(k)
		}
		g.Weigh(c.node(), w)
	}
}

// limit puts the changes of Limited kinds in their groups, so that the walk runs at most a
// group's width of them at once and lets the others wait without a slot.
func limit(g *Graph, byNode map[string]Change, reg Registry) {
	for node, c := range byNode {
		k, ok := reg.Lookup(c.Kind)
		if !ok {
			continue
		}
		if l, ok := k.(Limited); ok {
			group, n := l.LimitGroup()
			g.Limit(node, group, n)
		}
	}
}

// connectRetired makes the delete of each resource a create-first replacement retires wait for
// the changes of everything that references it, and for the retirement of those that are
// replaced create-first themselves (an old endpoint goes before the old group it used).
func connectRetired(g *Graph, p *Plan) {
	for _, c := range p.Changes {
		if !c.createFirst() {
			continue
		}
		for _, o := range p.Changes {
			if o.Action == Delete || !slices.Contains(o.DependsOn, c.Logical) {
				continue
			}
			g.Connect(retiredNode(c), o.node())
			if o.createFirst() {
				g.Connect(retiredNode(c), retiredNode(o))
			}
		}
	}
}

// createFirst reports whether c is a replacement that creates the new resource first.
func (c Change) createFirst() bool { return c.Action == Replace && c.Order == CreateFirst }

// retiredNode is the graph node of the delete that ends c's create-first replacement.
func retiredNode(c Change) string { return c.node() + "#retire" }

// retired is the delete of the resource c's create-first replacement leaves behind, as the
// executor runs and reports it.
func retired(c Change) Change {
	r := deleteChange(*c.live, "replaced: what referenced it now uses the new one")
	r.stack, r.DependsOn = c.stack, c.DependsOn
	return r
}

// timed runs one change, the graph's node, and keeps how long it took, waiting for its kind's
// limit included.
func (ex *executor) timed(ctx context.Context, node string, c Change) error {
	start := time.Now()
	err := ex.run(ctx, c)
	ex.mu.Lock()
	ex.elapsed[node] = time.Since(start)
	ex.mu.Unlock()
	return err
}

func (ex *executor) seedOutputs() {
	for _, c := range ex.plan.Changes {
		if c.live != nil && c.Action != Delete {
			ex.outputs[c.Logical] = c.live.Attrs
		}
	}
}

func (ex *executor) setOutputs(logical string, attrs map[string]string) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	ex.outputs[logical] = attrs
	ex.changed[logical] = true
}

func (ex *executor) lookup(ref spec.Ref) (string, bool) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	attrs, ok := ex.outputs[ref.Resource]
	if !ok {
		return "", false
	}
	v, ok := attrs[ref.Attribute]
	return v, ok
}

// run performs one change with progress reporting (the walk keeps the kind's limit group).
func (ex *executor) run(ctx context.Context, c Change) error {
	k, ok := ex.reg.Lookup(c.Kind)
	if !ok {
		return fmt.Errorf("kind %s is not implemented by this build", c.Kind)
	}
	if c.Action == NoOp {
		var err error
		if c, err = ex.recheck(k, c); err != nil || c.Action == NoOp {
			return err
		}
	}
	start := time.Now()
	ex.observe(func(o Observer) { o.Started(c) })
	stop := ex.ticker(c, start)
	err := ex.perform(WithReporter(ctx, ex.noter(c)), k, c)
	stop()
	ex.observe(func(o Observer) { o.Finished(c, err, time.Since(start)) })
	return err
}

func (ex *executor) observe(f func(Observer)) {
	if ex.opts.Observer != nil {
		f(ex.opts.Observer)
	}
}

// noter delivers what a kind reports during c to the observer, when it hears notes.
func (ex *executor) noter(c Change) func(string) {
	n, ok := ex.opts.Observer.(Noter)
	if !ok {
		return nil
	}
	return func(msg string) { n.Note(c, msg) }
}

func (ex *executor) ticker(c Change, start time.Time) (stop func()) {
	if ex.opts.Observer == nil {
		return func() {}
	}
	t := time.NewTicker(ex.opts.ProgressEvery)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-t.C:
				ex.opts.Observer.Progress(c, time.Since(start))
			case <-done:
				return
			}
		}
	}()
	// Wait for the goroutine, so no progress line can follow the finish line.
	return func() { t.Stop(); close(done); <-exited }
}

func (ex *executor) perform(ctx context.Context, k Kind, c Change) error {
	if c.Action == Delete {
		return k.Delete(ctx, *c.live)
	}
	d, err := ex.plan.desired(c.spec, ex.lookup)
	if err != nil {
		return err
	}
	var got state.Resource
	switch c.Action {
	case Create:
		got, err = k.Create(ctx, d)
	case Update:
		got, err = k.Update(ctx, d, *c.live, c.Diffs)
	case Replace:
		if c.createFirst() {
			d.Replaces = c.live.ID
			got, err = k.Create(ctx, d) // the old one goes later, in its own node (retired)
		} else if err = k.Delete(ctx, *c.live); err == nil {
			got, err = k.Create(ctx, d)
		}
	}
	if err != nil {
		return err
	}
	ex.setOutputs(c.Logical, got.Attrs)
	return nil
}

// recheck diffs a change the plan found in sync again when something it references changed
// in this apply: an update can change an attribute (a table's stream ARN after a stream
// change), and the apply must converge in one run, not leave the next plan a change.
func (ex *executor) recheck(k Kind, c Change) (Change, error) {
	if c.spec == nil || c.live == nil || !ex.anyChanged(c.DependsOn) {
		return c, nil
	}
	d, err := ex.plan.desired(c.spec, ex.lookup)
	if err != nil {
		return c, err
	}
	if c.Diffs, err = diffs(k, d, *c.live); err != nil {
		return c, err
	}
	if len(c.Diffs) > 0 {
		c.Action = actionFor(c.Diffs)
		ex.mu.Lock()
		ex.actual[c.node()] = c
		ex.mu.Unlock()
	}
	return c, nil
}

func (ex *executor) anyChanged(logicals []string) bool {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	for _, l := range logicals {
		if ex.changed[l] {
			return true
		}
	}
	return false
}
