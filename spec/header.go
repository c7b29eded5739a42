package spec

import (
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// header reads stack, region and suffix, which every later string may refer to.
func (l *loader) header(top map[string]pair, rootPos Pos) {
	l.dec.reset("", "", map[string]Pos{})
	ok := true
	if _, found := top["stack"]; !found {
		l.probs.add(rootPos, "missing required key %q at the top of the spec", "stack")
		ok = false
	}
	var good bool
	l.stack.Name, good = l.word(top, "stack", "", stackPattern, stackRule)
	ok = ok && good
	l.stack.Region, good = l.word(top, "region", DefaultRegion, regionPattern, regionRule)
	ok = ok && good
	l.stack.Suffix, good = l.suffix(top, rootPos)
	l.headerOK = ok && good
	l.dec.vars = map[string]string{
		BuiltinStack: l.stack.Name, BuiltinSuffix: l.stack.Suffix, BuiltinRegion: l.stack.Region,
	}
}

// word reads a top-level name that must match re, or returns def when the key is absent.
func (l *loader) word(top map[string]pair, key, def string, re *regexp.Regexp, rule string) (string, bool) {
	p, found := top[key]
	if !found {
		return def, true
	}
	n := l.dec.follow(p.val)
	if n == nil {
		return def, false
	}
	if n.Kind != yaml.ScalarNode || !slices.Contains(stringTags, n.ShortTag()) {
		return def, l.dec.typeErr(n, key, "a string")
	}
	if !re.MatchString(n.Value) {
		l.probs.add(l.dec.pos(n), "%s: expected %s, found %q", key, rule, n.Value)
		return n.Value, false
	}
	return n.Value, true
}

// suffix returns Options.Suffix when set, else the spec's suffix; both must follow the rule.
func (l *loader) suffix(top map[string]pair, rootPos Pos) (string, bool) {
	fromFile, ok := l.word(top, "suffix", "", suffixPattern, suffixRule)
	switch {
	case l.opts.Suffix != "" && !suffixPattern.MatchString(l.opts.Suffix):
		l.probs.add(Pos{File: l.file}, "suffix %q (from --suffix or PROVISIONER_SUFFIX): expected %s", l.opts.Suffix, suffixRule)
		return l.opts.Suffix, false
	case l.opts.Suffix != "":
		return l.opts.Suffix, ok
	case fromFile == "" && ok:
		l.probs.add(rootPos, "no suffix: set suffix at the top of the spec or pass --suffix (PROVISIONER_SUFFIX)")
		return "", false
	}
	return fromFile, ok
}

// Tag rules of AWS, less the three ownership tags every resource also carries.
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

const maxUserTags = 50 - 3

// tags reads the stack's tags. Only ${stack}, ${suffix} and ${region} may appear: tags are
// applied as they are, before any resource exists.
func (l *loader) tags(top map[string]pair) {
	p, found := top["tags"]
	if !found {
		return
	}
	fields := map[string]Pos{}
	l.dec.reset("", "", fields)
	var tags map[string]string
	if !l.dec.decode(p.val, reflect.ValueOf(&tags).Elem(), "tags", l.dec.pos(p.keyNode)) {
		return
	}
	withRefs := map[string]bool{}
	for _, u := range l.dec.refs {
		l.probs.add(u.pos, "%s: tags may use ${stack}, ${suffix} and ${region} only, found %s", u.path, u.ref)
		withRefs[u.path] = true
	}
	if len(tags) > maxUserTags {
		l.probs.add(fields["tags"], "tags: expected at most %d tags (AWS allows 50, 3 are the ownership tags), found %d", maxUserTags, len(tags))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if msg := tagProblem(k, tags[k]); msg != "" && !withRefs["tags."+k] {
			l.probs.add(fields["tags."+k], "tags.%s: %s", k, msg)
		}
	}
	l.stack.Tags = tags
}

func tagProblem(k, v string) string {
	lower := strings.ToLower(k)
	switch {
	case strings.HasPrefix(lower, "aws:"):
		return "tag keys starting with aws: are reserved by AWS"
	case strings.HasPrefix(lower, "provisioner:"):
		return "tag keys starting with provisioner: are the ownership tags the tool sets itself"
	case k == "" || len([]rune(k)) > 128:
		return "expected a key of 1-128 characters"
	case len([]rune(v)) > 256:
		return "expected a value of at most 256 characters"
	case !tagPattern.MatchString(k) || !tagPattern.MatchString(v):
		return "expected letters, digits, spaces and _.:/=+-@ only"
	}
	return ""
}
