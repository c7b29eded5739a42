package spec

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
)

// SchemaID is the $id of the language's JSON Schema, which ships as docs/spec.schema.json.
const SchemaID = "https://github.com/provisioner-dev/provisioner/docs/spec.schema.json"

// Schema returns the JSON Schema of the language, generated from the kinds' Go types and
// their tags, for editors to complete and check specs. Each resource is checked against its
// kind's properties through an if/then on kind. The schema cannot see references, cycles or
// the cross-field rules; `provisioner validate` checks those.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{FieldNameTag: "yaml", RequiredFromJSONSchemaTags: true, Anonymous: true}
	defs := jsonschema.Definitions{}
	var branches []*jsonschema.Schema
	for _, k := range Kinds {
		name := reflect.TypeOf(k.New()).Elem().Name()
		for n, d := range r.Reflect(k.New()).Definitions {
			defs[n] = d
		}
		addCommonKeys(defs[name], k.Kind)
		branches = append(branches, &jsonschema.Schema{
			If:   withProperty(&jsonschema.Schema{Required: []string{"kind"}}, "kind", &jsonschema.Schema{Const: k.Kind}),
			Then: &jsonschema.Schema{Ref: "#/$defs/" + name},
		})
	}
	for n, d := range r.Reflect(&Capacity{}).Definitions {
		defs[n] = d
	}
	defs["Resource"] = withProperty(&jsonschema.Schema{
		Type:        "object",
		Description: "one resource: kind, optional name and depends_on, and the kind's properties",
		Required:    []string{"kind"},
		AllOf:       branches,
	}, "kind", &jsonschema.Schema{Type: "string", Enum: toAny(kindNames())})
	b, err := json.MarshalIndent(rootSchema(defs), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal JSON Schema: %w", err)
	}
	return append(b, '\n'), nil
}

// rootSchema describes the top level of a spec file.
func rootSchema(defs jsonschema.Definitions) *jsonschema.Schema {
	p := jsonschema.NewProperties()
	p.Set("stack", &jsonschema.Schema{Type: "string", Pattern: stackPattern.String(), Description: "stack name: " + stackRule})
	p.Set("region", &jsonschema.Schema{Type: "string", Pattern: regionPattern.String(), Default: DefaultRegion})
	p.Set("suffix", &jsonschema.Schema{Type: "string", Pattern: suffixPattern.String(),
		Description: "environment suffix, in every physical name (" + suffixRule + "); --suffix or PROVISIONER_SUFFIX overrides it"})
	p.Set("tags", &jsonschema.Schema{Type: "object", AdditionalProperties: &jsonschema.Schema{Type: "string"},
		Description: "tags for every taggable resource; may use ${stack}, ${suffix} and ${region}"})
	p.Set("capacity", &jsonschema.Schema{Ref: "#/$defs/Capacity",
		Description: "the peak the stack must carry; validate checks the named resources' settings against it (docs/capacity.md)"})
	p.Set("resources", &jsonschema.Schema{
		Type:                 "object",
		MinProperties:        ptr(uint64(1)),
		PropertyNames:        &jsonschema.Schema{Pattern: logicalPattern.String()},
		AdditionalProperties: &jsonschema.Schema{Ref: "#/$defs/Resource"},
		Description:          "resources by logical name (" + logicalRule + ")",
	})
	return &jsonschema.Schema{
		Version:              jsonschema.Version,
		ID:                   SchemaID,
		Title:                "provisioner spec",
		Type:                 "object",
		Required:             []string{"stack", "resources"},
		Properties:           p,
		AdditionalProperties: jsonschema.FalseSchema,
		Definitions:          defs,
	}
}

// addCommonKeys adds kind, name and depends_on to a kind's property schema, since they sit
// beside the properties in a resource.
func addCommonKeys(s *jsonschema.Schema, kind string) {
	s.Title = kind
	s.Properties.Set("kind", &jsonschema.Schema{Const: kind})
	s.Properties.Set("name", &jsonschema.Schema{Type: "string",
		Description: "physical name template; must contain ${suffix}; default " + DefaultName(kind, "<logical>")})
	s.Properties.Set("depends_on", &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "string", Pattern: logicalPattern.String()},
		Description: "logical names this resource waits for, beside those its references imply"})
	s.Required = append([]string{"kind"}, s.Required...)
}

// withProperty sets s's properties to the one property name.
func withProperty(s *jsonschema.Schema, name string, prop *jsonschema.Schema) *jsonschema.Schema {
	s.Properties = jsonschema.NewProperties()
	s.Properties.Set(name, prop)
	return s
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func ptr[T any](v T) *T { return &v }
