package spec

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeStruct decodes a mapping into a struct whose fields may already hold defaults.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, at Pos) bool {
	if n.Kind != yaml.MappingNode {
		return d.typeErr(n, path, "a mapping")
	}
	return d.structPairs(d.pairs(n, "key"), v, path, at)
}

// structPairs decodes key/value pairs into struct v: unknown keys, the tag checks of each
// field, then missing required keys (reported at at) and tag defaults of missing keys.
func (d *decoder) structPairs(pairs []pair, v reflect.Value, path string, at Pos) bool {
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	ok := true
	for _, p := range pairs {
		fi := findField(fields, p.key)
		if fi == nil {
			d.unknownKey(p, v.Type(), path)
			ok = false
			continue
		}
		seen[fi.name] = true
		fp := joinPath(path, fi.name)
		if d.decode(p.val, v.Field(fi.index), fp, d.pos(p.keyNode)) {
			ok = d.checkField(fi, v.Field(fi.index), fp) && ok
		} else {
			ok = false
		}
	}
	return d.finishStruct(fields, seen, v, path, at) && ok
}

func findField(fields []fieldInfo, key string) *fieldInfo {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	return nil
}

func (d *decoder) unknownKey(p pair, t reflect.Type, path string) {
	known := fieldNames(t)
	if path == "" {
		known = append(known, d.extra...)
	}
	d.fail(d.pos(p.keyNode), "unknown key %q in %s%s", p.key, d.where(path), didYouMean(p.key, known))
}

// where names the mapping at path for messages: "logs.log_group", "lambda.function vpc".
func (d *decoder) where(path string) string {
	switch {
	case d.kind == "":
		return d.label(path)
	case path == "":
		return d.kind
	}
	return d.kind + " " + path
}

// finishStruct reports required keys that are missing and fills tag defaults of the others.
func (d *decoder) finishStruct(fields []fieldInfo, seen map[string]bool, v reflect.Value, path string, at Pos) bool {
	ok := true
	for _, fi := range fields {
		switch {
		case seen[fi.name]:
		case fi.required:
			d.fail(at, "missing required key %q in %s", fi.name, d.where(path))
			ok = false
		case fi.def != nil && v.Field(fi.index).IsZero():
			setDefault(v.Field(fi.index), *fi.def)
		}
	}
	return ok
}

// setDefault stores a default=… tag value. Defaults of kinds' top-level fields come from
// KindInfo.New already; this fills those of list items (a route's authorization, a
// statement's effect), which New cannot.
func setDefault(v reflect.Value, def string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(def)
	case reflect.Bool:
		b, _ := strconv.ParseBool(def)
		v.SetBool(b)
	case reflect.Int:
		i, _ := strconv.Atoi(def)
		v.SetInt(int64(i))
	case reflect.Float64:
		f, _ := strconv.ParseFloat(def, 64)
		v.SetFloat(f)
	}
}

// checkField validates a decoded value against its field's tag: non-empty when required,
// enum, range, pattern and minimum list length.
func (d *decoder) checkField(fi *fieldInfo, v reflect.Value, path string) bool {
	pos := d.fields[path]
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return true
		}
		v = v.Elem()
	}
	msg := ""
	switch v.Kind() {
	case reflect.String:
		msg = checkString(fi, v.String())
	case reflect.Int:
		msg = checkNumber(fi, float64(v.Int()), strconv.FormatInt(v.Int(), 10), "an integer")
	case reflect.Float64:
		msg = checkNumber(fi, v.Float(), strconv.FormatFloat(v.Float(), 'f', -1, 64), "a number")
	case reflect.Slice, reflect.Map:
		msg = checkLength(fi, v.Len())
	}
	if msg == "" {
		return true
	}
	d.probs.add(pos, "%s: %s", d.label(path), msg)
	return false
}

func checkString(fi *fieldInfo, s string) string {
	switch {
	case s == "" && fi.required:
		return "expected a value, found an empty string"
	case len(fi.enum) > 0 && !slices.Contains(fi.enum, s):
		return "expected " + enumText(fi.enum) + ", found " + strconv.Quote(s) + didYouMean(s, fi.enum)
	case fi.pattern != nil && !fi.pattern.MatchString(s):
		return "expected text matching " + fi.pattern.String() + ", found " + strconv.Quote(s)
	}
	return ""
}

func checkNumber(fi *fieldInfo, f float64, text, kind string) string {
	switch {
	case len(fi.enum) > 0 && !slices.Contains(fi.enum, text):
		return "expected " + numberEnumText(fi.enum) + ", found " + text
	case !fi.inRange(f):
		return "expected " + kind + " " + fi.rangeText() + ", found " + text
	}
	return ""
}

func checkLength(fi *fieldInfo, n int) string {
	want := fi.minItems
	if want < 1 && fi.required {
		want = 1
	}
	if n >= want {
		return ""
	}
	if want == 1 {
		return "expected at least one item, found none"
	}
	return "expected at least " + strconv.Itoa(want) + " items, found " + strconv.Itoa(n)
}

// enumText renders allowed values: `one of "a", "b" or "c"`, with "" shown as (empty).
func enumText(values []string) string {
	if len(values) == 1 {
		return strconv.Quote(values[0])
	}
	return "one of " + quoteList(values)
}

// numberEnumText renders allowed numbers: "one of 1, 3 or 5".
func numberEnumText(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return "one of " + strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
