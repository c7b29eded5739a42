package reconcile

import (
	"encoding/json"
	"strings"

	"github.com/provisioner-dev/provisioner/state"
)

// liveRefs answers, for the resources of one plan, whether one's live state refers to
// another's: a delete then waits only for the changes of what still uses the resource (a
// function for the subnets and groups its network interfaces sit in, an endpoint for its
// VPC), not for every change of a later kind. A destroy has no spec, so the references are
// read from what discovery saw: a resource refers to another when a string of its properties
// is one of the other's identifiers (its id or an attribute), or an ARN under one
// ("arn:…:table/events/stream/*" refers to the table "arn:…:table/events").
type liveRefs struct {
	values map[*state.Resource]map[string]bool // a resource's property strings and their ARN prefixes
}

func newLiveRefs() *liveRefs { return &liveRefs{values: map[*state.Resource]map[string]bool{}} }

// uses reports whether user's live state refers to used. A user whose properties are not
// known (nil) may use anything: it is waited for.
func (l *liveRefs) uses(user, used *state.Resource) bool {
	if user.Props == nil {
		return true
	}
	vals := l.of(user)
	if used.ID != "" && vals[used.ID] {
		return true
	}
	for _, v := range used.Attrs {
		if len(v) >= 3 && vals[v] {
			return true
		}
	}
	return false
}

// of is r's property strings, with every ARN's prefixes at its ':' and '/' separators.
func (l *liveRefs) of(r *state.Resource) map[string]bool {
	if v, ok := l.values[r]; ok {
		return v
	}
	vals := map[string]bool{}
	var tree any
	if b, err := json.Marshal(r.Props); err == nil {
		_ = json.Unmarshal(b, &tree)
	}
	collectStrings(tree, func(s string) {
		vals[s] = true
		if strings.HasPrefix(s, "arn:") {
			for i := len("arn:"); i < len(s); i++ {
				if s[i] == ':' || s[i] == '/' {
					vals[s[:i]] = true
				}
			}
		}
	})
	l.values[r] = vals
	return vals
}

// collectStrings calls f with every string in a decoded JSON tree.
func collectStrings(v any, f func(string)) {
	switch t := v.(type) {
	case string:
		f(t)
	case []any:
		for _, e := range t {
			collectStrings(e, f)
		}
	case map[string]any:
		for _, e := range t {
			collectStrings(e, f)
		}
	}
}
