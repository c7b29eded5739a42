package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// fixture: two kinds (log groups standing in for a low tier, "sqs.queue" tier above it in
// spec.KindOrder) so that ordering across tiers is visible.
type fixture struct {
	log    []string
	groups *fakeKind
	queues *fakeKind
	reg    Registry
	env    Env
}

func newFixture() *fixture {
	f := &fixture{env: Env{Account: "111122223333", Region: "eu-west-1"}}
	f.groups = newFakeKind("logs.log_group", &f.log)
	f.queues = newFakeKind("sqs.queue", &f.log)
	f.reg = Registry{f.groups, f.queues}
	return f
}

func logGroup(logical string, retention int, kms string, deps ...string) *spec.Resource {
	return &spec.Resource{Logical: logical, Kind: "logs.log_group", Name: "app-" + logical + "-dev",
		DependsOn: deps, Props: &spec.LogGroup{RetentionDays: retention, KMSKeyID: kms}}
}

// queueLike is a log-group-shaped resource registered under the higher sqs.queue tier.
func queueLike(logical string, kms string, deps ...string) *spec.Resource {
	r := logGroup(logical, 7, kms, deps...)
	r.Kind = "sqs.queue"
	return r
}

func stackOf(rs ...*spec.Resource) *spec.Stack {
	return &spec.Stack{Name: "app", Suffix: "dev", Region: "eu-west-1", Tags: map[string]string{"Project": "p"}, Resources: rs}
}

func (f *fixture) plan(t *testing.T, st *spec.Stack) *Plan {
	t.Helper()
	inv, err := Discover(context.Background(), f.reg, state.Selector{Stack: st.Name, Suffix: st.Suffix})
	require.NoError(t, err)
	p, err := MakePlan(st, inv, f.reg, f.env)
	require.NoError(t, err)
	return p
}

func (f *fixture) apply(t *testing.T, p *Plan) *Result {
	t.Helper()
	res, err := Apply(context.Background(), p, f.reg, ApplyOptions{Parallelism: 4})
	require.NoError(t, err)
	return res
}

func actions(p *Plan) map[string]Action {
	out := map[string]Action{}
	for _, c := range p.Changes {
		out[c.Address] = c.Action
	}
	return out
}

func TestPlanCreateThenNoChanges(t *testing.T) {
	f := newFixture()
	// "consumer" references the producer's ARN through a KMS key field (any string works).
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "${producer.arn}", "producer"))
	p := f.plan(t, st)
	assert.Equal(t, map[string]Action{"logs.log_group/producer": Create, "sqs.queue/consumer": Create}, actions(p))

	res := f.apply(t, p)
	require.NoError(t, res.Err())
	assert.Equal(t, Counts{Created: 2}, res.Counts())
	assert.Equal(t, []string{"create logs.log_group/producer", "create sqs.queue/consumer"}, f.log)
	consumer := f.queues.byLogical("consumer").Props.(*spec.LogGroup)
	assert.Equal(t, "arn:fake:app-producer-dev", consumer.KMSKeyID, "the reference resolved to the created attribute")
	assert.Equal(t, "p", f.queues.byLogical("consumer").Tags["Project"])
	assert.Equal(t, "consumer", f.queues.byLogical("consumer").Tags[state.TagID])

	again := f.plan(t, st)
	assert.False(t, again.HasChanges())
	assert.Equal(t, Summary{NoOp: 2}, again.Summary())
}

func TestPlanUpdateReplaceDeleteAndTags(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("a", 7, ""), logGroup("b", 7, ""), logGroup("gone", 7, ""))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())

	st2 := stackOf(logGroup("a", 30, ""), logGroup("b", 7, "key-2"))
	st2.Tags["Owner"] = "team"
	p := f.plan(t, st2)
	assert.Equal(t, map[string]Action{"logs.log_group/a": Update, "logs.log_group/b": Replace, "logs.log_group/gone": Delete}, actions(p))
	a := p.Changes[0]
	assert.Equal(t, []FieldDiff{
		{Path: "retention_days", Live: 7, Desired: 30},
		{Path: "tags.Owner", Live: nil, Desired: "team"},
	}, a.Diffs)
	assert.Equal(t, "not in the spec", p.Changes[2].Reason)

	f.log = nil
	res := f.apply(t, p)
	require.NoError(t, res.Err())
	assert.Equal(t, Counts{Updated: 1, Replaced: 1, Deleted: 1}, res.Counts())
	assert.Equal(t, Changes(a.Diffs), f.groups.seen["a"], "Update is given the plan's diffs")
	assert.Contains(t, f.log, "delete logs.log_group/b")
	assert.Contains(t, f.log, "create logs.log_group/b")
	assert.False(t, f.plan(t, st2).HasChanges())
}

func TestPlanReferenceToReplacedResourceIsUnknown(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "${producer.arn}", "producer"))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())
	st2 := stackOf(logGroup("producer", 7, "new-key"), queueLike("consumer", "${producer.arn}", "producer"))
	p := f.plan(t, st2)
	assert.Equal(t, Replace, p.Changes[0].Action)
	require.Equal(t, Replace, p.Changes[1].Action, "the consumer's field now reads (known after apply)")
	assert.Equal(t, Unknown, p.Changes[1].Diffs[0].Desired)
}

func TestApplyFailureSkipsDependentsAndReportsAll(t *testing.T) {
	f := newFixture()
	f.groups.fail["bad1"] = errors.New("boom one")
	f.groups.fail["bad2"] = errors.New("boom two")
	st := stackOf(logGroup("bad1", 7, ""), logGroup("bad2", 7, ""), logGroup("ok", 7, ""),
		queueLike("child", "${bad1.arn}", "bad1"))
	res := f.apply(t, f.plan(t, st))
	err := res.Err()
	require.Error(t, err)
	assert.ErrorContains(t, err, "logs.log_group/bad1: boom one")
	assert.ErrorContains(t, err, "logs.log_group/bad2: boom two")
	assert.Equal(t, Counts{Created: 1, Failed: 2, Skipped: 1}, res.Counts())
	assert.NotContains(t, f.log, "create sqs.queue/child")
}

func TestDeletesRunAfterHigherTiersAndDestroyReverses(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("low", 7, ""), queueLike("high", "${low.arn}", "low"))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())

	inv, err := Discover(context.Background(), f.reg, state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	p := DestroyPlan(inv)
	assert.Equal(t, []string{"sqs.queue/high", "logs.log_group/low"}, []string{p.Changes[0].Address, p.Changes[1].Address})
	f.log = nil
	res := f.apply(t, p)
	require.NoError(t, res.Err())
	assert.Equal(t, []string{"delete sqs.queue/high", "delete logs.log_group/low"}, f.log)
}

func TestDiscoverSeesOnlySelector(t *testing.T) {
	f := newFixture()
	require.NoError(t, f.apply(t, f.plan(t, stackOf(logGroup("a", 7, "")))).Err())
	other := stackOf(logGroup("a", 7, ""))
	other.Suffix = "prod"
	require.NoError(t, f.apply(t, f.plan(t, other)).Err())
	inv, err := Discover(context.Background(), f.reg, state.Selector{Suffix: "prod"})
	require.NoError(t, err)
	require.Len(t, inv.Resources, 1)
	assert.Equal(t, "prod", inv.Resources[0].Owner.Suffix)
}

func TestPlanRefusesUnknownKind(t *testing.T) {
	f := newFixture()
	st := stackOf(&spec.Resource{Logical: "fn", Kind: "lambda.function", Name: "fn", Props: &spec.LambdaFunction{}})
	inv := &state.Inventory{}
	_, err := MakePlan(st, inv, f.reg, f.env)
	assert.EqualError(t, err, "plan lambda.function/fn: kind lambda.function is not implemented by this build")
}

// slowKind blocks creates until released, so progress reporting can be observed.
type slowKind struct {
	*fakeKind
	release chan struct{}
}

func (s *slowKind) Create(ctx context.Context, d Desired) (state.Resource, error) {
	Report(ctx, "waiting for %s", "release")
	<-s.release
	return s.fakeKind.Create(ctx, d)
}

type recordingObserver struct {
	mu     sync.Mutex
	events []string
}

func (o *recordingObserver) add(e string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, e)
}

func (o *recordingObserver) Started(c Change) { o.add("start " + c.Address) }
func (o *recordingObserver) Progress(c Change, _ time.Duration) {
	o.add("progress " + c.Address)
}
func (o *recordingObserver) Note(c Change, msg string) { o.add("note " + c.Address + " " + msg) }
func (o *recordingObserver) Finished(c Change, err error, _ time.Duration) {
	o.add(fmt.Sprintf("finish %s %v", c.Address, err))
}

func (o *recordingObserver) count(e string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, x := range o.events {
		if x == e {
			n++
		}
	}
	return n
}

func TestApplyReportsProgressOfLongChanges(t *testing.T) {
	f := newFixture()
	slow := &slowKind{fakeKind: f.groups, release: make(chan struct{})}
	reg := Registry{slow, f.queues}
	st := stackOf(logGroup("slow", 7, ""))
	inv, err := Discover(context.Background(), reg, state.Selector{Stack: "app", Suffix: "dev"})
	require.NoError(t, err)
	p, err := MakePlan(st, inv, reg, f.env)
	require.NoError(t, err)

	obs := &recordingObserver{}
	done := make(chan *Result)
	go func() {
		res, _ := Apply(context.Background(), p, reg, ApplyOptions{Observer: obs, ProgressEvery: time.Millisecond})
		done <- res
	}()
	require.Eventually(t, func() bool { return obs.count("progress logs.log_group/slow") >= 2 }, 5*time.Second, time.Millisecond)
	close(slow.release)
	res := <-done
	require.NoError(t, res.Err())
	assert.Equal(t, "start logs.log_group/slow", obs.events[0])
	assert.Contains(t, obs.events[1:len(obs.events)-1], "note logs.log_group/slow waiting for release", "a kind's report reaches the observer")
	assert.Equal(t, "finish logs.log_group/slow <nil>", obs.events[len(obs.events)-1])
}

// limitedKind shares a limit group with its twin and records the peak of concurrent creates.
type limitedKind struct {
	*fakeKind
	cur, peak *atomic.Int32
}

func (l *limitedKind) LimitGroup() (string, int) { return "apigateway", 1 }

func (l *limitedKind) Create(ctx context.Context, d Desired) (state.Resource, error) {
	n := l.cur.Add(1)
	defer l.cur.Add(-1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	time.Sleep(2 * time.Millisecond) // overlap would show if the limit did not hold
	return l.fakeKind.Create(ctx, d)
}

func TestLimitGroupSerialisesAcrossKinds(t *testing.T) {
	f := newFixture()
	var cur, peak atomic.Int32
	reg := Registry{&limitedKind{f.groups, &cur, &peak}, &limitedKind{f.queues, &cur, &peak}}
	st := stackOf(logGroup("a", 7, ""), logGroup("b", 7, ""), queueLike("c", ""), queueLike("d", ""))
	inv, err := Discover(context.Background(), reg, state.Selector{Stack: "app", Suffix: "dev"})
	require.NoError(t, err)
	p, err := MakePlan(st, inv, reg, f.env)
	require.NoError(t, err)
	res, err := Apply(context.Background(), p, reg, ApplyOptions{Parallelism: 4})
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 4, res.Counts().Created)
	assert.Equal(t, int32(1), peak.Load())
}

func TestApplyConvergesWhenAnUpdateChangesAReferencedAttribute(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "${producer.arn}", "producer"))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())

	st2 := stackOf(logGroup("producer", 30, ""), queueLike("consumer", "${producer.arn}", "producer"))
	p := f.plan(t, st2)
	require.Equal(t, map[string]Action{"logs.log_group/producer": Update, "sqs.queue/consumer": NoOp}, actions(p),
		"at plan time the consumer is in sync: the new ARN is not known yet")
	res := f.apply(t, p)
	require.NoError(t, res.Err())
	// The fake's kms_key_id forces a replacement: the consumer is replaced with the new ARN.
	assert.Equal(t, Counts{Updated: 1, Replaced: 1}, res.Counts())
	assert.Equal(t, "arn:fake:app-producer-dev:updated", f.queues.byLogical("consumer").Props.(*spec.LogGroup).KMSKeyID)
	assert.False(t, f.plan(t, st2).HasChanges(), "one apply converges")

	f.log = nil
	res = f.apply(t, f.plan(t, st2))
	assert.Equal(t, Counts{Unchanged: 2}, res.Counts())
	assert.Empty(t, f.log, "nothing changed, nothing re-checked into a change")
}

func TestDestroyDeletesSameLogicalNameInEveryStack(t *testing.T) {
	f := newFixture()
	for _, stack := range []string{"app", "other"} {
		st := stackOf(logGroup("logs", 7, ""))
		st.Name = stack
		require.NoError(t, f.apply(t, f.plan(t, st)).Err())
	}
	inv, err := Discover(context.Background(), f.reg, state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, inv.Resources, 2)
	f.log = nil
	res := f.apply(t, DestroyPlan(inv))
	require.NoError(t, res.Err())
	assert.Equal(t, Counts{Deleted: 2}, res.Counts())
	left, err := Discover(context.Background(), f.reg, state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	assert.Empty(t, left.Resources, "both stacks' log groups are gone")
}

// A change AWS cannot make (a raise-only setting lowered) is planned as an update that says
// why, and Apply refuses the whole plan before any change runs, the possible ones included.
func TestApplyRefusesAPlanWithAnImpossibleChange(t *testing.T) {
	f := newFixture()
	f.groups.raiseOnly = true
	require.NoError(t, f.apply(t, f.plan(t, stackOf(logGroup("a", 30, ""), logGroup("b", 7, "")))).Err())
	p := f.plan(t, stackOf(logGroup("a", 7, ""), logGroup("b", 14, "")))
	assert.Equal(t, map[string]Action{"logs.log_group/a": Update, "logs.log_group/b": Update}, actions(p))
	assert.Equal(t, []FieldDiff{{Path: "retention_days", Live: 30, Desired: 7, Impossible: "can be raised, never lowered"}}, p.Changes[0].Diffs)

	f.log = nil
	res, err := Apply(context.Background(), p, f.reg, ApplyOptions{Parallelism: 4})
	assert.Nil(t, res)
	require.EqualError(t, err, "the plan holds changes AWS cannot make; nothing was changed:\nlogs.log_group/a: retention_days: can be raised, never lowered")
	assert.Empty(t, f.log, "nothing ran, not even the possible update of b")
	assert.NoError(t, f.plan(t, stackOf(logGroup("a", 30, ""), logGroup("b", 14, ""))).Refused())
}
