package kinds

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// memParam is one parameter the SSM fake keeps.
type memParam struct {
	value, typ, description, key string
	version                      int64
	tags                         map[string]string
}

// memSSM is an in-memory SSM serving exactly SSMParameterAPI, with SSM's rules: PutParameter
// without Overwrite refuses an existing name, with Overwrite refuses tags; KeyId defaults to
// alias/aws/ssm for a SecureString. puts records every PutParameter.
type memSSM struct {
	params map[string]*memParam
	puts   []ssm.PutParameterInput

	mu       sync.Mutex // List reads tags at once
	tagReads []string
}

func ssmErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (m *memSSM) PutParameter(_ context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	m.puts = append(m.puts, *in)
	name := aws.ToString(in.Name)
	p, exists := m.params[name]
	switch {
	case exists && !aws.ToBool(in.Overwrite):
		return nil, ssmErr(awscall.ParameterAlreadyExists)
	case aws.ToBool(in.Overwrite) && len(in.Tags) > 0:
		return nil, ssmErr(awscall.ValidationException)
	case !exists:
		p = &memParam{tags: awscall.TagMap(in.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })}
		m.params[name] = p
	}
	p.value, p.typ, p.description, p.key = aws.ToString(in.Value), string(in.Type), aws.ToString(in.Description), aws.ToString(in.KeyId)
	if p.key == "" && in.Type == types.ParameterTypeSecureString {
		p.key = ssmDefaultKey
	}
	p.version++
	return &ssm.PutParameterOutput{Version: p.version}, nil
}

func (m *memSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	p, ok := m.params[aws.ToString(in.Name)]
	if !ok {
		return nil, ssmErr(awscall.ParameterNotFound)
	}
	return &ssm.GetParameterOutput{Parameter: &types.Parameter{Name: in.Name, Value: aws.String(p.value), Type: types.ParameterType(p.typ)}}, nil
}

func (m *memSSM) DescribeParameters(_ context.Context, in *ssm.DescribeParametersInput, _ ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error) {
	f := in.ParameterFilters[0]
	out := &ssm.DescribeParametersOutput{}
	for name, p := range m.params {
		key := aws.ToString(f.Key)
		match := (key == "Name" && name == f.Values[0]) ||
			(strings.HasPrefix(key, "tag:") && p.tags[strings.TrimPrefix(key, "tag:")] == f.Values[0])
		if match {
			out.Parameters = append(out.Parameters, types.ParameterMetadata{Name: aws.String(name),
				ARN: aws.String("arn:aws:ssm:eu-west-1:111122223333:parameter" + name), Type: types.ParameterType(p.typ),
				Description: aws.String(p.description), KeyId: aws.String(p.key), Version: p.version})
		}
	}
	return out, nil
}

func (m *memSSM) tagsOf(id *string) (map[string]string, error) {
	p, ok := m.params[aws.ToString(id)]
	if !ok {
		return nil, ssmErr(awscall.InvalidResourceID)
	}
	return p.tags, nil
}

func (m *memSSM) ListTagsForResource(_ context.Context, in *ssm.ListTagsForResourceInput, _ ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error) {
	m.mu.Lock()
	m.tagReads = append(m.tagReads, aws.ToString(in.ResourceId))
	m.mu.Unlock()
	return memListTags(m.tagsOf, func(in *ssm.ListTagsForResourceInput) *string { return in.ResourceId },
		func(tags map[string]string) *ssm.ListTagsForResourceOutput {
			return &ssm.ListTagsForResourceOutput{TagList: awscall.TagList(tags, func(k, v *string) types.Tag { return types.Tag{Key: k, Value: v} })}
		})(in)
}

func (m *memSSM) AddTagsToResource(_ context.Context, in *ssm.AddTagsToResourceInput, _ ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error) {
	return memTag(m.tagsOf, func(in *ssm.AddTagsToResourceInput) (*string, map[string]string) {
		return in.ResourceId, awscall.TagMap(in.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	}, &ssm.AddTagsToResourceOutput{})(in)
}

func (m *memSSM) RemoveTagsFromResource(_ context.Context, in *ssm.RemoveTagsFromResourceInput, _ ...func(*ssm.Options)) (*ssm.RemoveTagsFromResourceOutput, error) {
	return memUntag(m.tagsOf, func(in *ssm.RemoveTagsFromResourceInput) (*string, []string) { return in.ResourceId, in.TagKeys },
		&ssm.RemoveTagsFromResourceOutput{})(in)
}

func (m *memSSM) DeleteParameter(_ context.Context, in *ssm.DeleteParameterInput, _ ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error) {
	if _, ok := m.params[aws.ToString(in.Name)]; !ok {
		return nil, ssmErr(awscall.ParameterNotFound)
	}
	delete(m.params, aws.ToString(in.Name))
	return &ssm.DeleteParameterOutput{}, nil
}

// fakeKeyValues serves GetApiKey with one key's value, and only when asked for the value.
type fakeKeyValues struct{ id, value string }

func (f fakeKeyValues) GetApiKey(_ context.Context, in *apigateway.GetApiKeyInput, _ ...func(*apigateway.Options)) (*apigateway.GetApiKeyOutput, error) {
	if aws.ToString(in.ApiKey) != f.id {
		return nil, ssmErr(awscall.NotFoundException)
	}
	out := &apigateway.GetApiKeyOutput{Id: in.ApiKey}
	if aws.ToBool(in.IncludeValue) {
		out.Value = aws.String(f.value)
	}
	return out, nil
}

func unitSSM(m *memSSM) *SSMParameter {
	k := NewSSMParameter(m, fakeKeyValues{id: "k1", value: "key-value-0123456789abcdefghij"}, "eu-west-1", "111122223333")
	k.wait = reconcile.InstantBackoff
	return k
}

func ssmDefaults() *spec.SSMParameter {
	return &spec.SSMParameter{Type: "SecureString", InitialValue: "generate", Description: "stripe signing secret"}
}

const ssmName = "/shop-dev/providers/stripe/secret"

// assertNoValue fails when value appears anywhere in r.
func assertNoValue(t *testing.T, r state.Resource, value string) {
	t.Helper()
	assert.NotContains(t, fmt.Sprintf("%+v %+v", r, r.Props), value, "the value is never in a resource")
}

func TestSSMParameterCreateGenerates(t *testing.T) {
	m := &memSSM{params: map[string]*memParam{}}
	d := desired(miscOwner("stripe-secret"), ssmName, ssmDefaults())
	got, err := tk[spec.SSMParameter](unitSSM(m)).Create(context.Background(), d)
	require.NoError(t, err)

	require.Len(t, m.puts, 1, "one PutParameter, tags included")
	assert.False(t, aws.ToBool(m.puts[0].Overwrite), "a create never overwrites")
	p := m.params[ssmName]
	raw, err := base64.RawURLEncoding.DecodeString(p.value)
	require.NoError(t, err)
	assert.Len(t, raw, 32)
	assert.Equal(t, d.Tags, p.tags)
	assert.Equal(t, "SecureString", p.typ)
	assertNoValue(t, got, p.value)
	assert.Equal(t, map[string]string{"arn": "arn:aws:ssm:eu-west-1:111122223333:parameter" + ssmName, "name": ssmName}, got.Attrs)
	assert.Empty(t, tk[spec.SSMParameter](unitSSM(m)).Diff(d, got), "the default key reads back as empty kms_key_id")

	other := desired(miscOwner("github-secret"), "/shop-dev/providers/github/secret", ssmDefaults())
	_, err = tk[spec.SSMParameter](unitSSM(m)).Create(context.Background(), other)
	require.NoError(t, err)
	assert.NotEqual(t, p.value, m.params[other.Name].value, "each parameter gets its own random value")
}

func TestSSMParameterInitialValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props *spec.SSMParameter
		want  string
	}{
		{"placeholder", &spec.SSMParameter{Type: "SecureString", InitialValue: "placeholder"}, spec.SSMPlaceholder},
		{"api key", &spec.SSMParameter{Type: "SecureString", InitialValue: "api_key", APIKey: "k1"}, "key-value-0123456789abcdefghij"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &memSSM{params: map[string]*memParam{}}
			got, err := tk[spec.SSMParameter](unitSSM(m)).Create(context.Background(), desired(miscOwner("p"), ssmName, tc.props))
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.params[ssmName].value)
			assertNoValue(t, got, tc.want)
		})
	}
	m := &memSSM{params: map[string]*memParam{}}
	_, err := tk[spec.SSMParameter](unitSSM(m)).Create(context.Background(),
		desired(miscOwner("p"), ssmName, &spec.SSMParameter{Type: "SecureString", InitialValue: "api_key", APIKey: "k-gone"}))
	require.Error(t, err)
	assert.Empty(t, m.params, "no parameter without its value")
}

// A value a person set is never replaced: not by a second create (adoption), not by an
// update of the settings, and a diff never mentions it.
func TestSSMParameterKeepsAValueAPersonSet(t *testing.T) {
	m := &memSSM{params: map[string]*memParam{}}
	k := tk[spec.SSMParameter](unitSSM(m))
	d := desired(miscOwner("stripe-secret"), ssmName, ssmDefaults())
	created, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	m.params[ssmName].value = "whsec_set_by_a_person" // as `aws ssm put-parameter --overwrite` would

	adopted, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, created.ID, adopted.ID)
	assert.Equal(t, "whsec_set_by_a_person", m.params[ssmName].value, "adoption keeps the value")

	d2 := d
	d2.Props = &spec.SSMParameter{Type: "SecureString", InitialValue: "placeholder", Description: "rotated"}
	diffs := k.Diff(d2, created)
	require.Len(t, diffs, 1, "initial_value is not compared")
	assert.Equal(t, "description", diffs[0].Path)
	updated, err := k.Update(context.Background(), d2, created)
	require.NoError(t, err)
	assert.Equal(t, "rotated", m.params[ssmName].description)
	assert.Equal(t, "whsec_set_by_a_person", m.params[ssmName].value, "an update puts the same value back")
	assertNoValue(t, updated, "whsec_set_by_a_person")

	d3 := d2
	d3.Tags = map[string]string{"Team": "payments"}
	for k, v := range d.Owner.Tags() {
		d3.Tags[k] = v
	}
	puts := len(m.puts)
	_, err = k.Update(context.Background(), d3, updated)
	require.NoError(t, err)
	assert.Len(t, m.puts, puts, "a tag change writes no value")
	assert.Equal(t, d3.Tags, m.params[ssmName].tags)
}

func TestSSMParameterRefusesForeign(t *testing.T) {
	m := &memSSM{params: map[string]*memParam{ssmName: {value: "theirs", typ: "SecureString", key: ssmDefaultKey, version: 1,
		tags: map[string]string{"Team": "someone-else"}}}}
	k := tk[spec.SSMParameter](unitSSM(m))
	d := desired(miscOwner("stripe-secret"), ssmName, ssmDefaults())
	_, err := k.Create(context.Background(), d)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	live := state.Resource{Kind: "ssm.parameter", Owner: d.Owner, ID: ssmName, Name: ssmName, Props: ssmDefaults()}
	require.ErrorIs(t, k.Delete(context.Background(), live), reconcile.ErrNotOwned)
	assert.Equal(t, "theirs", m.params[ssmName].value)
	assert.Equal(t, map[string]string{"Team": "someone-else"}, m.params[ssmName].tags)

	got, err := k.List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	assert.Empty(t, got, "a parameter without our tags is not listed")
}

// TestSSMParameterListSkipsTheLock: the stack lock's parameters carry the suffix tag, so the
// tag filter returns them; List leaves them out without reading their tags.
func TestSSMParameterListSkipsTheLock(t *testing.T) {
	o := miscOwner("stripe-secret")
	lock := state.LockPath(o.Suffix) + "/" + o.Stack
	m := &memSSM{params: map[string]*memParam{
		ssmName: {value: "ours", typ: "SecureString", key: ssmDefaultKey, version: 1, tags: o.Tags()},
		lock: {value: "{}", typ: "String", version: 1,
			tags: map[string]string{state.TagStack: o.Stack, state.TagSuffix: o.Suffix, state.TagLock: "holder"}},
	}}
	got, err := tk[spec.SSMParameter](unitSSM(m)).List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, ssmName, got[0].Name)
	assert.Equal(t, []string{ssmName}, m.tagReads, "the lock's tags are not read")
}

// TestSSMParameterCreateReadsTagsOnlyWhenAdopting: a parameter PutParameter made has the
// tags it was sent with, so the read-back reads only its metadata; one that existed is read
// whole, tags included, and adopted only when they are ours.
func TestSSMParameterCreateReadsTagsOnlyWhenAdopting(t *testing.T) {
	o := miscOwner("stripe-secret")
	m := &memSSM{params: map[string]*memParam{}}
	k := tk[spec.SSMParameter](unitSSM(m))
	d := desired(o, ssmName, ssmDefaults())
	got, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, d.Tags, got.Tags)
	assert.Equal(t, d.Tags, m.params[ssmName].tags)
	assert.Empty(t, m.tagReads, "a new parameter's tags are not read back")

	_, err = k.Create(context.Background(), d)
	require.NoError(t, err, "an existing parameter of ours is adopted")
	assert.Contains(t, m.tagReads, ssmName, "an existing parameter's tags are read")
}

func TestSSMParameterDelete(t *testing.T) {
	m := &memSSM{params: map[string]*memParam{}}
	k := tk[spec.SSMParameter](unitSSM(m))
	created, err := k.Create(context.Background(), desired(miscOwner("stripe-secret"), ssmName, ssmDefaults()))
	require.NoError(t, err)
	listed, err := k.List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, listed, 1)
	require.NoError(t, k.Delete(context.Background(), listed[0]))
	assert.Empty(t, m.params)
	require.NoError(t, k.Delete(context.Background(), created), "gone already is success")
}
