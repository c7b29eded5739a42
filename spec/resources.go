package spec

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// commonKeys are the keys every resource has beside its kind's properties.
var commonKeys = []string{"kind", "name", "depends_on"}

// resources decodes the resources mapping, in file order.
func (l *loader) resources(top map[string]pair, rootPos Pos) {
	p, found := top["resources"]
	if !found {
		l.probs.add(rootPos, "missing required key %q at the top of the spec", "resources")
		return
	}
	l.dec.reset("", "", map[string]Pos{})
	n := l.dec.follow(p.val)
	switch {
	case n == nil:
		return
	case n.Kind != yaml.MappingNode:
		l.dec.typeErr(n, "resources", "a mapping of resource names to resources")
		return
	}
	pairs := l.dec.pairs(n, "resource name")
	if len(pairs) == 0 {
		l.probs.add(l.dec.pos(p.keyNode), "resources: expected at least one resource, found none")
	}
	for _, rp := range pairs {
		l.resource(rp)
	}
}

// resource decodes one resource: kind, properties, name, depends_on.
func (l *loader) resource(p pair) {
	r := &loaded{
		Resource: &Resource{Logical: p.key, Pos: l.dec.pos(p.keyNode)},
		fields:   map[string]Pos{},
		edges:    map[string]Pos{},
	}
	if !logicalPattern.MatchString(p.key) {
		l.probs.add(r.Pos, "resource name %q: expected %s", p.key, logicalRule)
	}
	l.res = append(l.res, r)
	l.byName[p.key] = r
	l.stack.Resources = append(l.stack.Resources, r.Resource)

	l.dec.reset(p.key, "", r.fields)
	n := l.dec.follow(p.val)
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		l.dec.typeErr(n, "", "a mapping with kind and the kind's properties")
		return
	}
	common, props := splitCommon(l.dec.pairs(n, "key"))
	l.kind(r, common)
	if r.known {
		l.props(r, props)
	}
	l.name(r, common)
	l.dependsOn(r, common)
}

// splitCommon separates kind, name and depends_on from the kind's own properties.
func splitCommon(pairs []pair) (map[string]pair, []pair) {
	common := map[string]pair{}
	var props []pair
	for _, p := range pairs {
		if slices.Contains(commonKeys, p.key) {
			common[p.key] = p
		} else {
			props = append(props, p)
		}
	}
	return common, props
}

// kindNames lists every kind, for messages.
func kindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Kind
	}
	return names
}

func (l *loader) kind(r *loaded, common map[string]pair) {
	p, found := common["kind"]
	if !found {
		l.probs.add(r.Pos, "missing required key %q in resource %q: expected one of %s",
			"kind", r.Logical, strings.Join(kindNames(), ", "))
		return
	}
	var kind string
	if !l.dec.decode(p.val, reflect.ValueOf(&kind).Elem(), "kind", l.dec.pos(p.keyNode)) {
		return
	}
	info, ok := Info(kind)
	if !ok {
		l.probs.add(r.fields["kind"], "%s.kind: unknown kind %q%s", r.Logical, kind, kindHint(kind))
		return
	}
	r.Kind, r.info, r.known = kind, info, true
}

func kindHint(kind string) string {
	if s := didYouMean(kind, kindNames()); s != "" {
		return s
	}
	return "; expected one of " + strings.Join(kindNames(), ", ")
}

// props decodes the kind's properties into KindInfo.New's defaults.
func (l *loader) props(r *loaded, pairs []pair) {
	props := r.info.New()
	l.dec.reset(r.Logical, r.Kind, r.fields)
	l.dec.extra = commonKeys
	l.dec.structPairs(pairs, reflect.ValueOf(props).Elem(), "", r.Pos)
	r.Props, r.refs, r.clean = props, l.dec.refs, !l.dec.broken
}

// dependsOn reads the explicit dependencies; link checks that they exist.
func (l *loader) dependsOn(r *loaded, common map[string]pair) {
	p, found := common["depends_on"]
	if !found {
		return
	}
	l.dec.reset(r.Logical, r.Kind, r.fields)
	var deps []string
	if !l.dec.decode(p.val, reflect.ValueOf(&deps).Elem(), "depends_on", l.dec.pos(p.keyNode)) {
		return
	}
	for i, dep := range deps {
		pos := r.fields["depends_on["+strconv.Itoa(i)+"]"]
		if !logicalPattern.MatchString(dep) {
			l.probs.add(pos, "%s.depends_on: expected a resource name (%s), found %q", r.Logical, logicalRule, dep)
			continue
		}
		r.refs = append(r.refs, refUse{ref: Ref{Resource: dep}, pos: pos, path: "depends_on"})
	}
}
