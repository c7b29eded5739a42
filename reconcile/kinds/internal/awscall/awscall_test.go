package awscall

import (
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: "fake " + code} }

func TestTagChanges(t *testing.T) {
	o := state.Owner{Stack: "shop", Suffix: "dev", ID: "x"}.Tags()
	live := map[string]string{state.TagStack: "shop", state.TagSuffix: "dev", state.TagID: "x", "Team": "a", "Old": "1"}
	want := map[string]string{"Team": "b", "New": "2"}
	for k, v := range o {
		want[k] = v
	}
	set, remove := TagChanges(live, want)
	assert.Equal(t, map[string]string{"Team": "b", "New": "2"}, set)
	assert.Equal(t, []string{"Old"}, remove, "extra user tags go, ownership tags are never removed")

	delete(want, state.TagID) // even when d somehow lacks one, it stays
	_, remove = TagChanges(live, want)
	assert.Equal(t, []string{"Old"}, remove)
}

func TestTagChangesKeepAWS(t *testing.T) {
	live := map[string]string{state.TagStack: "shop", state.TagSuffix: "dev", state.TagID: "x",
		"aws:cloudformation:stack-name": "s", "Team": "a", "Old": "1"}
	want := map[string]string{state.TagStack: "shop", state.TagSuffix: "dev", state.TagID: "x", "Team": "b"}
	set, remove := TagChangesKeepAWS(live, want)
	assert.Equal(t, map[string]string{"Team": "b"}, set)
	assert.Equal(t, []string{"Old"}, remove, "aws: tags and ownership tags are never removed")

	_, remove = TagChangesKeepAWS(map[string]string{"aws:x": "1"}, map[string]string{})
	assert.Empty(t, remove)
}

func TestSetChanges(t *testing.T) {
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
			add, remove := SetChanges(tc.live, tc.want)
			assert.Equal(t, tc.add, add)
			assert.Equal(t, tc.remove, remove)
		})
	}
}

func TestOwnerTags(t *testing.T) {
	assert.Equal(t, map[string]string{state.TagStack: "shop", state.TagID: "x"},
		OwnerTags(map[string]string{state.TagStack: "shop", state.TagID: "x", "Team": "a"}), "only the ownership tags present")
	assert.Equal(t, map[string]string{}, OwnerTags(nil))
}

func TestNotFoundMapsCodes(t *testing.T) {
	err := NotFound(apiErr("NoSuchEntity"), "NoSuchEntity")
	assert.ErrorIs(t, err, reconcile.ErrNotFound)
	assert.Equal(t, "NoSuchEntity", Code(err), "the cause stays reachable")
	assert.NotErrorIs(t, NotFound(apiErr("AccessDenied"), "NoSuchEntity"), reconcile.ErrNotFound)
	assert.NoError(t, NotFound(nil, "NoSuchEntity"))
}

func TestTagListSortsAndConverts(t *testing.T) {
	type tag struct{ k, v string }
	mk := func(k, v *string) tag { return tag{*k, *v} }
	assert.Equal(t, []tag{{"a", "1"}, {"b", "2"}}, TagList(map[string]string{"b": "2", "a": "1"}, mk))
	assert.Nil(t, TagList(nil, mk))
	kv := func(t tag) (*string, *string) { return &t.k, &t.v }
	assert.Equal(t, map[string]string{"a": "1"}, TagMap([]tag{{"a", "1"}}, kv))
}

func TestSyncTagsWritesOnlyWhatDiffers(t *testing.T) {
	var set map[string]string
	var removed []string
	tag := func(s map[string]string) error { set = s; return nil }
	untag := func(k []string) error { removed = k; return nil }
	live := map[string]string{state.TagStack: "shop", "Old": "1", "Same": "x", "aws:x": "1"}
	want := map[string]string{state.TagStack: "shop", "Same": "x", "New": "2"}
	assert.NoError(t, SyncTagsKeepAWS(live, want, tag, untag))
	assert.Equal(t, map[string]string{"New": "2"}, set)
	assert.Equal(t, []string{"Old"}, removed)

	set, removed = nil, nil
	assert.NoError(t, SyncTags(want, want, tag, untag))
	assert.Nil(t, set, "nothing to write, no call")
	assert.Nil(t, removed)
}

func TestRetryPredicates(t *testing.T) {
	assert.True(t, RetryCodes(ConflictException)(apiErr(TooManyRequestsException)))
	assert.True(t, RetryCodes(ConflictException)(apiErr(ConflictException)))
	assert.False(t, RetryCodes()(apiErr(ConflictException)))
	assert.True(t, Throttled(apiErr(Throttling)))
	assert.False(t, Never(apiErr(Throttling)))
	assert.Equal(t, "", Code(nil))
}
