package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The drift job's manifests under deploy/: both run the same image with `drift -o json` on a
// spec of this repository, on a schedule, and point at the policy file that `provisioner
// policy --for drift` prints for that spec and suffix.
const (
	driftImage  = "ghcr.io/provisioner-dev/provisioner:v0.1.0"
	driftPolicy = "deploy/drift-policy.json"
)

var cronField = regexp.MustCompile(`^(\*|\d+(-\d+)?)(/\d+)?(,\d+(-\d+)?)*$`)

func repoPath(p string) string { return filepath.Join("..", "..", p) }

func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(repoPath(path))
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			return docs
		} else {
			require.NoError(t, err, path)
		}
		docs = append(docs, d)
	}
}

// dig follows keys (string) and indexes (int) through decoded YAML.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "want a mapping at %v", p)
			v = m[k]
		case int:
			s, ok := v.([]any)
			require.True(t, ok && k < len(s), "want a sequence at %v", p)
			v = s[k]
		}
	}
	return v
}

func assertCron(t *testing.T, expr string) {
	t.Helper()
	fields := strings.Fields(expr)
	require.Len(t, fields, 5, "cron %q", expr)
	for _, f := range fields {
		assert.Regexp(t, cronField, f, "cron %q", expr)
	}
}

// assertDriftArgs checks a drift command line and returns its spec (a repository path) and suffix.
func assertDriftArgs(t *testing.T, args []string) (spec, suffix string) {
	t.Helper()
	require.GreaterOrEqual(t, len(args), 2)
	assert.Equal(t, "drift", args[0])
	spec = strings.TrimPrefix(args[1], "/etc/provisioner/") // where the image carries examples/
	_, err := os.Stat(repoPath(spec))
	require.NoError(t, err, "the job's spec %s is in the repository", spec)
	joined := " " + strings.Join(args, " ") + " "
	assert.Contains(t, joined, " --output json ", "the report is JSON")
	m := regexp.MustCompile(` --suffix (\S+) `).FindStringSubmatch(joined)
	require.NotNil(t, m, "the job names its suffix")
	return spec, m[1]
}

func TestDeployCronJob(t *testing.T) {
	docs := readYAMLDocs(t, "deploy/kubernetes/drift-cronjob.yaml")
	byKind := map[string]map[string]any{}
	for _, d := range docs {
		byKind[d["kind"].(string)] = d
	}
	sa, cj := byKind["ServiceAccount"], byKind["CronJob"]
	require.NotNil(t, sa)
	require.NotNil(t, cj)
	annotations := dig(t, sa, "metadata", "annotations").(map[string]any)
	assert.Regexp(t, `^arn:aws:iam::[A-Z_0-9]+:role/`, annotations["eks.amazonaws.com/role-arn"], "IRSA role")
	assert.Equal(t, driftPolicy, annotations["provisioner.dev/policy"])

	assertCron(t, dig(t, cj, "spec", "schedule").(string))
	job := dig(t, cj, "spec", "jobTemplate", "spec")
	pod := dig(t, job, "template", "spec")
	assert.Equal(t, dig(t, sa, "metadata", "name"), dig(t, pod, "serviceAccountName"))
	assert.Equal(t, "Never", dig(t, pod, "restartPolicy"), "a pod failure policy needs Never")
	rule := dig(t, job, "podFailurePolicy", "rules", 0)
	assert.Equal(t, "FailJob", dig(t, rule, "action"))
	assert.Equal(t, []any{2}, dig(t, rule, "onExitCodes", "values"), "exit code 2, drift, fails the job")
	c := dig(t, pod, "containers", 0)
	assert.Equal(t, "drift", dig(t, c, "name"))
	assert.Equal(t, driftImage, dig(t, c, "image"))
	assert.Equal(t, true, dig(t, c, "securityContext", "readOnlyRootFilesystem"))
	var args []string
	for _, a := range dig(t, c, "args").([]any) {
		args = append(args, a.(string))
	}
	spec, suffix := assertDriftArgs(t, args)
	checkPolicyFile(t, spec, suffix)
}

func TestDeployWorkflow(t *testing.T) {
	wf := readYAMLDocs(t, "deploy/github-actions/drift.yml")[0]
	assertCron(t, dig(t, wf, "on", "schedule", 0, "cron").(string))
	assert.Equal(t, "write", dig(t, wf, "permissions", "id-token"), "OIDC role assumption")
	assert.Equal(t, driftImage, dig(t, wf, "env", "IMAGE"))
	assert.Equal(t, driftPolicy, dig(t, wf, "env", "DRIFT_POLICY"))

	steps := dig(t, wf, "jobs", "drift", "steps").([]any)
	var uses []string
	var run string
	var upload map[string]any
	for _, s := range steps {
		step := s.(map[string]any)
		if u, ok := step["uses"].(string); ok {
			uses = append(uses, strings.SplitN(u, "@", 2)[0])
			if strings.HasPrefix(u, "actions/upload-artifact@") {
				upload = step
			}
		}
		if r, ok := step["run"].(string); ok {
			run = r
		}
	}
	assert.Equal(t, []string{"actions/checkout", "aws-actions/configure-aws-credentials", "actions/upload-artifact"}, uses)
	creds := dig(t, steps[1], "with").(map[string]any)
	assert.Contains(t, creds["role-to-assume"], "vars.DRIFT_ROLE_ARN")
	_, hasKey := creds["aws-access-key-id"]
	assert.False(t, hasKey, "no stored keys")

	require.NotNil(t, upload, "the report is kept as an artifact")
	assert.Equal(t, "always()", upload["if"], "kept when drift fails the job too")
	assert.Equal(t, "drift-report.json", dig(t, upload, "with", "path"))
	fields := strings.Fields(run)
	i := indexOf(fields, `"$IMAGE"`)
	require.GreaterOrEqual(t, i, 0, "the step runs the image: %s", run)
	assert.Equal(t, []string{">", "drift-report.json"}, fields[len(fields)-2:], "stdout, the report, goes to the artifact's file")
	spec, suffix := assertDriftArgs(t, fields[i+1:len(fields)-2])
	checkPolicyFile(t, spec, suffix)
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// checkPolicyFile compares deploy/drift-policy.json with what the policy command prints for the
// job's spec and suffix (or rewrites it with -update).
func checkPolicyFile(t *testing.T, spec, suffix string) {
	t.Helper()
	code, out, errOut := runCLI(t, "policy", repoPath(spec), "--for", "drift", "--suffix", suffix)
	require.Equal(t, 0, code, errOut)
	if *update {
		require.NoError(t, os.WriteFile(repoPath(driftPolicy), []byte(out), 0o644))
	}
	want, err := os.ReadFile(repoPath(driftPolicy))
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "%s is stale: go test ./cmd/provisioner -run TestDeploy -update", driftPolicy)
}

// TestDockerfile: the image's Go matches go.mod's, and it runs as nonroot on distroless static.
func TestDockerfile(t *testing.T) {
	df, err := os.ReadFile(repoPath("Dockerfile"))
	require.NoError(t, err)
	mod, err := os.ReadFile(repoPath("go.mod"))
	require.NoError(t, err)
	goMod := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	goImage := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\d+\.\d+)\.\d+$`).FindSubmatch(df)
	require.NotNil(t, goMod)
	require.NotNil(t, goImage, "Dockerfile pins GO_VERSION to a patch release")
	assert.Equal(t, string(goMod[1]), string(goImage[1]))
	assert.Contains(t, string(df), "\nFROM gcr.io/distroless/static-debian12:nonroot\n")
	assert.Contains(t, string(df), "\nUSER nonroot:nonroot\n")
	assert.Contains(t, string(df), "RUN make build", "the image's binary embeds the handler zips")
}
