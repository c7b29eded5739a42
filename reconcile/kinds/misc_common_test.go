package kinds

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

// miscAPIErr is an AWS API error as the SDK returns it.
func miscAPIErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "fake " + code}
}

// miscCalls records which fake operations ran, in order.
type miscCalls []string

func (c *miscCalls) add(op string) { *c = append(*c, op) }

func (c miscCalls) count(op string) int {
	n := 0
	for _, v := range c {
		if v == op {
			n++
		}
	}
	return n
}

// none asserts that none of ops ran.
func (c miscCalls) none(t *testing.T, ops ...string) {
	t.Helper()
	for _, op := range ops {
		assert.False(t, slices.Contains(c, op), "%s must not be called; calls: %v", op, c)
	}
}

// miscUnexpected is what a fake returns for an operation the test did not expect.
func miscUnexpected(op string) error { return fmt.Errorf("unexpected call %s", op) }

func miscOwner(id string) state.Owner { return state.Owner{Stack: "shop", Suffix: "dev", ID: id} }

func TestMiscTagChanges(t *testing.T) {
	o := miscOwner("x").Tags()
	live := map[string]string{state.TagStack: "shop", state.TagSuffix: "dev", state.TagID: "x", "Team": "a", "Old": "1"}
	want := map[string]string{"Team": "b", "New": "2"}
	for k, v := range o {
		want[k] = v
	}
	set, remove := miscTagChanges(live, want)
	assert.Equal(t, map[string]string{"Team": "b", "New": "2"}, set)
	assert.Equal(t, []string{"Old"}, remove, "extra user tags go, ownership tags are never removed")

	delete(want, state.TagID) // even when d somehow lacks one, it stays
	_, remove = miscTagChanges(live, want)
	assert.Equal(t, []string{"Old"}, remove)
}

func TestMiscTagChangesKeepAWS(t *testing.T) {
	live := map[string]string{state.TagStack: "shop", state.TagSuffix: "dev", state.TagID: "x",
		"aws:cloudformation:stack-name": "s", "Team": "a", "Old": "1"}
	want := map[string]string{state.TagStack: "shop", state.TagSuffix: "dev", state.TagID: "x", "Team": "b"}
	set, remove := miscTagChangesKeepAWS(live, want)
	assert.Equal(t, map[string]string{"Team": "b"}, set)
	assert.Equal(t, []string{"Old"}, remove, "aws: tags and ownership tags are never removed")

	_, remove = miscTagChangesKeepAWS(map[string]string{"aws:x": "1"}, map[string]string{})
	assert.Empty(t, remove)
}

func TestMiscSetChanges(t *testing.T) {
	for name, tc := range map[string]struct {
		live, want  []string
		add, remove []string
	}{
		"equal":           {[]string{"a", "b"}, []string{"b", "a"}, nil, nil},
		"both empty":      {nil, nil, nil, nil},
		"add and remove":  {[]string{"c", "a"}, []string{"b", "a", "d"}, []string{"b", "d"}, []string{"c"}},
		"duplicates once": {[]string{"x", "x"}, []string{"y", "y"}, []string{"y"}, []string{"x"}},
		"all new":         {nil, []string{"b", "a"}, []string{"a", "b"}, nil},
		"all gone":        {[]string{"b", "a"}, nil, nil, []string{"a", "b"}},
	} {
		t.Run(name, func(t *testing.T) {
			add, remove := miscSetChanges(tc.live, tc.want)
			assert.Equal(t, tc.add, add)
			assert.Equal(t, tc.remove, remove)
		})
	}
}

func TestMiscOwnerTags(t *testing.T) {
	assert.Equal(t, map[string]string{state.TagStack: "shop", state.TagID: "x"},
		miscOwnerTags(map[string]string{state.TagStack: "shop", state.TagID: "x", "Team": "a"}), "only the ownership tags present")
	assert.Equal(t, map[string]string{}, miscOwnerTags(nil))
}

func TestMiscNotFoundMapsCodes(t *testing.T) {
	err := miscNotFound(miscAPIErr("NoSuchEntity"), "NoSuchEntity")
	assert.ErrorIs(t, err, reconcile.ErrNotFound)
	assert.Equal(t, "NoSuchEntity", reconcile.APIErrorCode(err), "the cause stays reachable")
	assert.NotErrorIs(t, miscNotFound(miscAPIErr("AccessDenied"), "NoSuchEntity"), reconcile.ErrNotFound)
	assert.NoError(t, miscNotFound(nil, "NoSuchEntity"))
}

// miscFakeCall records op and runs fn, failing the call when the test did not provide fn.
func miscFakeCall[I, O any](calls *miscCalls, op string, fn func(I) (O, error), in I) (O, error) {
	calls.add(op)
	if fn == nil {
		var zero O
		return zero, miscUnexpected(op)
	}
	return fn(in)
}
