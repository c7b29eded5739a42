package kinds

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
)

// TestEveryKindHasPermissions: each registered kind has an entry whose Calls are exactly the
// SDK operations of the client interfaces the kind holds, so a new call cannot be made without
// the policy command granting it.
func TestEveryKindHasPermissions(t *testing.T) {
	reg := Registry(aws.Config{Region: "us-east-1"}, "123456789012", nil)
	seen := map[string]bool{}
	for _, k := range reg {
		seen[k.Kind()] = true
		t.Run(k.Kind(), func(t *testing.T) {
			p, ok := KindPermissions[k.Kind()]
			require.True(t, ok, "no entry in KindPermissions")
			var inner any = k
			if u, ok := k.(interface{ Unwrap() any }); ok {
				inner = u.Unwrap() // the typed kind behind reconcile.Adapt
			}
			ops := sdkOperations(reflect.TypeOf(inner), map[reflect.Type]bool{})
			require.NotEmpty(t, ops, "found no SDK client interface in the kind")
			assert.ElementsMatch(t, ops, p.Calls, "Calls must be the operations the kind's clients have")
			for _, d := range p.Discover {
				assert.Contains(t, p.Calls, d, "Discover names a call")
				assert.True(t, reconcile.IsReadOnlyOperation(d), "discovery only reads: %s", d)
			}
			for _, d := range p.Destroy {
				assert.Contains(t, p.Calls, d, "Destroy names a call")
			}
			assert.NotEmpty(t, p.TypeARNs)
		})
	}
	for kind := range KindPermissions {
		assert.True(t, seen[kind], "KindPermissions has %s, which is not registered", kind)
	}
}

var ctxType = reflect.TypeOf((*context.Context)(nil)).Elem()

// sdkOperations lists the methods op(ctx, *XInput, ...) of every interface-typed field reachable
// from t through struct fields.
func sdkOperations(t reflect.Type, visited map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if visited[t] {
		return nil
	}
	visited[t] = true
	var ops []string
	switch t.Kind() {
	case reflect.Interface:
		for i := range t.NumMethod() {
			m := t.Method(i)
			if m.Type.NumIn() >= 2 && m.Type.In(0) == ctxType && strings.HasSuffix(m.Type.In(1).String(), "Input") {
				ops = append(ops, m.Name)
			}
		}
	case reflect.Struct:
		for i := range t.NumField() {
			for _, op := range sdkOperations(t.Field(i).Type, visited) {
				if !slices.Contains(ops, op) {
					ops = append(ops, op)
				}
			}
		}
	}
	return ops
}

func loadWebhook(t *testing.T) *spec.Stack {
	t.Helper()
	st, err := spec.Load("../../examples/webhook.yaml", spec.Options{Suffix: "prod"})
	require.NoError(t, err)
	return st
}

func policyActions(doc PolicyDocument) map[string][]string {
	out := map[string][]string{}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			out[a] = append(out[a], s.Resource...)
		}
	}
	return out
}

func TestPolicyPerCommand(t *testing.T) {
	st := loadWebhook(t)
	drift, err := Policy(st, "drift", "123456789012")
	require.NoError(t, err)
	apply, err := Policy(st, "apply", "123456789012")
	require.NoError(t, err)
	destroy, err := Policy(st, "destroy", "123456789012")
	require.NoError(t, err)

	d := policyActions(drift)
	for a := range d {
		op := strings.SplitN(a, ":", 2)[1]
		assert.True(t, op == "GET" || reconcile.IsReadOnlyOperation(op) || op == "ListBucket", "drift only reads, found %s", a)
	}
	assert.Contains(t, d["lambda:GetFunction"], "arn:aws:lambda:us-east-1:123456789012:function:webhook-receiver-prod", "own reads are scoped to the spec's names")
	assert.NotContains(t, d["lambda:GetFunction"], "arn:aws:lambda:us-east-1:123456789012:function:*")
	assert.Equal(t, []string{"arn:aws:iam::123456789012:role/*"}, d["iam:GetRole"], "discovery reads every candidate role, tags and all")
	assert.Equal(t, []string{"*"}, d["iam:GetAccountAuthorizationDetails"], "every role's details in one read, which has no resource-level permission")
	assert.Equal(t, []string{"*"}, d["ec2:DescribeVpcs"], "ec2:Describe* has no resource-level permissions")

	a := policyActions(apply)
	assert.Contains(t, a, "lambda:CreateFunction")
	assert.Contains(t, a["iam:PassRole"], "arn:aws:iam::123456789012:role/webhook-receiver-role-prod")
	assert.Contains(t, a, "apigateway:POST")
	x := policyActions(destroy)
	assert.Contains(t, x, "lambda:DeleteFunction")
	assert.Contains(t, x, "s3:DeleteObjectVersion", "emptying a versioned bucket")
	assert.NotContains(t, x, "lambda:CreateFunction")
	assert.NotContains(t, x, "iam:PassRole")

	_, err = Policy(st, "plan", "*")
	assert.ErrorContains(t, err, `policy for "plan": want one of drift, apply, destroy`)
}
