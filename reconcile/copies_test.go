package reconcile

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// liveCopy is a live resource of the app/dev stack.
func liveCopy(kind, logical, id string, props *spec.LogGroup) state.Resource {
	o := state.Owner{Stack: "app", Suffix: "dev", ID: logical}
	tags := o.Tags()
	tags["Project"] = "p"
	return state.Resource{Kind: kind, Owner: o, ID: id, Name: "app-" + logical + "-dev", Tags: tags, Props: props,
		Attrs: map[string]string{"arn": "arn:fake:" + id}}
}

// TestPlanShowsEveryExtraCopy: two live copies of a logical resource are never silently
// reduced to one: the plan keeps the one another resource references (else the first by id)
// and deletes the others, saying why.
func TestPlanShowsEveryExtraCopy(t *testing.T) {
	f := newFixture()
	st := stackOf(logGroup("producer", 7, ""), queueLike("consumer", "${producer.arn}", "producer"), queueLike("solo", ""))
	inv := &state.Inventory{Selector: state.Selector{Stack: "app", Suffix: "dev"}, Resources: []state.Resource{
		liveCopy("logs.log_group", "producer", "lg-a", &spec.LogGroup{RetentionDays: 7}),
		liveCopy("logs.log_group", "producer", "lg-b", &spec.LogGroup{RetentionDays: 7}),
		liveCopy("sqs.queue", "consumer", "q-c", &spec.LogGroup{RetentionDays: 7, KMSKeyID: "arn:fake:lg-b"}),
		liveCopy("sqs.queue", "solo", "q-2", &spec.LogGroup{RetentionDays: 7}),
		liveCopy("sqs.queue", "solo", "q-1", &spec.LogGroup{RetentionDays: 7}),
		liveCopy("sqs.queue", "solo", "q-3", &spec.LogGroup{RetentionDays: 7}),
	}}
	p, err := MakePlan(st, inv, f.reg, f.env)
	require.NoError(t, err)

	kept := map[string]string{}
	deleted := map[string]string{}
	for _, c := range p.Changes {
		if c.Action == Delete {
			deleted[c.ID] = c.Reason
		} else {
			kept[c.Address] = c.ID
		}
	}
	assert.Equal(t, map[string]string{"logs.log_group/producer": "lg-b", "sqs.queue/consumer": "q-c", "sqs.queue/solo": "q-1"}, kept)
	assert.Equal(t, "extra copy: 2 carry the ownership tags of logs.log_group/producer; keeping lg-b (the one other resources reference)", deleted["lg-a"])
	assert.Equal(t, "extra copy: 3 carry the ownership tags of sqs.queue/solo; keeping q-1 (the first by id)", deleted["q-2"])
	assert.Contains(t, deleted, "q-3")
	assert.Len(t, deleted, 3)
	// The consumer's reference resolves against the copy kept (lg-b): it is unchanged, where
	// lg-a's ARN would replace it.
	assert.Equal(t, Summary{Delete: 3, NoOp: 3}, p.Summary())

	// Each delete is its own step, though copies share an address.
	res, err := Apply(t.Context(), p, f.reg, ApplyOptions{Parallelism: 2})
	require.NoError(t, err)
	assert.Equal(t, Counts{Deleted: 3, Unchanged: 3}, res.Counts())
	n := 0
	for _, l := range f.log {
		if strings.HasPrefix(l, "delete ") {
			n++
		}
	}
	assert.Equal(t, 3, n)
}

func TestDestroyPlanDeletesEveryCopy(t *testing.T) {
	f := newFixture()
	inv := &state.Inventory{Selector: state.Selector{Stack: "app", Suffix: "dev"}, Resources: []state.Resource{
		liveCopy("sqs.queue", "solo", "q-2", &spec.LogGroup{}), liveCopy("sqs.queue", "solo", "q-1", &spec.LogGroup{}),
	}}
	res, err := Apply(t.Context(), DestroyPlan(inv), f.reg, ApplyOptions{Parallelism: 2})
	require.NoError(t, err)
	assert.Equal(t, Counts{Deleted: 2}, res.Counts())
}
