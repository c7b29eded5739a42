package spec

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// fieldInfo is what the language knows about one struct field, read from its yaml and
// jsonschema tags. The tags are the single source of truth: the decoder validates with them
// and the JSON Schema is generated from them, so the two cannot disagree.
type fieldInfo struct {
	index    int
	name     string // the YAML key
	required bool   // must be present (and, for strings, lists and maps, not empty)
	enum     []string
	min, max *float64 // inclusive bounds
	xmin     *float64 // exclusive lower bound
	minItems int
	pattern  *regexp.Regexp
	def      *string // default=…, applied to a missing key of a zero field
	desc     string
	unknown  []string // tag parts the parser does not know (a test keeps this empty)
}

var fieldCache sync.Map // reflect.Type -> []fieldInfo

// fieldsOf returns the fields of struct type t that have a yaml name, in declaration order.
func fieldsOf(t reflect.Type) []fieldInfo {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]fieldInfo)
	}
	var out []fieldInfo
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		fi := parseSchemaTag(sf.Tag.Get("jsonschema"))
		fi.index, fi.name = i, name
		out = append(out, fi)
	}
	fieldCache.Store(t, out)
	return out
}

// fieldNames lists the YAML keys of struct type t, for suggestions.
func fieldNames(t reflect.Type) []string {
	var names []string
	for _, f := range fieldsOf(t) {
		names = append(names, f.name)
	}
	return names
}

// parseSchemaTag reads the keywords of a jsonschema tag that validation needs.
func parseSchemaTag(tag string) fieldInfo {
	fi := fieldInfo{minItems: -1}
	if tag == "" {
		return fi
	}
	for _, part := range splitTag(tag) {
		key, val, hasVal := strings.Cut(part, "=")
		if !hasVal {
			if key == "required" {
				fi.required = true
			} else {
				fi.unknown = append(fi.unknown, part)
			}
			continue
		}
		fi.setKeyword(key, val, part)
	}
	return fi
}

func (fi *fieldInfo) setKeyword(key, val, part string) {
	switch key {
	case "enum":
		fi.enum = append(fi.enum, val)
	case "minimum":
		fi.min = parseBound(val)
	case "maximum":
		fi.max = parseBound(val)
	case "exclusiveMinimum":
		fi.xmin = parseBound(val)
	case "minItems":
		fi.minItems, _ = strconv.Atoi(val)
	case "pattern":
		fi.pattern = regexp.MustCompile(val)
	case "default":
		fi.def = &val
	case "description":
		fi.desc = val
	default:
		fi.unknown = append(fi.unknown, part)
	}
}

func parseBound(s string) *float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(fmt.Sprintf("spec: bad bound %q in a jsonschema tag", s))
	}
	return &f
}

// splitTag splits a jsonschema tag on commas not escaped with a backslash, the same rule
// invopop/jsonschema applies, so that descriptions may contain "\," .
func splitTag(tag string) []string {
	var parts []string
	for piece := range strings.SplitSeq(tag, ",") {
		if n := len(parts); n > 0 && strings.HasSuffix(parts[n-1], `\`) {
			parts[n-1] = strings.TrimSuffix(parts[n-1], `\`) + "," + piece
			continue
		}
		parts = append(parts, piece)
	}
	return parts
}

// rangeText describes a numeric field's bounds in words, e.g. "from 128 to 10240".
func (fi *fieldInfo) rangeText() string {
	num := func(f *float64) string { return strconv.FormatFloat(*f, 'f', -1, 64) }
	switch {
	case fi.min != nil && fi.max != nil:
		return "from " + num(fi.min) + " to " + num(fi.max)
	case fi.min != nil:
		return "of at least " + num(fi.min)
	case fi.xmin != nil:
		return "greater than " + num(fi.xmin)
	case fi.max != nil:
		return "of at most " + num(fi.max)
	}
	return ""
}

// inRange reports whether f satisfies the field's bounds.
func (fi *fieldInfo) inRange(f float64) bool {
	return (fi.min == nil || f >= *fi.min) && (fi.max == nil || f <= *fi.max) &&
		(fi.xmin == nil || f > *fi.xmin)
}
