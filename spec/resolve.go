package spec

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Resolve returns a deep copy of p, of the same concrete type, with every reference in every
// string (struct fields, lists, map keys and values, at any depth) replaced through lookup.
// p itself is not changed. The error names the field and the reference lookup did not know
// (wrapping ErrUnresolved), or the malformed reference.
func Resolve(p Properties, lookup func(Ref) (string, bool)) (Properties, error) {
	if p == nil {
		return nil, nil
	}
	out, err := mapStrings(reflect.ValueOf(p), "", func(s string) (string, error) {
		return Interpolate(s, lookup)
	})
	if err != nil {
		return nil, fmt.Errorf("resolve %s %w", p.Kind(), err)
	}
	return out.Interface().(Properties), nil
}

// PropsRefs returns every distinct reference in p's strings, sorted by resource then
// attribute (built-ins, with no resource, first).
func PropsRefs(p Properties) []Ref {
	if p == nil {
		return nil
	}
	var refs []Ref
	walkStrings(reflect.ValueOf(p), func(s string) { refs = append(refs, Refs(s)...) })
	slices.SortFunc(refs, func(a, b Ref) int {
		return cmp.Or(cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Attribute, b.Attribute))
	})
	return slices.Compact(refs)
}

// mapStrings deep-copies v, passing every string through f. path names the field for errors.
func mapStrings(v reflect.Value, path string, f func(string) (string, error)) (reflect.Value, error) {
	switch v.Kind() {
	case reflect.String:
		s, err := f(v.String())
		if err != nil {
			return v, fmt.Errorf("%s: %w", orTop(path), err)
		}
		return reflect.ValueOf(s).Convert(v.Type()), nil
	case reflect.Pointer:
		return mapPointer(v, path, f)
	case reflect.Struct:
		return mapStruct(v, path, f)
	case reflect.Slice:
		return mapSlice(v, path, f)
	case reflect.Map:
		return mapMap(v, path, f)
	}
	return v, nil
}

func orTop(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

func mapPointer(v reflect.Value, path string, f func(string) (string, error)) (reflect.Value, error) {
	if v.IsNil() {
		return v, nil
	}
	elem, err := mapStrings(v.Elem(), path, f)
	if err != nil {
		return v, err
	}
	out := reflect.New(v.Type().Elem())
	out.Elem().Set(elem)
	return out, nil
}

func mapStruct(v reflect.Value, path string, f func(string) (string, error)) (reflect.Value, error) {
	out := reflect.New(v.Type()).Elem()
	out.Set(v) // unexported and non-string fields are copied as they are
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		fv, err := mapStrings(v.Field(i), joinPath(path, yamlName(v.Type().Field(i))), f)
		if err != nil {
			return v, err
		}
		out.Field(i).Set(fv)
	}
	return out, nil
}

func mapSlice(v reflect.Value, path string, f func(string) (string, error)) (reflect.Value, error) {
	if v.IsNil() {
		return v, nil
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i := range v.Len() {
		ev, err := mapStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", f)
		if err != nil {
			return v, err
		}
		out.Index(i).Set(ev)
	}
	return out, nil
}

func mapMap(v reflect.Value, path string, f func(string) (string, error)) (reflect.Value, error) {
	if v.IsNil() {
		return v, nil
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	for _, k := range sortedKeys(v) {
		kp := joinPath(path, fmt.Sprint(k.Interface()))
		nk, err := mapStrings(k, kp, f)
		if err != nil {
			return v, err
		}
		nv, err := mapStrings(v.MapIndex(k), kp, f)
		if err != nil {
			return v, err
		}
		out.SetMapIndex(nk, nv)
	}
	return out, nil
}

// walkStrings calls f with every string in v, in a deterministic order.
func walkStrings(v reflect.Value, f func(s string)) {
	_, _ = mapStrings(v, "", func(s string) (string, error) { f(s); return s, nil })
}

// sortedKeys returns a map's keys sorted by their string form, so that walks are repeatable.
func sortedKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		return cmp.Compare(fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()))
	})
	return keys
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

func joinPath(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	}
	return path + "." + name
}
