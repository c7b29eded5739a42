package reconcile

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// typedGroups is a typed kind over log groups that records what the adapter hands it.
type typedGroups struct {
	created *spec.LogGroup
	changes Changes
}

func (*typedGroups) Kind() string { return "logs.log_group" }
func (*typedGroups) List(context.Context, state.Selector) ([]state.Resource, error) {
	return nil, nil
}
func (k *typedGroups) Create(_ context.Context, d Want[*spec.LogGroup]) (state.Resource, error) {
	k.created = d.Props
	return state.Resource{Name: d.Name, Props: d.Props}, nil
}
func (k *typedGroups) Update(_ context.Context, d Want[*spec.LogGroup], _ Have[*spec.LogGroup], ch Changes) (state.Resource, error) {
	k.changes = ch
	return state.Resource{Name: d.Name, Props: d.Props}, nil
}
func (*typedGroups) Delete(context.Context, state.Resource) error { return nil }
func (*typedGroups) Diff(d Want[*spec.LogGroup], live Have[*spec.LogGroup]) []FieldDiff {
	var ds Diffs
	ds.Field("retention_days", live.Props.RetentionDays, d.Props.RetentionDays)
	return ds
}

func TestAdaptHandsTheKindItsOwnType(t *testing.T) {
	tk := &typedGroups{}
	k := Adapt[spec.LogGroup](tk)
	d := Desired{Name: "g", Props: &spec.LogGroup{RetentionDays: 30}}
	live := state.Resource{ID: "g", Name: "g", Props: &spec.LogGroup{RetentionDays: 7}}

	_, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 30, tk.created.RetentionDays)

	diffs, err := k.Diff(d, live)
	require.NoError(t, err)
	assert.Equal(t, []FieldDiff{{Path: "retention_days", Live: 7, Desired: 30}}, diffs)

	_, err = k.Update(context.Background(), d, live, diffs)
	require.NoError(t, err)
	assert.True(t, tk.changes.Changed("retention_days"))
}

// A wiring mistake is the same error from every method, and never a diff that could replace.
func TestAdaptRefusesPropertiesOfAnotherType(t *testing.T) {
	k := Adapt[spec.LogGroup](&typedGroups{})
	wrong := Desired{Name: "g", Props: &spec.SQSQueue{}}
	typedNil := Desired{Name: "g", Props: (*spec.LogGroup)(nil)}
	live := state.Resource{ID: "g", Props: &spec.LogGroup{}}
	const msg = "logs.log_group g: properties are *spec.SQSQueue, want *spec.LogGroup"

	_, err := k.Create(context.Background(), wrong)
	assert.EqualError(t, err, "create "+msg)
	diffs, err := k.Diff(wrong, live)
	assert.EqualError(t, err, "diff "+msg)
	assert.Nil(t, diffs)
	_, err = k.Update(context.Background(), wrong, live, nil)
	assert.EqualError(t, err, "update "+msg)
	_, err = k.Diff(Desired{Name: "g", Props: &spec.LogGroup{}}, state.Resource{ID: "g-1", Props: &spec.SQSQueue{}})
	assert.EqualError(t, err, "diff logs.log_group g-1: properties are *spec.SQSQueue, want *spec.LogGroup")
	_, err = k.Create(context.Background(), typedNil)
	assert.EqualError(t, err, "create logs.log_group g: properties are *spec.LogGroup, want *spec.LogGroup")
}

func TestAdaptKeepsLimited(t *testing.T) {
	_, plain := Adapt[spec.LogGroup](&typedGroups{}).(Limited)
	assert.False(t, plain)
	l, ok := Adapt[spec.LogGroup](&limitedGroups{}).(Limited)
	require.True(t, ok)
	group, n := l.LimitGroup()
	assert.Equal(t, "apigateway", group)
	assert.Equal(t, 1, n)
}

type limitedGroups struct{ typedGroups }

func (*limitedGroups) LimitGroup() (string, int) { return "apigateway", 1 }

func TestChangesChangedIsPrefixAware(t *testing.T) {
	ch := Changes{{Path: "tags.Project"}, {Path: "ingress[0].cidrs"}, {Path: "retention_days"}}
	for path, want := range map[string]bool{
		"tags": true, "tags.Project": true, "tags.Owner": false, "ingress": true, "ingress[0]": true,
		"ingress[1]": false, "retention_days": true, "retention": false, "egress": false,
	} {
		assert.Equal(t, want, ch.Changed(path), path)
	}
	assert.True(t, ch.Changed("egress", "tags"))
	_, force := ch.ForceNew()
	assert.False(t, force)
	fd, force := Changes{{Path: "cidr", ForceNew: true}}.ForceNew()
	assert.True(t, force)
	assert.Equal(t, "cidr", fd.Path)
}
