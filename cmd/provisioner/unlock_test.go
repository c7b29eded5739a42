package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAskUnlock(t *testing.T) {
	tests := []struct {
		name, input, wantErr string
	}{
		{"typed right", "dev\n", ""},
		{"typed wrong", "prod\n", `unlock: confirmation "prod" does not match suffix "dev"; nothing removed`},
		{"nothing typed", "", `unlock: confirmation "" does not match suffix "dev"; nothing removed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prompt bytes.Buffer
			err := askUnlock(&prompt, strings.NewReader(tt.input), "dev", 2)
			assert.Contains(t, prompt.String(), `Type the suffix "dev" to remove 2 locks`)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
		})
	}
}

func TestUnlockNeedsSuffix(t *testing.T) {
	t.Setenv("PROVISIONER_SUFFIX", "")
	code, _, errOut := runCLI(t, "unlock", "--yes")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "unlock: --suffix is required")
}
