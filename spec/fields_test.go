package spec

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

// eachStruct calls f for every struct type reachable from the kinds' property types.
func eachStruct(f func(t reflect.Type)) {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		f(t)
		for i := range t.NumField() {
			walk(t.Field(i).Type)
		}
	}
	for _, k := range Kinds {
		walk(reflect.TypeOf(k.New()))
	}
}

// TestSchemaTagsParse keeps every jsonschema tag readable by both this package and
// invopop/jsonschema: a comma left unescaped in a description would split it into a bogus
// keyword and cut the description short.
func TestSchemaTagsParse(t *testing.T) {
	eachStruct(func(st reflect.Type) {
		for _, f := range fieldsOf(st) {
			assert.Empty(t, f.unknown, "%s.%s has unknown jsonschema tag parts", st.Name(), f.name)
			yamlName := st.Field(f.index).Tag.Get("yaml")
			jsonName := st.Field(f.index).Tag.Get("json")
			assert.Equal(t, yamlName, jsonName[:len(yamlName)], "%s.%s: yaml and json names differ", st.Name(), f.name)
		}
	})
}

// TestDefaultTagsMatchNew keeps the documented defaults (default=… tags, shown in the JSON
// Schema and docs) equal to the values KindInfo.New really fills in.
func TestDefaultTagsMatchNew(t *testing.T) {
	for _, k := range Kinds {
		checkDefaults(t, k.Kind, reflect.ValueOf(k.New()).Elem())
	}
}

func checkDefaults(t *testing.T, where string, v reflect.Value) {
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		path := where + "." + f.name
		if fv.Kind() == reflect.Struct {
			checkDefaults(t, path, fv)
			continue
		}
		if f.def == nil {
			continue
		}
		assert.Equal(t, *f.def, fmt.Sprint(fv.Interface()), "%s: default tag and New disagree", path)
	}
}

func TestFieldInfoFromTags(t *testing.T) {
	fields := fieldsOf(reflect.TypeOf(LambdaFunction{}))
	mem := findField(fields, "memory_mb")
	assert.Equal(t, 128.0, *mem.min)
	assert.Equal(t, 10240.0, *mem.max)
	assert.Equal(t, "from 128 to 10240", mem.rangeText())
	assert.True(t, findField(fields, "role").required)
	assert.False(t, findField(fields, "handler").required)
	assert.Equal(t, "a handler in handlers/: receiver, processor, deadletter or authorizer", findField(fields, "handler").desc)

	sv := findField(fieldsOf(reflect.TypeOf(DynamoDBTable{})), "stream_view_type")
	assert.Equal(t, []string{"", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}, sv.enum)
}

func TestSplitTag(t *testing.T) {
	assert.Equal(t, []string{"required", `description=a, b`, "enum="}, splitTag(`required,description=a\, b,enum=`))
	assert.Equal(t, []string{"x"}, splitTag("x"))
}
