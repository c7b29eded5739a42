package spec

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const docFile = "../docs/spec.md"

// generatedBlock is a part of docs/spec.md written by this test: the property tables of a
// kind ("<!-- generated: lambda.function -->") or the naming rules ("generated: names").
var generatedBlock = regexp.MustCompile(`(?s)<!-- generated: (\S+) -->\n.*?<!-- end generated -->`)

// TestSpecDocInSync keeps the generated parts of docs/spec.md (types, defaults, ranges, enums,
// attributes and naming rules, all read from the Go types and Kinds) in step with the code.
func TestSpecDocInSync(t *testing.T) {
	src, err := os.ReadFile(docFile)
	require.NoError(t, err)
	seen := map[string]bool{}
	out := generatedBlock.ReplaceAllStringFunc(string(src), func(block string) string {
		name := generatedBlock.FindStringSubmatch(block)[1]
		seen[name] = true
		return "<!-- generated: " + name + " -->\n" + generateDoc(t, name) + "<!-- end generated -->"
	})
	checkGolden(t, docFile, []byte(out))
	assert.True(t, seen["names"], "docs/spec.md has no generated names block")
	for _, k := range Kinds {
		assert.True(t, seen[k.Kind], "docs/spec.md has no generated block for %s", k.Kind)
	}
}

func generateDoc(t *testing.T, name string) string {
	switch name {
	case "names":
		return namesTable()
	case "capacity":
		var b strings.Builder
		writeTable(&b, reflect.TypeOf(Capacity{}), reflect.ValueOf(Capacity{ReceiverMs: DefaultReceiverMs, RecordMs: DefaultRecordMs}))
		return b.String()
	}
	info, ok := Info(name)
	require.True(t, ok, "docs/spec.md names an unknown kind %q", name)
	return kindDoc(info)
}

func namesTable() string {
	var b strings.Builder
	b.WriteString("| kind | physical name rule | default name |\n|---|---|---|\n")
	for _, k := range Kinds {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", k.Kind, k.Name.Hint, DefaultName(k.Kind, "<logical>"))
	}
	return b.String()
}

// kindDoc renders a kind's properties, those of its nested mappings, its attributes and the
// kinds it may refer to.
func kindDoc(k KindInfo) string {
	var b strings.Builder
	v := reflect.ValueOf(k.New()).Elem()
	nested := writeTable(&b, v.Type(), v)
	for len(nested) > 0 {
		n := nested[0]
		nested = nested[1:]
		fmt.Fprintf(&b, "\n`%s`%s:\n\n", n.path, n.each)
		nested = append(nested, prefixed(n.path, writeTable(&b, n.t, n.v))...)
	}
	fmt.Fprintf(&b, "\nAttributes: %s.\n", codeList(k.Attributes))
	if len(k.References) > 0 {
		fmt.Fprintf(&b, "May refer to: %s (created before it, deleted after it).\n", codeList(k.References))
	}
	return b.String()
}

type nestedType struct {
	path string
	each string // " (each item)" for lists
	t    reflect.Type
	v    reflect.Value // the defaults New gives, when it gives a value for this type
}

func prefixed(path string, ns []nestedType) []nestedType {
	for i := range ns {
		ns[i].path = path + "." + ns[i].path
	}
	return ns
}

// writeTable writes the table of struct type t (v holds its defaults, or is invalid) and
// returns the struct types nested in it.
func writeTable(b *strings.Builder, t reflect.Type, v reflect.Value) []nestedType {
	var nested []nestedType
	b.WriteString("| key | type | default | allowed | description |\n|---|---|---|---|---|\n")
	for _, f := range fieldsOf(t) {
		ft := t.Field(f.index).Type
		var fv reflect.Value
		if v.IsValid() {
			fv = v.Field(f.index)
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", f.name, typeText(ft), defaultText(&f, fv), allowedText(&f), f.desc)
		if st, each := structOf(ft); st != nil {
			var sv reflect.Value
			if fv.IsValid() && fv.Kind() == reflect.Struct {
				sv = fv
			}
			nested = append(nested, nestedType{path: f.name, each: each, t: st, v: sv})
		}
	}
	return nested
}

func structOf(t reflect.Type) (reflect.Type, string) {
	each := ""
	if t.Kind() == reflect.Slice {
		t, each = t.Elem(), " (each item)"
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t, each
	}
	return nil, ""
}

func typeText(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeText(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Int:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Struct:
		return "mapping (below)"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return "list of mappings (below)"
		}
		return "list of " + typeText(t.Elem()) + "s"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "mapping of strings"
		}
		return "mapping of " + typeText(t.Elem()) + "s"
	}
	return t.String()
}

// defaultText is New's value for a kind's field, else the default tag.
func defaultText(f *fieldInfo, v reflect.Value) string {
	if v.IsValid() && v.Kind() != reflect.Struct && !v.IsZero() {
		return "`" + fmt.Sprint(v.Interface()) + "`"
	}
	if f.def != nil {
		return "`" + *f.def + "`"
	}
	return ""
}

func allowedText(f *fieldInfo) string {
	var parts []string
	if f.required {
		parts = append(parts, "**required**")
	}
	if len(f.enum) > 0 {
		parts = append(parts, codeList(f.enum))
	}
	if r := rangeSymbols(f); r != "" {
		parts = append(parts, r)
	}
	if f.minItems > 0 {
		parts = append(parts, "at least "+strconv.Itoa(f.minItems)+" item")
	}
	if f.pattern != nil {
		parts = append(parts, "matches `"+f.pattern.String()+"`")
	}
	return strings.Join(parts, "; ")
}

func rangeSymbols(f *fieldInfo) string {
	num := func(p *float64) string { return strconv.FormatFloat(*p, 'f', -1, 64) }
	switch {
	case f.min != nil && f.max != nil:
		return num(f.min) + "–" + num(f.max)
	case f.min != nil:
		return "≥ " + num(f.min)
	case f.xmin != nil:
		return "> " + num(f.xmin)
	}
	return ""
}

func codeList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		if v == "" {
			v = `""`
		}
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// yamlBlock is one ```yaml example of docs/spec.md.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestSpecDocExamples loads every YAML example of docs/spec.md. A whole spec (with stack:)
// must be valid as it is; a fragment of resources is loaded inside a stack, where the only
// problems allowed are references to resources the fragment does not show.
func TestSpecDocExamples(t *testing.T) {
	src, err := os.ReadFile(docFile)
	require.NoError(t, err)
	blocks := yamlBlock.FindAllStringSubmatch(string(src), -1)
	require.NotEmpty(t, blocks)
	for i, m := range blocks {
		body := m[1]
		if strings.Contains(body, "# not a spec") {
			continue
		}
		if !strings.HasPrefix(body, "stack:") {
			body = "stack: doc\nsuffix: dev\nresources:\n" + indent(body)
		}
		_, err := Parse(fmt.Sprintf("spec.md example %d", i+1), []byte(body), Options{})
		if err == nil {
			continue
		}
		for _, e := range *err.(*Errors) {
			assert.Contains(t, e.Msg, "refers to unknown resource", "example %d:\n%s\n%s", i+1, m[1], e)
		}
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}
