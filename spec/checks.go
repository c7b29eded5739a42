package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// validate checks the stack as a whole once every resource is decoded.
func (l *loader) validate() {
	l.link()
	l.findCycles()
	l.uniqueNames()
	c := &checker{loader: l, subnets: map[string][]subnetAt{}}
	for _, r := range l.res {
		// A resource whose properties could not all be decoded is not checked further:
		// the checks would report the consequences (a value missing) rather than anything new.
		if r.known && r.clean {
			c.check(r)
		}
	}
	c.checkCapacity()
}

// checker runs the rules of each kind that its tags cannot express: choices between fields,
// cross-field and cross-resource rules.
type checker struct {
	*loader
	subnets map[string][]subnetAt // subnets seen so far, by their VPC's logical name
}

type subnetAt struct {
	r    *loaded
	cidr netip.Prefix
}

// checked is implemented by the properties of a kind that has rules its tags cannot express;
// each kind's file holds its own.
type checked interface {
	check(c *checker, r *loaded)
}

// check runs the kind's own rules, when it has any.
func (c *checker) check(r *loaded) {
	if p, ok := r.Props.(checked); ok {
		p.check(c, r)
	}
	c.checkTexts(r)
}

// errAt reports a problem with the property at path of r (the resource itself for "").
func (c *checker) errAt(r *loaded, path, format string, args ...any) {
	c.probs.add(r.posOf(path), "%s: %s", joinPath(r.Logical, path), fmt.Sprintf(format, args...))
}

// posOf returns where the value at path is written, or where its nearest written parent is:
// a property left at its default has no position of its own.
func (r *loaded) posOf(path string) Pos {
	for path != "" {
		if p, ok := r.fields[path]; ok {
			return p
		}
		path = path[:max(strings.LastIndexAny(path, ".["), 0)]
	}
	return r.Pos
}

// set reports whether the spec wrote the property at path (rather than leaving a default).
func (r *loaded) set(path string) bool {
	_, ok := r.fields[path]
	return ok
}

// refTarget returns the resource and reference when s is exactly one ${resource.attribute}
// naming an attribute its kind has (other references are reported by link).
func (c *checker) refTarget(s string) (*loaded, Ref) {
	parts, err := parseTemplate(s)
	if err != nil || len(parts) != 1 || parts[0].ref == nil || parts[0].ref.Resource == "" {
		return nil, Ref{}
	}
	ref := *parts[0].ref
	t := c.byName[ref.Resource]
	if t == nil || !t.known || !slices.Contains(t.info.Attributes, ref.Attribute) {
		return nil, Ref{}
	}
	return t, ref
}

// expectRef checks that s, when it is a single reference, is one of attrs of a kind
// resource, and returns that resource. Literal values (ids, ARNs of things outside the
// stack) are the user's business.
func (c *checker) expectRef(r *loaded, path, s, kind string, attrs ...string) *loaded {
	t, ref := c.refTarget(s)
	if t == nil {
		return nil
	}
	if t.Kind != kind || !slices.Contains(attrs, ref.Attribute) {
		want := make([]string, len(attrs))
		for i, a := range attrs {
			want[i] = "${<" + kind + ">." + a + "}"
		}
		c.errAt(r, path, "expected %s, found %s (the %s of %s %q)", strings.Join(want, " or "), ref, ref.Attribute, t.Kind, t.Logical)
		return nil
	}
	return t
}

// expectRefs applies expectRef to each item of a list property.
func (c *checker) expectRefs(r *loaded, path string, items []string, kind string, attrs ...string) []*loaded {
	var out []*loaded
	for i, s := range items {
		if t := c.expectRef(r, fmt.Sprintf("%s[%d]", path, i), s, kind, attrs...); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// oneOf reports unless exactly one of the named properties is set; set says which are.
func (c *checker) oneOf(r *loaded, path string, names []string, set []bool) {
	var have []string
	for i, ok := range set {
		if ok {
			have = append(have, names[i])
		}
	}
	if len(have) == 1 {
		return
	}
	found := "none"
	if len(have) > 1 {
		found = strings.Join(have, " and ")
	}
	c.errAt(r, path, "expected exactly one of %s, found %s", strings.Join(names, ", "), found)
}

// hasRef reports whether s holds a reference, whose value only the engine will know.
func hasRef(s string) bool { return len(Refs(s)) > 0 }

// cidr checks an IPv4 CIDR block: well formed, a network address, its prefix length within
// AWS's bounds. It returns the block when it is good.
func (c *checker) cidr(r *loaded, path, s string, minBits, maxBits int) (netip.Prefix, bool) {
	if hasRef(s) {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil || !p.Addr().Is4():
		c.errAt(r, path, "expected an IPv4 CIDR block such as 10.0.0.0/16, found %q", s)
	case p.Masked() != p:
		c.errAt(r, path, "expected a network address, found %s (host bits set); did you mean %s?", s, p.Masked())
	case p.Bits() < minBits || p.Bits() > maxBits:
		c.errAt(r, path, "expected a block from /%d to /%d, found /%d", minBits, maxBits, p.Bits())
	default:
		return p, true
	}
	return p, false
}
