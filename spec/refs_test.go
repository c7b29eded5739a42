package spec

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupFrom answers references from a table keyed by their written form.
func lookupFrom(values map[string]string) func(Ref) (string, bool) {
	return func(r Ref) (string, bool) {
		v, ok := values[r.String()]
		return v, ok
	}
}

func TestRefs(t *testing.T) {
	tests := []struct {
		in   string
		want []Ref
	}{
		{"plain", nil},
		{"${events.arn}", []Ref{{Resource: "events", Attribute: "arn"}}},
		{"${archive.arn}/*", []Ref{{Resource: "archive", Attribute: "arn"}}},
		{"${stack}-${receiver-role.arn}-${account}", []Ref{
			{Attribute: "stack"}, {Resource: "receiver-role", Attribute: "arn"}, {Attribute: "account"}}},
		{"$${aws:username} and $${events.arn}", nil},
		{"a $ b $$ c", nil},
		{"${events.arn} then ${broken", []Ref{{Resource: "events", Attribute: "arn"}}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Refs(tt.in), tt.in)
	}
}

func TestInterpolate(t *testing.T) {
	lookup := lookupFrom(map[string]string{
		"${events.arn}": "arn:aws:dynamodb:us-east-1:1:table/e",
		"${account}":    "123456789012",
	})
	tests := []struct {
		in, want, err string
	}{
		{in: "${events.arn}/stream/*", want: "arn:aws:dynamodb:us-east-1:1:table/e/stream/*"},
		{in: "arn:aws:s3:::b-${account}", want: "arn:aws:s3:::b-123456789012"},
		{in: "$${aws:username}/${account}", want: "${aws:username}/123456789012"},
		{in: "no refs", want: "no refs"},
		{in: "${api.id}", err: "reference ${api.id}: no value"},
		{in: "${events.arn", err: `unterminated reference "${events.arn": missing the closing }`},
		{in: "${Events}", err: `malformed reference "${Events}"`},
	}
	for _, tt := range tests {
		got, err := Interpolate(tt.in, lookup)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	_, err := Interpolate("${api.id}", lookup)
	assert.True(t, errors.Is(err, ErrUnresolved))
}

func TestResolveDeepCopies(t *testing.T) {
	in := &LambdaFunction{
		Handler:             "receiver",
		Role:                "${role.arn}",
		MemoryMB:            512,
		Environment:         map[string]string{"TABLE": "${events.name}", "${events.name}_KEY": "x"},
		VPC:                 &LambdaVPC{SubnetIDs: []string{"${a.id}", "subnet-literal"}, SecurityGroupIDs: []string{"${sg.id}"}},
		ReservedConcurrency: new(int),
	}
	lookup := lookupFrom(map[string]string{
		"${role.arn}": "arn:role", "${events.name}": "events-dev", "${a.id}": "subnet-1", "${sg.id}": "sg-1",
	})
	out, err := Resolve(in, lookup)
	require.NoError(t, err)
	got, ok := out.(*LambdaFunction)
	require.True(t, ok, "Resolve keeps the concrete type, got %T", out)
	assert.Equal(t, "arn:role", got.Role)
	assert.Equal(t, map[string]string{"TABLE": "events-dev", "events-dev_KEY": "x"}, got.Environment)
	assert.Equal(t, []string{"subnet-1", "subnet-literal"}, got.VPC.SubnetIDs)
	assert.Equal(t, 512, got.MemoryMB)

	assert.Equal(t, "${role.arn}", in.Role, "the input is not changed")
	assert.Equal(t, "${a.id}", in.VPC.SubnetIDs[0])
	assert.Equal(t, "${events.name}", in.Environment["TABLE"])
	assert.NotSame(t, in.VPC, got.VPC)
	assert.NotSame(t, in.ReservedConcurrency, got.ReservedConcurrency)
}

func TestResolveNestedStructs(t *testing.T) {
	in := &IAMRole{Policies: []InlinePolicy{{Name: "p", Statements: []Statement{{
		Actions:   []string{"s3:PutObject"},
		Resources: []string{"${archive.arn}/events/*"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"${account}"}}},
	}}}}}
	out, err := Resolve(in, lookupFrom(map[string]string{"${archive.arn}": "arn:aws:s3:::b", "${account}": "1"}))
	require.NoError(t, err)
	st := out.(*IAMRole).Policies[0].Statements[0]
	assert.Equal(t, []string{"arn:aws:s3:::b/events/*"}, st.Resources)
	assert.Equal(t, []string{"1"}, st.Condition["StringEquals"]["aws:SourceAccount"])
	assert.Equal(t, "${archive.arn}/events/*", in.Policies[0].Statements[0].Resources[0])
}

func TestResolveNamesTheMissingReference(t *testing.T) {
	in := &EventSourceMapping{Function: "${fn.arn}", Source: "${events.stream_arn}"}
	_, err := Resolve(in, lookupFrom(map[string]string{"${fn.arn}": "arn:fn"}))
	require.Error(t, err)
	assert.Equal(t, "resolve lambda.event_source_mapping source: reference ${events.stream_arn}: no value", err.Error())
	assert.ErrorIs(t, err, ErrUnresolved)

	nilOut, err := Resolve(nil, lookupFrom(nil))
	assert.NoError(t, err)
	assert.Nil(t, nilOut)
}

func TestPropsRefs(t *testing.T) {
	p := &LambdaFunction{
		Role:        "${role.arn}",
		Environment: map[string]string{"B": "${events.name}", "A": "${archive.name}-${account}"},
		VPC:         &LambdaVPC{SubnetIDs: []string{"${a.id}", "${a.id}"}},
	}
	assert.Equal(t, []Ref{
		{Attribute: "account"},
		{Resource: "a", Attribute: "id"},
		{Resource: "archive", Attribute: "name"},
		{Resource: "events", Attribute: "name"},
		{Resource: "role", Attribute: "arn"},
	}, PropsRefs(p))
	assert.Nil(t, PropsRefs(nil))
}

func TestRefString(t *testing.T) {
	assert.Equal(t, "${events.arn}", Ref{Resource: "events", Attribute: "arn"}.String())
	assert.Equal(t, "${account}", Ref{Attribute: "account"}.String())
}
