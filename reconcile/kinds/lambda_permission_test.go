package kinds

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- integration tests against the emulator ----

// fnTestFunction creates a function of stack o.Stack and suffix o.Suffix through the
// lambda.function kind, and returns it.
func fnTestFunction(t *testing.T, o state.Owner, logical string) state.Resource {
	t.Helper()
	k, _ := integrationLambdaFn(t)
	fo := state.Owner{Stack: o.Stack, Suffix: o.Suffix, ID: logical}
	p := fnDefaults()
	p.Handler = logical
	p.Role = fnTestRole(t, logical+"-role-"+o.Suffix)
	fn, err := tk[spec.LambdaFunction](k).Create(context.Background(), desired(fo, o.Stack+"-"+logical+"-"+o.Suffix, p))
	require.NoError(t, err, "create the permission's function")
	t.Cleanup(func() { _ = k.Delete(context.Background(), fn) })
	return fn
}

func TestLambdaPermissionLifecycle(t *testing.T) {
	_, client := integrationLambdaFn(t)
	k := NewLambdaPermission(client)
	o := testOwner(t, "api-invoke")
	fn := fnTestFunction(t, o, "receiver")
	p := &spec.LambdaPermission{Function: fn.Attrs["name"], Action: "lambda:InvokeFunction",
		Principal: "apigateway.amazonaws.com", SourceARN: "arn:aws:execute-api:us-east-1:123456789012:abc/*/*"}
	d := desired(o, o.Stack+"-api-invoke-"+o.Suffix, p)

	checkLifecycle(t, tk[spec.LambdaPermission](k), d, nil) // every property forces a replacement: no update in place

	// A permission naming its function by ARN is the same permission.
	byARN := *p
	byARN.Function = fn.Attrs["arn"]
	created, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(o, d.Name, &byARN))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), created) })
	live := findOne(t, tk[spec.LambdaPermission](k), state.Selector{Stack: o.Stack, Suffix: o.Suffix}, o.ID)
	assert.Empty(t, tk[spec.LambdaPermission](k).Diff(d, live))
	assert.Equal(t, map[string]string{"statement_id": d.Name}, live.Attrs)
	fnAssertNotListed(t, tk[spec.LambdaPermission](k), o)
}

func TestLambdaPermissionRefusesAFunctionWithoutOurTags(t *testing.T) {
	_, client := integrationLambdaFn(t)
	k := NewLambdaPermission(client)
	ctx := context.Background()
	o := testOwner(t, "api-invoke")
	foreign := "foreign-" + o.Suffix
	_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(foreign), Role: aws.String(fnTestRole(t, "role-"+o.Suffix)), Runtime: types.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: fnTestZip("foreign")},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String(foreign)})
	})

	p := &spec.LambdaPermission{Function: foreign, Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com"}
	_, err = tk[spec.LambdaPermission](k).Create(ctx, desired(o, o.Stack+"-api-invoke-"+o.Suffix, p))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Contains(t, err.Error(), foreign)
	_, err = client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(foreign)})
	assert.True(t, awscall.Is(err, fnNotFound), "no statement was added: %v", err)
}

// ---- unit tests with the hand-written fake ----

func unitLambdaPerm(api LambdaPermissionAPI) *LambdaPermission {
	k := NewLambdaPermission(api)
	k.wait = reconcile.InstantBackoff
	return k
}

const fnPermSource = "arn:aws:execute-api:us-east-1:000000000000:abc/*/*"

func fnPermProps() *spec.LambdaPermission {
	return &spec.LambdaPermission{Function: "shop-receiver-dev", Action: "lambda:InvokeFunction",
		Principal: "apigateway.amazonaws.com", SourceARN: fnPermSource}
}

// fnPermFixture is a fnMemLambda with function shop-receiver-dev of stack shop, suffix dev.
func fnPermFixture(t *testing.T) (map[string]*fnMem, *fakeLambdaFn, *LambdaPermission) {
	t.Helper()
	fns := map[string]*fnMem{}
	fnOurFunction(t, fns, miscOwner("receiver"), "shop-receiver-dev", fnUnitProps())
	fns["shop-receiver-dev"].tags["Project"] = "kindtest"
	f := fnMemLambda(fns)
	return fns, f, unitLambdaPerm(f)
}

func TestLambdaPermissionDiff(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *spec.LambdaPermission)
		paths  []string
	}{
		{name: "no change", change: func(*spec.LambdaPermission) {}},
		{name: "function by ARN", change: func(p *spec.LambdaPermission) { p.Function = fnMemARN + "shop-receiver-dev" }},
		{name: "function", change: func(p *spec.LambdaPermission) { p.Function = "shop-processor-dev" }, paths: []string{"function"}},
		{name: "action", change: func(p *spec.LambdaPermission) { p.Action = "lambda:GetFunction" }, paths: []string{"action"}},
		{name: "principal", change: func(p *spec.LambdaPermission) { p.Principal = "events.amazonaws.com" }, paths: []string{"principal"}},
		{name: "source arn", change: func(p *spec.LambdaPermission) { p.SourceARN = "" }, paths: []string{"source_arn"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, live := fnPermProps(), fnPermProps()
			live.Function = fnMemARN + "shop-receiver-dev" // a statement names its function by ARN
			c.change(want)
			var paths []string
			for _, d := range tk[spec.LambdaPermission](unitLambdaPerm(nil)).Diff(desired(miscOwner("api-invoke"), "shop-api-invoke-dev", want), state.Resource{Props: live}) {
				paths = append(paths, d.Path)
				assert.True(t, d.ForceNew, "a statement cannot change: %s", d.Path)
			}
			assert.Equal(t, c.paths, paths)
		})
	}
}

func TestLambdaPermissionCreate(t *testing.T) {
	fns, f, k := fnPermFixture(t)
	o := miscOwner("api-invoke")
	d := desired(o, "shop-api-invoke-dev", fnPermProps())
	var sent *lambda.AddPermissionInput
	add := f.addPermission
	f.addPermission = func(in *lambda.AddPermissionInput) (*lambda.AddPermissionOutput, error) { sent = in; return add(in) }

	got, err := tk[spec.LambdaPermission](k).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, &lambda.AddPermissionInput{FunctionName: aws.String("shop-receiver-dev"), StatementId: aws.String("shop-api-invoke-dev"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(fnPermSource)}, sent)
	assert.Empty(t, tk[spec.LambdaPermission](k).Diff(d, got))
	assert.Equal(t, o, got.Owner)
	assert.Equal(t, "shop-receiver-dev/shop-api-invoke-dev", got.ID)
	assert.Equal(t, map[string]string{"statement_id": "shop-api-invoke-dev"}, got.Attrs)
	assert.Equal(t, d.Tags, got.Tags, "the ownership tags and the function's user tags")
	assert.Len(t, fns["shop-receiver-dev"].policy, 1)

	_, err = tk[spec.LambdaPermission](k).Create(context.Background(), d)
	require.NoError(t, err, "a statement that says the same is adopted")
	assert.Equal(t, 1, f.calls.count("AddPermission"))
	assert.Len(t, fns["shop-receiver-dev"].policy, 1)
}

func TestLambdaPermissionCreateRefusesAFunctionOfAnotherOwner(t *testing.T) {
	for name, tags := range map[string]map[string]string{
		"untagged":     {"Team": "x"},
		"other suffix": state.Owner{Stack: "shop", Suffix: "prod", ID: "receiver"}.Tags(),
		"other stack":  state.Owner{Stack: "blog", Suffix: "dev", ID: "receiver"}.Tags(),
	} {
		t.Run(name, func(t *testing.T) {
			fns, f, k := fnPermFixture(t)
			fns["shop-receiver-dev"].tags = tags
			_, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(miscOwner("api-invoke"), "shop-api-invoke-dev", fnPermProps()))
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "shop-receiver-dev")
			f.calls.none(t, "AddPermission", "RemovePermission")
		})
	}
	t.Run("missing function", func(t *testing.T) {
		_, f, k := fnPermFixture(t)
		p := fnPermProps()
		p.Function = "nope"
		_, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(miscOwner("api-invoke"), "shop-api-invoke-dev", p))
		require.ErrorIs(t, err, reconcile.ErrNotFound)
		f.calls.none(t, "AddPermission")
	})
}

func TestLambdaPermissionCreateWithADifferentStatementOfThatID(t *testing.T) {
	fns, f, k := fnPermFixture(t)
	fns["shop-receiver-dev"].policy = []map[string]any{
		fnMemStatement("shop-api-invoke-dev", fnMemARN+"shop-receiver-dev", "lambda:InvokeFunction", "events.amazonaws.com", ""),
	}
	_, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(miscOwner("api-invoke"), "shop-api-invoke-dev", fnPermProps()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "differs in principal, source_arn")
	f.calls.none(t, "AddPermission", "RemovePermission")
}

// ResourceConflictException from AddPermission is either a statement of that id added since
// our read (decided like an existing one) or a policy change in progress (retried).
func TestLambdaPermissionCreateConflicts(t *testing.T) {
	t.Run("added meanwhile, the same", func(t *testing.T) {
		fns, f, k := fnPermFixture(t)
		add := f.addPermission
		f.addPermission = func(in *lambda.AddPermissionInput) (*lambda.AddPermissionOutput, error) {
			_, _ = add(in) // the other writer
			return add(in)
		}
		_, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(miscOwner("api-invoke"), "shop-api-invoke-dev", fnPermProps()))
		require.NoError(t, err)
		assert.Len(t, fns["shop-receiver-dev"].policy, 1)
	})
	t.Run("policy busy", func(t *testing.T) {
		fns, f, k := fnPermFixture(t)
		add := f.addPermission
		f.addPermission = func(in *lambda.AddPermissionInput) (*lambda.AddPermissionOutput, error) {
			if f.calls.count("AddPermission") < 3 {
				return nil, fnAPIErr(fnConflict, "The operation cannot be performed at this time. An update is in progress for resource")
			}
			return add(in)
		}
		_, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(miscOwner("api-invoke"), "shop-api-invoke-dev", fnPermProps()))
		require.NoError(t, err)
		assert.Equal(t, 3, f.calls.count("AddPermission"))
		assert.Len(t, fns["shop-receiver-dev"].policy, 1)
	})
}

func TestLambdaPermissionList(t *testing.T) {
	fns := map[string]*fnMem{}
	fnOurFunction(t, fns, miscOwner("receiver"), "shop-receiver-dev", fnUnitProps())
	fnOurFunction(t, fns, state.Owner{Stack: "shop", Suffix: "prod", ID: "receiver"}, "shop-receiver-prod", fnUnitProps())
	fnOurFunction(t, fns, miscOwner("processor"), "shop-processor-dev", fnUnitProps()) // no policy at all
	fnOurFunction(t, fns, miscOwner("other"), "foreign", fnUnitProps())
	fns["foreign"].tags = map[string]string{"Team": "x"}
	arn := fnMemARN + "shop-receiver-dev"
	fns["shop-receiver-dev"].policy = []map[string]any{
		fnMemStatement("shop-api-invoke-dev", arn, "lambda:InvokeFunction", "apigateway.amazonaws.com", fnPermSource),
		fnMemStatement("shop-cross-account-dev", arn, "lambda:InvokeFunction", "111122223333", ""),
		fnMemStatement("console-added", arn, "lambda:InvokeFunction", "events.amazonaws.com", ""),
		fnMemStatement("shop--dev", arn, "lambda:InvokeFunction", "events.amazonaws.com", ""),
	}
	fns["shop-receiver-prod"].policy = []map[string]any{
		fnMemStatement("shop-api-invoke-prod", fnMemARN+"shop-receiver-prod", "lambda:InvokeFunction", "apigateway.amazonaws.com", ""),
	}
	fns["foreign"].policy = []map[string]any{
		fnMemStatement("shop-api-invoke-dev", fnMemARN+"foreign", "lambda:InvokeFunction", "apigateway.amazonaws.com", ""),
	}
	f := fnMemLambda(fns)

	got, err := unitLambdaPerm(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	byID := map[string]state.Resource{}
	for _, r := range got {
		byID[r.Owner.ID] = r
	}
	require.Len(t, byID, 2, "only statements of the default name shape on functions of this stack and suffix: %v", got)
	invoke := byID["api-invoke"]
	assert.Equal(t, state.Owner{Stack: "shop", Suffix: "dev", ID: "api-invoke"}, invoke.Owner)
	assert.Equal(t, &spec.LambdaPermission{Function: arn, Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com", SourceARN: fnPermSource}, invoke.Props)
	assert.Equal(t, "111122223333", byID["cross-account"].Props.(*spec.LambdaPermission).Principal, "an account principal reads back as the account id")
	assert.Equal(t, 2, f.calls.count("GetPolicy"), "one policy read per function of the selector, none for others")
}

func TestLambdaPermissionParsePolicy(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Sid":"a","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:1:function:f:$LATEST"},
		{"Sid":"b","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/u"},"Action":["lambda:InvokeFunction"],"Resource":"arn:aws:lambda:us-east-1:1:function:f",
		 "Condition":{"ArnLike":{"AWS:SourceArn":["arn:aws:sns:us-east-1:1:t"]},"StringEquals":{"AWS:SourceAccount":"1"}}}]}`
	got, err := fnParsePolicy(doc)
	require.NoError(t, err)
	assert.Equal(t, []fnStatement{
		{Sid: "a", Resource: "arn:aws:lambda:us-east-1:1:function:f", Action: "lambda:InvokeFunction", Principal: "*"},
		{Sid: "b", Resource: "arn:aws:lambda:us-east-1:1:function:f", Action: "lambda:InvokeFunction", Principal: "arn:aws:iam::111122223333:user/u",
			SourceARN: "arn:aws:sns:us-east-1:1:t"},
	}, got)
	_, err = fnParsePolicy("{not json")
	assert.Error(t, err)
}

func TestLambdaPermissionLogicalOf(t *testing.T) {
	tags := state.Owner{Stack: "shop", Suffix: "dev", ID: "receiver"}.Tags()
	for sid, want := range map[string]string{"shop-api-invoke-dev": "api-invoke", "shop-x-dev": "x", "shop--dev": "", "shop-dev": "", "blog-x-dev": "", "shop-x-prod": ""} {
		got, ok := fnLogicalOf(sid, tags)
		assert.Equal(t, want != "", ok, sid)
		assert.Equal(t, want, got, sid)
	}
}

func TestLambdaPermissionUpdate(t *testing.T) {
	o := miscOwner("api-invoke")
	t.Run("tags only: nothing to write", func(t *testing.T) {
		_, f, k := fnPermFixture(t)
		d := desired(o, "shop-api-invoke-dev", fnPermProps())
		live, err := tk[spec.LambdaPermission](k).Create(context.Background(), d)
		require.NoError(t, err)
		d.Tags["Team"] = "new"
		got, err := tk[spec.LambdaPermission](k).Update(context.Background(), d, live)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.LambdaPermission](k).Diff(d, got))
		assert.Equal(t, 1, f.calls.count("AddPermission"))
		f.calls.none(t, "RemovePermission")
	})
	t.Run("a property: remove and add", func(t *testing.T) {
		fns, f, k := fnPermFixture(t)
		live, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(o, "shop-api-invoke-dev", fnPermProps()))
		require.NoError(t, err)
		p := fnPermProps()
		p.SourceARN = ""
		d := desired(o, "shop-api-invoke-dev", p)
		got, err := tk[spec.LambdaPermission](k).Update(context.Background(), d, live)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.LambdaPermission](k).Diff(d, got))
		assert.Equal(t, 1, f.calls.count("RemovePermission"))
		assert.Len(t, fns["shop-receiver-dev"].policy, 1)
	})
}

func TestLambdaPermissionDelete(t *testing.T) {
	o := miscOwner("api-invoke")
	setup := func(t *testing.T) (map[string]*fnMem, *fakeLambdaFn, *LambdaPermission, state.Resource) {
		fns, f, k := fnPermFixture(t)
		live, err := tk[spec.LambdaPermission](k).Create(context.Background(), desired(o, "shop-api-invoke-dev", fnPermProps()))
		require.NoError(t, err)
		return fns, f, k, live
	}
	t.Run("removes and waits until gone", func(t *testing.T) {
		fns, f, k, live := setup(t)
		get := f.getPolicy
		reads := 0
		f.getPolicy = func(in *lambda.GetPolicyInput) (*lambda.GetPolicyOutput, error) {
			if f.calls.count("RemovePermission") > 0 {
				if reads++; reads < 3 { // the policy still shows it for a moment
					b, _ := json.Marshal(map[string]any{"Statement": []any{fnMemStatement("shop-api-invoke-dev", "arn", "a", "p.amazonaws.com", "")}})
					return &lambda.GetPolicyOutput{Policy: aws.String(string(b))}, nil
				}
			}
			return get(in)
		}
		require.NoError(t, k.Delete(context.Background(), live))
		assert.Empty(t, fns["shop-receiver-dev"].policy)
		assert.Equal(t, 3, reads)
	})
	t.Run("statement already gone", func(t *testing.T) {
		fns, _, k, live := setup(t)
		fns["shop-receiver-dev"].policy = nil
		require.NoError(t, k.Delete(context.Background(), live))
	})
	t.Run("function already gone", func(t *testing.T) {
		fns, f, k, live := setup(t)
		delete(fns, "shop-receiver-dev")
		require.NoError(t, k.Delete(context.Background(), live))
		f.calls.none(t, "RemovePermission")
	})
	t.Run("a policy change in progress is waited out", func(t *testing.T) {
		fns, f, k, live := setup(t)
		remove := f.removePermission
		f.removePermission = func(in *lambda.RemovePermissionInput) (*lambda.RemovePermissionOutput, error) {
			if f.calls.count("RemovePermission") < 3 {
				return nil, fnAPIErr(fnConflict, "An update is in progress for resource")
			}
			return remove(in)
		}
		require.NoError(t, k.Delete(context.Background(), live))
		assert.Empty(t, fns["shop-receiver-dev"].policy)
	})
	t.Run("refuses when the function is no longer ours", func(t *testing.T) {
		fns, f, k, live := setup(t)
		fns["shop-receiver-dev"].tags = map[string]string{"Team": "x"}
		err := k.Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "RemovePermission")
		assert.Len(t, fns["shop-receiver-dev"].policy, 1)
	})
}
