package state_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// tags builds a tag map from the three ownership tags (an empty value means absent) and extra.
func tags(stack, suffix, id string, extra ...string) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{state.TagStack: stack, state.TagSuffix: suffix, state.TagID: id} {
		if v != "" {
			out[k] = v
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		out[extra[i]] = extra[i+1]
	}
	return out
}

func TestOwnerOf(t *testing.T) {
	for name, tc := range map[string]struct {
		tags   map[string]string
		want   state.Owner
		wantOK bool
	}{
		"all three":         {tags("shop", "dev", "orders"), state.Owner{Stack: "shop", Suffix: "dev", ID: "orders"}, true},
		"user tags ignored": {tags("shop", "dev", "orders", "Team", "a"), state.Owner{Stack: "shop", Suffix: "dev", ID: "orders"}, true},
		"no stack":          {tags("", "dev", "orders"), state.Owner{Suffix: "dev", ID: "orders"}, false},
		"no suffix":         {tags("shop", "", "orders"), state.Owner{Stack: "shop", ID: "orders"}, false},
		"no id":             {tags("shop", "dev", ""), state.Owner{Stack: "shop", Suffix: "dev"}, false},
		"empty value": {map[string]string{state.TagStack: "shop", state.TagSuffix: "", state.TagID: "orders"},
			state.Owner{Stack: "shop", ID: "orders"}, false},
		"no tags":  {map[string]string{}, state.Owner{}, false},
		"nil tags": {nil, state.Owner{}, false},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := state.OwnerOf(tc.tags)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantOK, ok)
		})
	}
}

func TestOwnerTagsRoundTrip(t *testing.T) {
	o := state.Owner{Stack: "shop", Suffix: "dev", ID: "orders"}
	assert.Equal(t, tags("shop", "dev", "orders"), o.Tags())
	got, ok := state.OwnerOf(o.Tags())
	assert.True(t, ok)
	assert.Equal(t, o, got)
	assert.True(t, o.Owns(o.Tags()))
}

func TestOwnerOwns(t *testing.T) {
	o := state.Owner{Stack: "shop", Suffix: "dev", ID: "orders"}
	for name, tc := range map[string]struct {
		owner state.Owner
		tags  map[string]string
		want  bool
	}{
		"exactly o's":                       {o, tags("shop", "dev", "orders"), true},
		"with user tags":                    {o, tags("shop", "dev", "orders", "Team", "a", "Name", "orders-dev"), true},
		"other stack":                       {o, tags("blog", "dev", "orders"), false},
		"other suffix":                      {o, tags("shop", "prod", "orders"), false},
		"other id":                          {o, tags("shop", "dev", "payments"), false},
		"no stack":                          {o, tags("", "dev", "orders"), false},
		"no suffix":                         {o, tags("shop", "", "orders"), false},
		"no id":                             {o, tags("shop", "dev", ""), false},
		"no tags":                           {o, map[string]string{}, false},
		"nil tags":                          {o, nil, false},
		"case differs":                      {o, tags("Shop", "dev", "orders"), false},
		"zero owner, no tags":               {state.Owner{}, map[string]string{}, false},
		"zero owner, any tags":              {state.Owner{}, tags("shop", "dev", "orders"), false},
		"owner without id, tags without id": {state.Owner{Stack: "shop", Suffix: "dev"}, tags("shop", "dev", ""), false},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.owner.Owns(tc.tags))
		})
	}
}

func TestSelectorMatches(t *testing.T) {
	for name, tc := range map[string]struct {
		sel  state.Selector
		tags map[string]string
		want bool
	}{
		"stack and suffix":               {state.Selector{Stack: "shop", Suffix: "dev"}, tags("shop", "dev", "orders"), true},
		"any id":                         {state.Selector{Stack: "shop", Suffix: "dev"}, tags("shop", "dev", "payments"), true},
		"other stack":                    {state.Selector{Stack: "shop", Suffix: "dev"}, tags("blog", "dev", "orders"), false},
		"other suffix":                   {state.Selector{Stack: "shop", Suffix: "dev"}, tags("shop", "prod", "orders"), false},
		"any stack":                      {state.Selector{Suffix: "dev"}, tags("blog", "dev", "orders"), true},
		"any stack, other suffix":        {state.Selector{Suffix: "dev"}, tags("blog", "prod", "orders"), false},
		"incomplete ownership tags":      {state.Selector{Stack: "shop", Suffix: "dev"}, tags("shop", "dev", ""), false},
		"any stack, incomplete tags":     {state.Selector{Suffix: "dev"}, tags("", "dev", "orders"), false},
		"no tags":                        {state.Selector{Suffix: "dev"}, map[string]string{}, false},
		"nil tags":                       {state.Selector{Suffix: "dev"}, nil, false},
		"empty selector never matches":   {state.Selector{}, tags("shop", "dev", "orders"), false},
		"user tags do not matter":        {state.Selector{Stack: "shop", Suffix: "dev"}, tags("shop", "dev", "orders", "Team", "a"), true},
		"suffix only in a user tag name": {state.Selector{Suffix: "dev"}, map[string]string{"dev": "dev"}, false},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.sel.Matches(tc.tags))
		})
	}
}

func TestUserTags(t *testing.T) {
	for name, tc := range map[string]struct {
		tags map[string]string
		want map[string]string
	}{
		"ownership tags dropped": {tags("shop", "dev", "orders", "Team", "a", "Name", "orders-dev"),
			map[string]string{"Team": "a", "Name": "orders-dev"}},
		"only ownership tags":    {tags("shop", "dev", "orders"), map[string]string{}},
		"only user tags":         {map[string]string{"Team": "a"}, map[string]string{"Team": "a"}},
		"partial ownership":      {tags("shop", "", "", "Team", "a"), map[string]string{"Team": "a"}},
		"other provisioner: key": {map[string]string{"provisioner:other": "x"}, map[string]string{"provisioner:other": "x"}},
		"empty":                  {map[string]string{}, map[string]string{}},
		"nil":                    {nil, map[string]string{}},
	} {
		t.Run(name, func(t *testing.T) {
			got := state.UserTags(tc.tags)
			assert.Equal(t, tc.want, got)
			assert.NotNil(t, got, "never nil, so callers may add to it")
		})
	}
}

func TestUserTagsCopies(t *testing.T) {
	in := tags("shop", "dev", "orders", "Team", "a")
	out := state.UserTags(in)
	out["Team"] = "b"
	out["New"] = "c"
	assert.Equal(t, tags("shop", "dev", "orders", "Team", "a"), in, "the input is not changed")
}

func TestInventoryCopies(t *testing.T) {
	o := state.Owner{Stack: "app", Suffix: "dev", ID: "net"}
	vpc := func(id string) state.Resource { return state.Resource{Kind: "ec2.vpc", Owner: o, ID: id} }
	subnet := state.Resource{Kind: "ec2.subnet", Owner: state.Owner{Stack: "app", Suffix: "dev", ID: "a"}, ID: "subnet-1",
		Props: &spec.Subnet{VPC: "vpc-b", CIDR: "10.0.1.0/24"}}
	inv := &state.Inventory{Resources: []state.Resource{vpc("vpc-c"), vpc("vpc-a"), vpc("vpc-b"), subnet}}
	var ids []string
	for _, r := range inv.Copies("app", "ec2.vpc", "net") {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"vpc-b", "vpc-a", "vpc-c"}, ids, "the referenced one first, then by id")
	got, ok := inv.Find("app", "ec2.vpc", "net")
	assert.True(t, ok)
	assert.Equal(t, "vpc-b", got.ID)

	inv.Resources = inv.Resources[:3]
	got, _ = inv.Find("app", "ec2.vpc", "net")
	assert.Equal(t, "vpc-a", got.ID, "none referenced: the smallest id, the same every run")
	_, ok = inv.Find("app", "ec2.vpc", "other")
	assert.False(t, ok)
}
