package awscall

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

// TagList converts a tag map to a service's tag list, sorted by key so that requests are
// deterministic; mk builds one of the service's Tag values (nil for an empty map).
func TagList[T any](tags map[string]string, mk func(key, value *string) T) []T {
	var out []T
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		out = append(out, mk(&k, &v))
	}
	return out
}

// TagMap converts a service's tag list to a map; kv reads one Tag.
func TagMap[T any](tags []T, kv func(T) (key, value *string)) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		out[deref(k)] = deref(v)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TagChanges returns the tags to write (missing or different in live) and the keys to remove
// (in live, not wanted, and not ownership tags: those are only ever written).
func TagChanges(live, want map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range want {
		if lv, ok := live[k]; !ok || lv != v {
			set[k] = v
		}
	}
	for k := range live {
		if _, ok := want[k]; !ok && k != state.TagStack && k != state.TagSuffix && k != state.TagID {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

// TagChangesKeepAWS is TagChanges for services that list AWS's own aws: tags among a
// resource's tags (EC2, DynamoDB): nobody may remove those, so they are never removed either.
func TagChangesKeepAWS(live, want map[string]string) (set map[string]string, remove []string) {
	set, remove = TagChanges(live, want)
	return set, slices.DeleteFunc(remove, func(k string) bool { return strings.HasPrefix(k, "aws:") })
}

// SyncTags makes a resource's tags equal want with the service's two tag calls: tag sets the
// missing and changed ones, untag removes extra ones (never ownership tags). Nothing is called
// when they already match.
func SyncTags(live, want map[string]string, tag func(set map[string]string) error, untag func(keys []string) error) error {
	set, remove := TagChanges(live, want)
	return syncTags(set, remove, tag, untag)
}

// SyncTagsKeepAWS is SyncTags that never removes aws: tags.
func SyncTagsKeepAWS(live, want map[string]string, tag func(set map[string]string) error, untag func(keys []string) error) error {
	set, remove := TagChangesKeepAWS(live, want)
	return syncTags(set, remove, tag, untag)
}

func syncTags(set map[string]string, remove []string, tag func(map[string]string) error, untag func([]string) error) error {
	if len(set) > 0 {
		if err := tag(set); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		return untag(remove)
	}
	return nil
}

// SetChanges returns what want has and live lacks, and what live has and want lacks, each
// sorted and without duplicates (nil when there is nothing).
func SetChanges(live, want []string) (add, remove []string) {
	have, need := map[string]bool{}, map[string]bool{}
	for _, v := range live {
		have[v] = true
	}
	for _, v := range want {
		need[v] = true
	}
	for _, v := range reconcile.SortedSet(want) {
		if !have[v] {
			add = append(add, v)
		}
	}
	for _, v := range reconcile.SortedSet(live) {
		if !need[v] {
			remove = append(remove, v)
		}
	}
	return add, remove
}

// ---- ownership ----

// NotOwned is the refusal for a resource that exists under our name without our tags.
func NotOwned(kind, name string, tags map[string]string) error {
	o, _ := state.OwnerOf(tags)
	return fmt.Errorf("%s %q (ownership tags stack=%q suffix=%q id=%q): %w",
		kind, name, o.Stack, o.Suffix, o.ID, reconcile.ErrNotOwned)
}

// OwnerTags returns only the ownership tags that tags carry, for error messages.
func OwnerTags(tags map[string]string) map[string]string {
	out := map[string]string{}
	for _, key := range []string{state.TagStack, state.TagSuffix, state.TagID} {
		if v, ok := tags[key]; ok {
			out[key] = v
		}
	}
	return out
}
