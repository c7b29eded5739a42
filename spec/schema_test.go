package spec

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const schemaFile = "../docs/spec.schema.json"

// TestSchemaFileInSync keeps docs/spec.schema.json equal to what Schema generates.
func TestSchemaFileInSync(t *testing.T) {
	got, err := Schema()
	require.NoError(t, err)
	checkGolden(t, schemaFile, got)
}

// compileSchema compiles the generated schema with an independent validator, which also
// proves it is a valid draft 2020-12 schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := Schema()
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	require.NoError(t, c.AddResource(SchemaID, bytes.NewReader(raw)))
	s, err := c.Compile(SchemaID)
	require.NoError(t, err)
	return s
}

// yamlAsJSON decodes YAML into the values encoding/json would produce, as the validator wants.
func yamlAsJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(src, &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&out))
	return out
}

func TestSchemaAcceptsTheExample(t *testing.T) {
	src, err := os.ReadFile(webhookExample)
	require.NoError(t, err)
	assert.NoError(t, compileSchema(t).Validate(yamlAsJSON(t, src)))
}

func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	tests := map[string]string{
		"unknown top key":     "stack: a\nresources: {q: {kind: sqs.queue}}\nregoin: x\n",
		"unknown kind":        "stack: a\nresources: {q: {kind: sqs.queu}}\n",
		"another kind's key":  "stack: a\nresources: {q: {kind: sqs.queue, retention_days: 7}}\n",
		"bad enum":            "stack: a\nresources: {l: {kind: logs.log_group, retention_days: 10}}\n",
		"out of range":        "stack: a\nresources: {f: {kind: lambda.function, role: r, memory_mb: 64}}\n",
		"missing required":    "stack: a\nresources: {f: {kind: lambda.function}}\n",
		"bad logical name":    "stack: a\nresources: {Q: {kind: sqs.queue}}\n",
		"nested unknown key":  "stack: a\nresources: {t: {kind: dynamodb.table, hash_key: {name: id, type: S, nam: x}}}\n",
		"missing stack":       "resources: {q: {kind: sqs.queue}}\n",
		"wrong type":          "stack: a\nresources: {q: {kind: sqs.queue, sse: yes-please}}\n",
		"no resource at all":  "stack: a\nresources: {}\n",
		"depends_on not list": "stack: a\nresources: {q: {kind: sqs.queue, depends_on: x}}\n",
	}
	for name, src := range tests {
		assert.Error(t, s.Validate(yamlAsJSON(t, []byte(src))), name)
	}
	assert.NoError(t, s.Validate(yamlAsJSON(t, []byte("stack: a\nresources: {q: {kind: sqs.queue, name: x, depends_on: [b]}}\n"))))
}
