package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAskSuffix(t *testing.T) {
	tests := []struct {
		name, input, wantErr string
	}{
		{"typed right", "dev\n", ""},
		{"typed right without newline", "dev", ""},
		{"typed wrong", "prod\n", `destroy: confirmation "prod" does not match suffix "dev"; nothing deleted`},
		{"nothing typed", "", "destroy: no confirmation: EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prompt bytes.Buffer
			err := askSuffix(&prompt, strings.NewReader(tt.input), "dev", 3)
			assert.Contains(t, prompt.String(), `This deletes 3 resources. Type the suffix "dev" to confirm`)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
		})
	}
}

func TestDestroyNeedsSuffix(t *testing.T) {
	t.Setenv("PROVISIONER_SUFFIX", "")
	code, _, errOut := runCLI(t, "destroy", "--yes")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "destroy: --suffix is required")
}

func TestOutputFlagChecked(t *testing.T) {
	for _, cmd := range []string{"plan", "apply", "drift"} {
		code, _, errOut := runCLI(t, cmd, "x.yaml", "-o", "yaml")
		assert.Equal(t, 1, code, cmd)
		assert.Contains(t, errOut, `flag --output: want text or json, got "yaml"`, cmd)
	}
}
