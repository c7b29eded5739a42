package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrUnresolved is wrapped by Interpolate and Resolve when lookup has no value for a
// reference, so that a planner can tell "not created yet" from a malformed string.
var ErrUnresolved = errors.New("no value")

// Built-in references. stack, suffix and region are expanded when a spec is loaded; account
// stays in the strings until the engine knows the caller's account.
const (
	BuiltinStack   = "stack"
	BuiltinSuffix  = "suffix"
	BuiltinRegion  = "region"
	BuiltinAccount = "account"
)

var (
	builtins   = []string{BuiltinStack, BuiltinSuffix, BuiltinRegion, BuiltinAccount}
	refPattern = regexp.MustCompile(`^([a-z][a-z0-9-]*)\.([a-z][a-z0-9_]*)$`)
)

// part is a piece of a string with references: literal text (escapes already undone) or one
// reference.
type part struct {
	lit string
	ref *Ref
}

// parseTemplate splits s into literal text and ${...} references. "$${" is a literal "${",
// for IAM policy variables such as $${aws:username}.
func parseTemplate(s string) ([]part, error) {
	var parts []part
	var lit strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			lit.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			ref, n, err := parseRef(s[i:])
			if err != nil {
				return parts, err
			}
			parts = flushLiteral(parts, &lit)
			parts = append(parts, part{ref: &ref})
			i += n
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	return flushLiteral(parts, &lit), nil
}

func flushLiteral(parts []part, lit *strings.Builder) []part {
	if lit.Len() > 0 {
		parts = append(parts, part{lit: lit.String()})
		lit.Reset()
	}
	return parts
}

// parseRef reads one reference at the start of s, which begins with "${", and returns it
// with the number of bytes it spans.
func parseRef(s string) (Ref, int, error) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return Ref{}, 0, fmt.Errorf("unterminated reference %q: missing the closing }", truncate(s, 40))
	}
	body := s[2:end]
	for _, b := range builtins {
		if body == b {
			return Ref{Attribute: b}, end + 1, nil
		}
	}
	if m := refPattern.FindStringSubmatch(body); m != nil {
		return Ref{Resource: m[1], Attribute: m[2]}, end + 1, nil
	}
	return Ref{}, 0, fmt.Errorf("malformed reference %q: expected ${stack}, ${suffix}, ${region}, "+
		"${account} or ${<resource>.<attribute>} (write $${ for a literal ${)", s[:end+1])
}

// truncate shortens s to n runes for a message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// escapeLiteral turns literal text back into template text.
func escapeLiteral(s string) string { return strings.ReplaceAll(s, "${", "$${") }

// Refs returns the references in s in order of appearance, built-ins included. A malformed
// reference ends the scan: the references before it are returned (Load reports the error).
func Refs(s string) []Ref {
	parts, _ := parseTemplate(s)
	var refs []Ref
	for _, p := range parts {
		if p.ref != nil {
			refs = append(refs, *p.ref)
		}
	}
	return refs
}

// Interpolate replaces every reference in s with lookup's value and undoes $${ escapes. It
// fails on a malformed reference, and with ErrUnresolved when lookup has no value.
func Interpolate(s string, lookup func(Ref) (string, bool)) (string, error) {
	parts, err := parseTemplate(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.ref == nil {
			b.WriteString(p.lit)
			continue
		}
		v, ok := lookup(*p.ref)
		if !ok {
			return "", fmt.Errorf("reference %s: %w", p.ref, ErrUnresolved)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// expandTemplate replaces the references lookup knows and keeps the others (and escapes) as
// written; Load uses it for ${stack}, ${suffix} and ${region}.
func expandTemplate(s string, lookup func(Ref) (string, bool)) (string, []Ref, error) {
	parts, err := parseTemplate(s)
	if err != nil {
		return s, nil, err
	}
	var b strings.Builder
	var kept []Ref
	for _, p := range parts {
		switch v, ok := lookupPart(p, lookup); {
		case p.ref == nil:
			b.WriteString(escapeLiteral(p.lit))
		case ok:
			b.WriteString(v)
		default:
			b.WriteString(p.ref.String())
			kept = append(kept, *p.ref)
		}
	}
	return b.String(), kept, nil
}

func lookupPart(p part, lookup func(Ref) (string, bool)) (string, bool) {
	if p.ref == nil {
		return "", false
	}
	return lookup(*p.ref)
}
