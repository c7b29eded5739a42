package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const exampleSpec = "../../examples/webhook.yaml"

func writeSpec(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return path
}

// withoutAWS points every AWS setting at nothing, so that a command that called AWS would fail.
func withoutAWS(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("PROVISIONER_SUFFIX", "")
}

func TestValidateExample(t *testing.T) {
	withoutAWS(t)
	code, out, errOut := runCLI(t, "validate", exampleSpec)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, exampleSpec+": valid (59 resources)\n", out)
	assert.Empty(t, errOut)
}

func TestValidateReportsEveryError(t *testing.T) {
	withoutAWS(t)
	path := writeSpec(t, `stack: app
suffix: dev
resources:
  logs:
    kind: logs.log_group
    retention_dayz: 14
  fn:
    kind: lambda.function
    handler: receiver
    role: ${rol.arn}
    memory_mb: 64
`)
	code, out, errOut := runCLI(t, "validate", path)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, strings.Join([]string{
		path + `:6:5: unknown key "retention_dayz" in logs.log_group; did you mean "retention_days"?`,
		path + `:10:11: fn.role: ${rol.arn} refers to unknown resource "rol"`,
		path + `:11:16: fn.memory_mb: expected an integer from 128 to 10240, found 64`,
		path + `: 3 errors`,
	}, "\n")+"\n", errOut)
}

func TestValidateSuffix(t *testing.T) {
	withoutAWS(t)
	tests := []struct {
		name   string
		env    string
		args   []string
		code   int
		stderr string
	}{
		{name: "flag", args: []string{"--suffix", "pr42"}, code: 0},
		{name: "bad flag", args: []string{"--suffix", "PR_42"}, code: 1, stderr: `suffix "PR_42" (from --suffix or PROVISIONER_SUFFIX): expected 1-12 characters`},
		{name: "env", env: "qa", code: 0},
		{name: "bad env", env: "-qa", code: 1, stderr: `suffix "-qa" (from --suffix or PROVISIONER_SUFFIX)`},
		{name: "flag over env", env: "-qa", args: []string{"--suffix", "qa"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PROVISIONER_SUFFIX", tt.env)
			code, out, errOut := runCLI(t, append([]string{"validate", exampleSpec}, tt.args...)...)
			assert.Equal(t, tt.code, code, errOut)
			if tt.code == 0 {
				assert.Equal(t, exampleSpec+": valid (59 resources)\n", out)
				return
			}
			assert.Contains(t, errOut, tt.stderr)
			assert.Contains(t, errOut, exampleSpec+": 1 error\n")
		})
	}
}

func TestValidateUsageErrors(t *testing.T) {
	withoutAWS(t)
	code, _, errOut := runCLI(t, "validate", filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "Error: load spec ")
	assert.Contains(t, errOut, "no such file or directory")

	code, _, errOut = runCLI(t, "validate")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "accepts 1 arg(s), received 0")
}
