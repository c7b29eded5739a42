package spec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadSuffixFromOptionsOnly(t *testing.T) {
	src := "stack: app\nresources:\n  q: {kind: sqs.queue}\n"
	st, err := Parse("s.yaml", []byte(src), Options{Suffix: "qa"})
	require.NoError(t, err)
	assert.Equal(t, "qa", st.Suffix)
	assert.Equal(t, DefaultRegion, st.Region)
	assert.Nil(t, st.Tags)
	assert.Equal(t, "app-q-qa", st.Resources[0].Name)
	assert.Equal(t, Pos{File: "s.yaml", Line: 3, Col: 3}, st.Resources[0].Pos)
}

// TestLoadExpandsBuiltinsAndKeepsTheRest: ${stack}, ${suffix} and ${region} are gone after
// Load; ${account}, resource references and $${ escapes stay for the engine.
func TestLoadExpandsBuiltinsAndKeepsTheRest(t *testing.T) {
	src := `stack: app
region: eu-west-1
suffix: dev
resources:
  bucket:
    kind: s3.bucket
  role:
    kind: iam.role
    description: ${stack} in ${region} (${suffix})
    assumed_by: [lambda.amazonaws.com]
    policies:
      - name: own-prefix
        statements:
          - actions: [s3:GetObject]
            resources: ["${bucket.arn}/$${aws:username}/*", "arn:aws:s3:::x-${account}"]
`
	st, err := Parse("s.yaml", []byte(src), Options{})
	require.NoError(t, err)
	role := st.Lookup("role").Props.(*IAMRole)
	assert.Equal(t, "app in eu-west-1 (dev)", role.Description)
	res := role.Policies[0].Statements[0].Resources
	assert.Equal(t, []string{"${bucket.arn}/$${aws:username}/*", "arn:aws:s3:::x-${account}"}, res)
	assert.Equal(t, []string{"bucket"}, st.Lookup("role").DependsOn)
	assert.Equal(t, "app-bucket-${account}-dev", st.Lookup("bucket").Name)

	got, err := Interpolate(res[0], lookupFrom(map[string]string{"${bucket.arn}": "arn:aws:s3:::b"}))
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:s3:::b/${aws:username}/*", got)
}

func TestParseIsRepeatable(t *testing.T) {
	src := []byte("stack: app\nsuffix: dev\nresources:\n  a: {kind: sqs.queue, depends_on: [b]}\n  b: {kind: sqs.queue}\n")
	first, err := Parse("s.yaml", src, Options{})
	require.NoError(t, err)
	second, err := Parse("s.yaml", src, Options{})
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.NotSame(t, first.Resources[0].Props, second.Resources[0].Props)
}
