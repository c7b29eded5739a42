package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSchemaCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "schema")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)

	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc["$schema"])
	assert.Contains(t, doc["$defs"], "LambdaFunction")

	shipped, err := os.ReadFile("../../docs/spec.schema.json")
	require.NoError(t, err)
	assert.Equal(t, string(shipped), out, "docs/spec.schema.json is stale: go test ./spec -update")

	code, _, errOut = runCLI(t, "schema", "extra")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `unknown command "extra"`)
}
