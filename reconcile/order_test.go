package reconcile

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// refersTo reports whether resources of kind a may refer, directly or through other kinds,
// to resources of kind b, by the kinds' declared References.
func refersTo(a, b string) bool {
	info, _ := spec.Info(a)
	for _, r := range info.References {
		if r == b || refersTo(r, b) {
			return true
		}
	}
	return false
}

// TestDestroyDeletesDependentsFirst: destroy has no spec, only ownership tags; with one
// resource of every kind, discovered in an order unrelated to the kinds', it still deletes
// every resource before anything it may refer to, in the plan and when it runs.
func TestDestroyDeletesDependentsFirst(t *testing.T) {
	var log []string
	reg := Registry{}
	inv := &state.Inventory{Selector: state.Selector{Suffix: "dev"}}
	for i := range spec.Kinds {
		k := spec.Kinds[(i*7)%len(spec.Kinds)] // 7 is prime to 16: every kind once, shuffled
		fk := newFakeKind(k.Kind, &log)
		r := state.Resource{Kind: k.Kind, Owner: state.Owner{Stack: "app", Suffix: "dev", ID: "x"}, ID: "id-" + k.Kind, Name: "app-x-dev"}
		fk.live[r.ID] = r
		reg = append(reg, fk)
		inv.Resources = append(inv.Resources, r)
	}
	require.Len(t, reg, len(spec.Kinds))

	p := DestroyPlan(inv)
	var planned []string
	for _, c := range p.Changes {
		planned = append(planned, "delete "+c.Address)
	}
	res, err := Apply(context.Background(), p, reg, ApplyOptions{Parallelism: 4})
	require.NoError(t, err)
	require.NoError(t, res.Err())
	require.Len(t, log, len(spec.Kinds))

	pairs := 0
	for _, a := range spec.Kinds {
		for _, b := range spec.Kinds {
			if !refersTo(a.Kind, b.Kind) {
				continue
			}
			pairs++
			da, db := "delete "+a.Kind+"/x", "delete "+b.Kind+"/x"
			assert.Less(t, slices.Index(planned, da), slices.Index(planned, db), "plan: %s may refer to %s", a.Kind, b.Kind)
			assert.Less(t, slices.Index(log, da), slices.Index(log, db), "run: %s may refer to %s", a.Kind, b.Kind)
		}
	}
	assert.Greater(t, pairs, len(spec.Kinds), "the kinds refer to each other")
}

// gatedKind is a fake kind whose deletes each wait for their gate (closed by the test) or
// fail after a while: a delete that should not wait for another shows by not deadlocking.
type gatedKind struct {
	*fakeKind
	gates map[string]chan struct{} // live ID → gate
}

func (g *gatedKind) Delete(ctx context.Context, live state.Resource) error {
	if gate, ok := g.gates[live.ID]; ok {
		select {
		case <-gate:
		case <-time.After(5 * time.Second):
			return fmt.Errorf("delete %s: its gate never opened", live.ID)
		}
	}
	return g.fakeKind.Delete(ctx, live)
}

// TestDestroyWaitsOnlyForWhatRefersToIt: the deletes follow the live references reversed. The
// subnet a function's network interfaces use waits for the function; the log group no
// function names does not, and neither does the role no function uses: the function's delete
// waits here until both are gone, which deadlocks (and fails) if they waited for it.
func TestDestroyWaitsOnlyForWhatRefersToIt(t *testing.T) {
	var log []string
	owner := state.Owner{Stack: "app", Suffix: "dev"}
	res := func(kind, logical, id string, props spec.Properties, attrs map[string]string) state.Resource {
		o := owner
		o.ID = logical
		return state.Resource{Kind: kind, Owner: o, ID: id, Name: id, Props: props, Attrs: attrs}
	}
	fn := res("lambda.function", "worker", "app-worker-dev", &spec.LambdaFunction{
		Role: "arn:aws:iam::1:role/app-worker-dev",
		VPC:  &spec.LambdaVPC{SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}},
	}, map[string]string{"arn": "arn:aws:lambda:us-east-1:1:function:app-worker-dev"})
	subnet := res("ec2.subnet", "private", "subnet-1", &spec.Subnet{VPC: "vpc-1"}, map[string]string{"id": "subnet-1"})
	logs := res("logs.log_group", "other-logs", "/aws/lambda/other-dev", &spec.LogGroup{RetentionDays: 7},
		map[string]string{"arn": "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/other-dev", "name": "/aws/lambda/other-dev"})
	role := res("iam.role", "spare-role", "app-spare-dev", &spec.IAMRole{},
		map[string]string{"arn": "arn:aws:iam::1:role/app-spare-dev", "name": "app-spare-dev"})

	gate := make(chan struct{})
	kinds := map[string]*fakeKind{}
	reg := Registry{}
	for _, r := range []state.Resource{fn, subnet, logs, role} {
		fk, ok := kinds[r.Kind]
		if !ok {
			fk = newFakeKind(r.Kind, &log)
			kinds[r.Kind] = fk
			if r.Kind == "lambda.function" {
				reg = append(reg, &gatedKind{fk, map[string]chan struct{}{fn.ID: gate}})
			} else {
				reg = append(reg, fk)
			}
		}
		fk.live[r.ID] = r
	}
	inv := &state.Inventory{Selector: state.Selector{Suffix: "dev"}, Resources: []state.Resource{subnet, logs, role, fn}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			fakeLogMu.Lock()
			n := 0
			for _, l := range log {
				if l == "delete logs.log_group/other-logs" || l == "delete iam.role/spare-role" {
					n++
				}
			}
			fakeLogMu.Unlock()
			if n == 2 {
				close(gate)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	res2, err := Apply(context.Background(), DestroyPlan(inv), reg, ApplyOptions{Parallelism: 4})
	require.NoError(t, err)
	require.NoError(t, res2.Err())
	<-done
	fakeLogMu.Lock()
	defer fakeLogMu.Unlock()
	assert.Less(t, slices.Index(log, "delete lambda.function/worker"), slices.Index(log, "delete ec2.subnet/private"),
		"the subnet the function uses goes after it")
}

func TestLiveRefs(t *testing.T) {
	table := &state.Resource{ID: "events-dev", Attrs: map[string]string{
		"arn": "arn:aws:dynamodb:us-east-1:1:table/events-dev", "stream_arn": "arn:aws:dynamodb:us-east-1:1:table/events-dev/stream/2026"}}
	role := &state.Resource{Props: &spec.IAMRole{Policies: []spec.InlinePolicy{{Name: "p", Statements: []spec.Statement{
		{Actions: []string{"dynamodb:GetRecords"}, Resources: []string{"arn:aws:dynamodb:us-east-1:1:table/events-dev/stream/*"}}}}}}}
	other := &state.Resource{Props: &spec.IAMRole{Policies: []spec.InlinePolicy{{Name: "p", Statements: []spec.Statement{
		{Actions: []string{"dynamodb:GetItem"}, Resources: []string{"arn:aws:dynamodb:us-east-1:1:table/events-dev-archive"}}}}}}}
	unknown := &state.Resource{}
	refs := newLiveRefs()
	assert.True(t, refs.uses(role, table), "an ARN under the table's refers to it")
	assert.False(t, refs.uses(other, table), "a name that only starts like it does not")
	assert.True(t, refs.uses(unknown, table), "properties not known: may use anything")
}
