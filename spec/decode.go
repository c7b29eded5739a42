package spec

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxSteps bounds the YAML nodes one load visits. Aliases let a small file name a huge tree
// (a list of aliases to lists of aliases…); walking it must stop long before memory does.
const maxSteps = 1_000_000

// decoder turns YAML nodes into typed Go values through reflection, reporting every problem
// with its position and validating each value against its field's jsonschema tag. It keeps
// going after a problem so that one run reports them all.
type decoder struct {
	file  string
	probs *problems
	vars  map[string]string // ${stack}, ${suffix} and ${region}, expanded while decoding
	steps int

	// Set per resource (or per top-level section) being decoded.
	root   string         // first element of message paths: the logical name, or "" at the top
	kind   string         // the resource's kind, for unknown-key messages
	extra  []string       // other keys valid at the resource's top level, for suggestions
	refs   []refUse       // references met in strings
	fields map[string]Pos // where each field path's value is
	broken bool           // a value could not be decoded (as opposed to decoded but out of bounds)
}

// refUse is a reference and where it was written.
type refUse struct {
	ref  Ref
	pos  Pos
	path string
}

// pair is one key and value of a mapping.
type pair struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Col: n.Column} }

func (d *decoder) label(path string) string { return joinPath(d.root, path) }

// reset prepares the decoder for a new resource or section.
func (d *decoder) reset(root, kind string, fields map[string]Pos) {
	d.root, d.kind, d.extra, d.refs, d.fields, d.broken = root, kind, nil, nil, fields, false
}

// fail reports a value that could not be decoded: a wrong type, an unknown or missing key, a
// malformed reference. Checks beyond decoding skip a resource with such a problem, since they
// would report its consequences (a value missing) rather than anything new.
func (d *decoder) fail(pos Pos, format string, args ...any) {
	d.probs.add(pos, format, args...)
	d.broken = true
}

// follow resolves aliases and counts the visit; it returns nil once the budget is spent.
func (d *decoder) follow(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	d.steps++
	if d.steps == maxSteps {
		d.fail(d.pos(n), "the spec expands to more than %d YAML nodes through aliases; write the repeated parts out", maxSteps)
	}
	if d.steps >= maxSteps {
		return nil
	}
	return n
}

// decode stores n into v (a settable value). at is where the value is named (its key, or the
// list item), the place to report a missing key. It returns false when n could not be stored.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, at Pos) bool {
	if n = d.follow(n); n == nil {
		return false
	}
	d.record(n, path, at)
	if isNull(n) && nullable(v.Kind()) {
		v.SetZero()
		return true
	}
	switch v.Kind() {
	case reflect.String:
		return d.decodeString(n, v, path)
	case reflect.Bool, reflect.Int, reflect.Float64:
		return d.decodeNumber(n, v, path)
	case reflect.Pointer:
		return d.decodePointer(n, v, path, at)
	case reflect.Struct:
		return d.decodeStruct(n, v, path, at)
	case reflect.Slice:
		return d.decodeSlice(n, v, path)
	case reflect.Map:
		return d.decodeMap(n, v, path)
	}
	panic(fmt.Sprintf("spec: cannot decode into %s", v.Type()))
}

// record remembers where a field's value is: the value itself for a scalar, the key for a
// mapping or list (whose own position is its first child's).
func (d *decoder) record(n *yaml.Node, path string, at Pos) {
	if d.fields == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		at = d.pos(n)
	}
	if _, ok := d.fields[path]; !ok {
		d.fields[path] = at
	}
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func nullable(k reflect.Kind) bool {
	return k == reflect.Pointer || k == reflect.Slice || k == reflect.Map
}

// typeErr reports that n is not the kind of value the field wants.
func (d *decoder) typeErr(n *yaml.Node, path, want string) bool {
	d.fail(d.pos(n), "%s: expected %s, found %s", d.label(path), want, describe(n))
	return false
}

// describe says what a node is, for "found …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "an empty value"
		case "!!str", "!!binary", "!!timestamp":
			return strconv.Quote(truncate(n.Value, 60))
		}
		return n.Value
	}
	return "a YAML document"
}

// stringTags are the scalar types a string field accepts: a number or true in an environment
// variable or a tag value means its text.
var stringTags = []string{"!!str", "!!int", "!!float", "!!bool", "!!timestamp"}

func (d *decoder) decodeString(n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.ScalarNode || !slices.Contains(stringTags, n.ShortTag()) {
		return d.typeErr(n, path, "a string")
	}
	v.SetString(d.expand(n.Value, d.pos(n), path))
	return true
}

// expand replaces ${stack}, ${suffix} and ${region} in s and records the other references.
func (d *decoder) expand(s string, pos Pos, path string) string {
	out, kept, err := expandTemplate(s, func(r Ref) (string, bool) {
		v, ok := d.vars[r.Attribute]
		return v, ok && r.Resource == ""
	})
	if err != nil {
		d.fail(pos, "%s: %v", d.label(path), err)
		return s
	}
	for _, r := range kept {
		d.refs = append(d.refs, refUse{ref: r, pos: pos, path: path})
	}
	return out
}

// decodeNumber decodes booleans, integers and floats, accepting only the matching YAML types.
func (d *decoder) decodeNumber(n *yaml.Node, v reflect.Value, path string) bool {
	want, tags := "true or false", []string{"!!bool"}
	switch v.Kind() {
	case reflect.Int:
		want, tags = "an integer", []string{"!!int"}
	case reflect.Float64:
		want, tags = "a number", []string{"!!int", "!!float"}
	}
	if n.Kind != yaml.ScalarNode || !slices.Contains(tags, n.ShortTag()) {
		return d.typeErr(n, path, want)
	}
	ptr := reflect.New(v.Type())
	if err := n.Decode(ptr.Interface()); err != nil {
		d.fail(d.pos(n), "%s: expected %s, found %s, out of range", d.label(path), want, n.Value)
		return false
	}
	if f := ptr.Elem(); f.Kind() == reflect.Float64 && (math.IsNaN(f.Float()) || math.IsInf(f.Float(), 0)) {
		d.fail(d.pos(n), "%s: expected a finite number, found %s", d.label(path), n.Value)
		return false
	}
	v.Set(ptr.Elem())
	return true
}

func (d *decoder) decodePointer(n *yaml.Node, v reflect.Value, path string, at Pos) bool {
	elem := reflect.New(v.Type().Elem())
	if !v.IsNil() {
		elem.Elem().Set(v.Elem())
	}
	ok := d.decode(n, elem.Elem(), path, at)
	v.Set(elem) // even when partly wrong, so that later checks do not report it missing
	return ok
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.SequenceNode {
		return d.typeErr(n, path, "a list")
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	ok := true
	for i, item := range n.Content {
		ip := path + "[" + strconv.Itoa(i) + "]"
		ok = d.decode(item, out.Index(i), ip, d.pos(item)) && ok
	}
	v.Set(out)
	return ok
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind != yaml.MappingNode {
		return d.typeErr(n, path, "a mapping")
	}
	out := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	ok := true
	for _, p := range d.pairs(n, "key") {
		kp := joinPath(path, p.key)
		key := d.expand(p.key, d.pos(p.keyNode), kp)
		val := reflect.New(v.Type().Elem()).Elem()
		ok = d.decode(p.val, val, kp, d.pos(p.keyNode)) && ok
		out.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), val)
	}
	v.Set(out)
	return ok
}

// pairs returns a mapping's keys and values, reporting keys that are not plain text,
// merge keys and duplicates (what names what a duplicate is, e.g. "resource name").
func (d *decoder) pairs(n *yaml.Node, what string) []pair {
	var out []pair
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.follow(n.Content[i])
		if k == nil || !d.validKey(k) {
			continue
		}
		if prev, dup := first[k.Value]; dup {
			d.fail(d.pos(k), "duplicate %s %q: first declared at line %d", what, k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		out = append(out, pair{key: k.Value, keyNode: k, val: n.Content[i+1]})
	}
	return out
}

func (d *decoder) validKey(k *yaml.Node) bool {
	switch {
	case k.Kind != yaml.ScalarNode || isNull(k):
		d.fail(d.pos(k), "expected a key, found %s", describe(k))
		return false
	case k.ShortTag() == "!!merge":
		d.fail(d.pos(k), "merge keys (<<) are not supported: write the keys out")
		return false
	}
	return true
}
