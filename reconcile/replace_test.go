package reconcile

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// replacerKind is the fake log group kind with the Replacer ability: it answers ok and why,
// and records the Replaces of every create.
type replacerKind struct {
	*fakeKind
	ok       bool
	why      string
	replaces []string
}

func (r *replacerKind) CreateFirst(Desired, state.Resource, []FieldDiff) (bool, string) {
	return r.ok, r.why
}

func (r *replacerKind) Create(ctx context.Context, d Desired) (state.Resource, error) {
	r.replaces = append(r.replaces, d.Replaces)
	return r.fakeKind.Create(ctx, d)
}

// replaceFixture is a producer (a log group, replaced when its KMS key changes) and a consumer
// of a higher tier referencing the producer's ARN in a field it changes in place.
func replaceFixture(t *testing.T, ok bool, why string) (*fixture, *replacerKind, *spec.Stack) {
	f := newFixture()
	f.groups.arnByID, f.queues.kmsInPlace = true, true
	rk := &replacerKind{fakeKind: f.groups, ok: ok, why: why}
	f.reg = Registry{rk, f.queues}
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "${producer.arn}", "producer"))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())
	f.log, rk.replaces = nil, nil
	return f, rk, stackOf(logGroup("producer", 7, "key-2"), queueLike("consumer", "${producer.arn}", "producer"))
}

func changeOf(p *Plan, address string) Change {
	i := slices.IndexFunc(p.Changes, func(c Change) bool { return c.Address == address && c.Action != Delete })
	return p.Changes[i]
}

func TestReplaceCreatesFirstMovesDependentsThenDeletesTheOld(t *testing.T) {
	f, rk, st := replaceFixture(t, true, "")
	old := f.groups.byLogical("producer")

	p := f.plan(t, st)
	c := changeOf(p, "logs.log_group/producer")
	assert.Equal(t, Replace, c.Action)
	assert.Equal(t, CreateFirst, c.Order)
	assert.Contains(t, c.Reason, "created first")
	assert.Equal(t, Update, changeOf(p, "sqs.queue/consumer").Action, "the consumer's reference is (known after apply)")

	res := f.apply(t, p)
	require.NoError(t, res.Err())
	assert.Equal(t, Counts{Replaced: 1, Updated: 1}, res.Counts())
	assert.Equal(t, []string{"create logs.log_group/producer", "update sqs.queue/consumer", "delete logs.log_group/producer"}, f.log,
		"new first, the dependent moved, the old one last")
	assert.Equal(t, []string{old.ID}, rk.replaces, "the create is told what it replaces")
	now := f.groups.byLogical("producer")
	assert.NotEqual(t, old.ID, now.ID)
	assert.Len(t, f.groups.live, 1, "the old one is gone")
	assert.Equal(t, now.Attrs["arn"], f.queues.byLogical("consumer").Props.(*spec.LogGroup).KMSKeyID, "the consumer uses the new one")
	assert.False(t, f.plan(t, st).HasChanges())
}

func TestReplaceDeletesFirstWhenTheKindSaysWhy(t *testing.T) {
	for name, tc := range map[string]struct {
		ok   bool
		why  string
		want string
	}{
		"the kind's reason": {why: "a table name is unique in the account", want: "deleted first: a table name is unique in the account"},
		"no Replacer word":  {ok: false, why: "", want: `deleted first: a logs.log_group's name is unique and the spec fixes "app-producer-dev"`},
	} {
		t.Run(name, func(t *testing.T) {
			f, _, st := replaceFixture(t, tc.ok, tc.why)
			p := f.plan(t, st)
			c := changeOf(p, "logs.log_group/producer")
			assert.Equal(t, DeleteFirst, c.Order)
			assert.Contains(t, c.Reason, tc.want)
			require.NoError(t, f.apply(t, p).Err())
			assert.Equal(t, []string{"delete logs.log_group/producer", "create logs.log_group/producer", "update sqs.queue/consumer"}, f.log)
		})
	}
}

func TestReplaceOfANameCreatesFirstWithoutTheAbility(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("a", 7, ""))
	require.NoError(t, f.apply(t, f.plan(t, st)).Err())
	renamed := stackOf(logGroup("a", 7, ""))
	renamed.Resources[0].Name = "app-a-renamed-dev"
	p := f.plan(t, renamed)
	assert.Equal(t, CreateFirst, p.Changes[0].Order, "a new name never collides with the old one")
	f.log = nil
	require.NoError(t, f.apply(t, p).Err())
	assert.Equal(t, []string{"create logs.log_group/a", "delete logs.log_group/a"}, f.log)
}

// A dependent that fails leaves the old resource in place (something may still use it); the
// next run keeps the new one, which needs no replacement, moves the dependent and deletes the
// old one as an extra copy: nothing is created twice, nothing is left behind.
func TestReplaceInterruptedIsFinishedByTheNextRun(t *testing.T) {
	f, rk, st := replaceFixture(t, true, "")
	old := f.groups.byLogical("producer")
	f.queues.fail["consumer"] = errors.New("throttled for good")
	res := f.apply(t, f.plan(t, st))
	require.Error(t, res.Err())
	assert.ErrorContains(t, res.Err(), "the replaced "+old.ID+" is kept until what references it has moved")
	assert.Len(t, f.groups.live, 2, "old and new both live")
	assert.NotContains(t, f.log, "delete logs.log_group/producer")

	delete(f.queues.fail, "consumer")
	f.log = nil
	p := f.plan(t, st)
	assert.Equal(t, NoOp, changeOf(p, "logs.log_group/producer").Action, "the new one is kept: it matches the spec")
	assert.Equal(t, Update, changeOf(p, "sqs.queue/consumer").Action)
	del := p.Changes[len(p.Changes)-1]
	assert.Equal(t, Delete, del.Action)
	assert.Equal(t, old.ID, del.ID)
	assert.Contains(t, del.Reason, "the replacement an earlier apply created")

	require.NoError(t, f.apply(t, p).Err())
	assert.Equal(t, []string{"update sqs.queue/consumer", "delete logs.log_group/producer"}, f.log)
	assert.Len(t, rk.replaces, 1, "created once over both runs")
	assert.Len(t, f.groups.live, 1)
	assert.False(t, f.plan(t, st).HasChanges())
}

// A run killed right after the create (before anything moved) leaves the same two copies: the
// next plan finishes that replacement instead of starting another.
func TestReplaceKilledAfterTheCreateIsFinishedByTheNextRun(t *testing.T) {
	f, rk, st := replaceFixture(t, true, "")
	old := f.groups.byLogical("producer")
	_, err := f.groups.Create(context.Background(), Desired{Owner: old.Owner, Name: old.Name, Tags: old.Tags,
		Props: &spec.LogGroup{RetentionDays: 7, KMSKeyID: "key-2"}})
	require.NoError(t, err)
	f.log = nil

	p := f.plan(t, st)
	assert.Equal(t, NoOp, changeOf(p, "logs.log_group/producer").Action)
	require.NoError(t, f.apply(t, p).Err())
	assert.Equal(t, []string{"update sqs.queue/consumer", "delete logs.log_group/producer"}, f.log)
	assert.Empty(t, rk.replaces, "nothing created again")
	assert.False(t, f.plan(t, st).HasChanges())
}

func TestReplacementName(t *testing.T) {
	n := ReplacementName("web-sg-dev", "sg-0123")
	assert.Regexp(t, `^web-sg-dev-r[0-9a-f]{6}$`, n)
	assert.Equal(t, n, ReplacementName("web-sg-dev", "sg-0123"), "the same on every run")
	assert.NotEqual(t, n, ReplacementName("web-sg-dev", "sg-0456"))
	assert.Equal(t, "web-sg-dev", BaseName(n, "web-sg-dev"))
	assert.Equal(t, "web-sg-dev", BaseName("web-sg-dev", "web-sg-dev"))
	assert.Equal(t, "web-sg-dev-rzzzzzz", BaseName("web-sg-dev-rzzzzzz", "web-sg-dev"), "not a replacement name")
	assert.Equal(t, "other-r123456", BaseName("other-r123456", "web-sg-dev"))
}

// An extra copy left by an interrupted replacement may still be used by a resource of its own
// tier (another security group's rule): its delete waits for that resource's change too.
func TestExtraCopyDeleteWaitsForWhatReferencesIt(t *testing.T) {
	old := state.Resource{Kind: "ec2.security_group", ID: "sg-old", Owner: state.Owner{Stack: "app", Suffix: "dev", ID: "a"}}
	p := &Plan{Stack: "app", Changes: []Change{
		{Action: NoOp, Address: "ec2.security_group/a", Kind: "ec2.security_group", Logical: "a", stack: "app"},
		{Action: Update, Address: "ec2.security_group/b", Kind: "ec2.security_group", Logical: "b", DependsOn: []string{"a"}, stack: "app"},
		deleteChange(old, "extra copy"),
	}}
	g := graphFor(p)
	assert.Contains(t, g.deps[p.Changes[2].node()], p.Changes[1].node())
}
