package kinds

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// registryTestCode packages any function as the same bytes.
type registryTestCode struct{}

func (registryTestCode) Package(context.Context, *spec.LambdaFunction) ([]byte, string, error) {
	return []byte("zip"), "c2hhMjU2", nil
}

func testRegistry() reconcile.Registry {
	return Registry(aws.Config{Region: "eu-west-1"}, "111122223333", registryTestCode{})
}

// The registry implements exactly the kinds of the spec language, each once.
func TestRegistryImplementsEveryKindOfTheSpec(t *testing.T) {
	var want, got []string
	for _, ki := range spec.Kinds {
		want = append(want, ki.Kind)
	}
	for _, k := range testRegistry() {
		got = append(got, k.Kind())
	}
	assert.ElementsMatch(t, want, got)
	assert.Len(t, got, len(want), "no kind twice")
}

// Every path a kind's Diff can produce starts with a property name of its spec struct (its
// yaml tag), so that a plan speaks the spec's language. The diffs come from comparing the
// spec's defaults with a value whose every field is set, both ways.
func TestRegistryDiffPathsAreSpecProperties(t *testing.T) {
	// Paths that name something derived from several properties, not one property.
	derived := map[string][]string{
		"lambda.function": {"code"}, // the package's hash, from handler and zip
	}
	reg := testRegistry()
	for _, ki := range spec.Kinds {
		t.Run(ki.Kind, func(t *testing.T) {
			k, ok := reg.Lookup(ki.Kind)
			require.True(t, ok)
			props := append(yamlNames(reflect.TypeOf(ki.New()).Elem()), derived[ki.Kind]...)
			empty, full := ki.New(), ki.New()
			fill(reflect.ValueOf(full).Elem())
			var paths []string
			for _, pair := range [][2]spec.Properties{{empty, full}, {full, empty}} {
				diffs, err := k.Diff(reconcile.Desired{Name: "n", Props: pair[0]}, state.Resource{ID: "n", Name: "n", Props: pair[1]})
				require.NoError(t, err)
				for _, d := range diffs {
					paths = append(paths, d.Path)
				}
			}
			require.NotEmpty(t, paths, "a fully set value differs from the defaults")
			for _, p := range paths {
				head, _, _ := strings.Cut(p, ".")
				head, _, _ = strings.Cut(head, "[")
				assert.Contains(t, props, head, "diff path %s", p)
			}
		})
	}
}

// yamlNames are the property names of a spec struct.
func yamlNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// fill sets every field of v to a non-zero value: "x1" for strings, true, 1, one element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x1")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 7)
	case reflect.Float64:
		v.SetFloat(v.Float() + 7)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem())
	case reflect.Slice:
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e)
		v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), e))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(key)
		fill(val)
		m.SetMapIndex(key, val)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}
