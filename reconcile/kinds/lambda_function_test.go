package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- integration tests against the emulator ----

func integrationLambdaFn(t *testing.T) (*LambdaFunction, *lambda.Client) {
	t.Helper()
	client := lambda.NewFromConfig(emuConfig(t))
	return NewLambdaFunction(client, &fnTestCode{}), client
}

// Moto stores no LoggingConfig, ignores TracingConfig and Architectures on update, and makes up
// a VpcId, so the change below sticks to what moto updates: code, memory, timeout,
// description, environment and reserved concurrency. The default log group
// (/aws/lambda/<name>) reads back from moto as absent, which is the same log group.
func TestLambdaFunctionLifecycle(t *testing.T) {
	k, _ := integrationLambdaFn(t)
	o := testOwner(t, "receiver")
	p := fnDefaults()
	p.Handler = "receiver"
	p.Role = fnTestRole(t, "receiver-role-"+o.Suffix)
	p.Description = "stores webhooks"
	p.Environment = map[string]string{"TABLE": "events"}
	p.Tracing = "Active"
	// Real subnets and a real group from the emulator: LocalStack, like AWS, refuses made-up IDs.
	ec2c, _ := testEC2(t)
	vpc := testVPC(t, ec2c, "10.42.0.0/16")
	subnetA, subnetB := testSubnet(t, ec2c, vpc, "10.42.1.0/24"), testSubnet(t, ec2c, vpc, "10.42.2.0/24")
	sg := testSecurityGroup(t, ec2c, vpc, "fn-"+o.Suffix)
	p.VPC = &spec.LambdaVPC{SubnetIDs: []string{subnetB, subnetA}, SecurityGroupIDs: []string{sg}}
	p.LogGroup = "/aws/lambda/receiver-" + o.Suffix
	d := desired(o, "receiver-"+o.Suffix, p)

	checkLifecycle(t, tk[spec.LambdaFunction](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.LambdaFunction)
		p.Handler = "processor" // other code
		p.MemoryMB = 512
		p.TimeoutSeconds = 30
		p.Description = "archives webhooks"
		p.Environment = map[string]string{"TABLE": "events2", "BUCKET": "archive"}
		p.ReservedConcurrency = aws.Int(5)
		d.Props = &p
		return d
	})
}

func TestLambdaFunctionRefusesUntaggedAndListsBySuffix(t *testing.T) {
	k, client := integrationLambdaFn(t)
	ctx := context.Background()
	o := testOwner(t, "receiver")
	role := fnTestRole(t, "role-"+o.Suffix)

	foreign := "foreign-" + o.Suffix
	_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(foreign), Role: aws.String(role), Runtime: types.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: fnTestZip("foreign")},
		MemorySize: aws.Int32(256), Tags: map[string]string{"Team": "payments"},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteFunction(context.Background(), &lambda.DeleteFunctionInput{FunctionName: aws.String(foreign)})
	})

	p := fnDefaults()
	p.Handler, p.Role = "receiver", role
	_, err = tk[spec.LambdaFunction](k).Create(ctx, desired(o, foreign, p))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Contains(t, err.Error(), foreign)
	cfg, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(foreign)})
	require.NoError(t, err)
	assert.Equal(t, int32(256), aws.ToInt32(cfg.MemorySize), "the foreign function is left untouched")
	assert.Equal(t, fnSHA(fnTestZip("foreign")), aws.ToString(cfg.CodeSha256))
	tags, err := client.ListTags(ctx, &lambda.ListTagsInput{Resource: cfg.FunctionArn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Team": "payments"}, tags.Tags)

	ours, err := tk[spec.LambdaFunction](k).Create(ctx, desired(o, "ours-"+o.Suffix, p))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), ours) })
	assert.Equal(t, "arn:aws:apigateway:"+emuConfig(t).Region+":lambda:path/2015-03-31/functions/"+ours.Attrs["arn"]+"/invocations",
		ours.Attrs["invoke_arn"])
	assert.NotEmpty(t, ours.Attrs["version"])
	fnAssertNotListed(t, tk[spec.LambdaFunction](k), o)
	mine, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1, "the untagged function is not listed")
	assert.Equal(t, ours.ID, mine[0].ID)
}

// ---- unit tests with the hand-written fake ----

func unitLambdaFn(api LambdaFunctionAPI, code LambdaCode) *LambdaFunction {
	k := NewLambdaFunction(api, code)
	k.wait = reconcile.InstantBackoff
	return k
}

// fnUnitProps is a function with every optional property set.
func fnUnitProps() *spec.LambdaFunction {
	p := fnDefaults()
	p.Handler = "receiver"
	p.Role = "arn:aws:iam::000000000000:role/receiver"
	p.Description = "stores webhooks"
	p.Environment = map[string]string{"TABLE": "events"}
	p.VPC = &spec.LambdaVPC{SubnetIDs: []string{"subnet-b", "subnet-a"}, SecurityGroupIDs: []string{"sg-1"}}
	p.Tracing = "Active"
	p.LogGroup = "/custom/receiver"
	return p
}

// fnOurFunction creates fn in fns through the fake, as our Create would have, with o's tags.
func fnOurFunction(t *testing.T, fns map[string]*fnMem, o state.Owner, name string, p *spec.LambdaFunction) {
	t.Helper()
	d := desired(o, name, p)
	_, err := tk[spec.LambdaFunction](unitLambdaFn(fnMemLambda(fns), &fnTestCode{})).Create(context.Background(), d)
	require.NoError(t, err)
}

func TestLambdaFunctionDiff(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *spec.LambdaFunction)
		live   func(p *spec.LambdaFunction)
		paths  []string
	}{
		{name: "no change", change: func(*spec.LambdaFunction) {}},
		{name: "code", change: func(p *spec.LambdaFunction) { p.Handler = "processor" }, paths: []string{"code"}},
		{name: "zip instead of handler", change: func(p *spec.LambdaFunction) { p.Handler, p.Zip = "", "dist/fn.zip" }, paths: []string{"code"}},
		{name: "runtime", change: func(p *spec.LambdaFunction) { p.Runtime = "provided.al2" }, paths: []string{"runtime"}},
		{name: "architecture", change: func(p *spec.LambdaFunction) { p.Architecture = "x86_64" }, paths: []string{"code", "architecture"}},
		{name: "memory", change: func(p *spec.LambdaFunction) { p.MemoryMB = 512 }, paths: []string{"memory_mb"}},
		{name: "timeout", change: func(p *spec.LambdaFunction) { p.TimeoutSeconds = 30 }, paths: []string{"timeout_seconds"}},
		{name: "role", change: func(p *spec.LambdaFunction) { p.Role = "arn:aws:iam::000000000000:role/other" }, paths: []string{"role"}},
		{name: "description", change: func(p *spec.LambdaFunction) { p.Description = "" }, paths: []string{"description"}},
		{name: "environment", change: func(p *spec.LambdaFunction) { p.Environment["TABLE"] = "x" }, paths: []string{"environment"}},
		{name: "environment removed", change: func(p *spec.LambdaFunction) { p.Environment = nil }, paths: []string{"environment"}},
		{name: "vpc order ignored", change: func(p *spec.LambdaFunction) { p.VPC.SubnetIDs = []string{"subnet-a", "subnet-b"} }},
		{name: "vpc subnets", change: func(p *spec.LambdaFunction) { p.VPC.SubnetIDs = []string{"subnet-a"} }, paths: []string{"vpc"}},
		{name: "vpc removed", change: func(p *spec.LambdaFunction) { p.VPC = nil }, paths: []string{"vpc"}},
		{name: "tracing", change: func(p *spec.LambdaFunction) { p.Tracing = "PassThrough" }, paths: []string{"tracing"}},
		{name: "reserved concurrency", change: func(p *spec.LambdaFunction) { p.ReservedConcurrency = aws.Int(5) }, paths: []string{"reserved_concurrency"}},
		{name: "reserved zero is not unreserved", change: func(p *spec.LambdaFunction) { p.ReservedConcurrency = aws.Int(0) }, paths: []string{"reserved_concurrency"}},
		{name: "log group", change: func(p *spec.LambdaFunction) { p.LogGroup = "/custom/other" }, paths: []string{"log_group"}},
		{name: "default log group named or not", change: func(p *spec.LambdaFunction) { p.LogGroup = "" },
			live: func(p *spec.LambdaFunction) { p.LogGroup = "/aws/lambda/receiver-dev" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code := &fnTestCode{}
			k := unitLambdaFn(nil, code)
			want, live := fnUnitProps(), fnUnitProps()
			c.change(want)
			if c.live != nil {
				c.live(live)
			}
			zip, sha, _ := code.Package(context.Background(), live)
			require.NotEmpty(t, zip)
			live.Handler, live.Zip = "", "" // an observed function cannot say its source
			liveRes := state.Resource{Name: "receiver-dev", Props: live, Attrs: map[string]string{"code_sha256": sha}}
			var paths []string
			for _, d := range tk[spec.LambdaFunction](k).Diff(desired(miscOwner("receiver"), "receiver-dev", want), liveRes) {
				paths = append(paths, d.Path)
				assert.False(t, d.ForceNew, "every lambda function property changes in place: %s", d.Path)
			}
			assert.Equal(t, c.paths, paths)
		})
	}
}

func TestLambdaFunctionDiffPackagingErrorAndCache(t *testing.T) {
	code := &fnTestCode{err: assert.AnError}
	k := unitLambdaFn(nil, code)
	p := fnUnitProps()
	diffs := tk[spec.LambdaFunction](k).Diff(desired(miscOwner("receiver"), "receiver-dev", p), state.Resource{Name: "receiver-dev", Props: fnUnitProps(),
		Attrs: map[string]string{"code_sha256": "abc"}})
	require.Len(t, diffs, 1)
	assert.Equal(t, "code", diffs[0].Path)
	assert.Contains(t, diffs[0].Desired, assert.AnError.Error(), "the diff says why the code cannot be packaged")

	code = &fnTestCode{}
	k = unitLambdaFn(nil, code)
	live := state.Resource{Name: "receiver-dev", Props: fnUnitProps()}
	for range 3 {
		tk[spec.LambdaFunction](k).Diff(desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()), live)
	}
	assert.Equal(t, int32(1), code.calls.Load(), "one package per handler and architecture")
	other := fnUnitProps()
	other.Architecture = "x86_64"
	tk[spec.LambdaFunction](k).Diff(desired(miscOwner("receiver"), "receiver-dev", other), live)
	assert.Equal(t, int32(2), code.calls.Load(), "another architecture is another package")
}

func TestLambdaFunctionCreateTagsInCreateCall(t *testing.T) {
	fns := map[string]*fnMem{}
	f := fnMemLambda(fns)
	var sent *lambda.CreateFunctionInput
	create := f.createFunction
	f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
		sent = in
		return create(in)
	}
	o := miscOwner("receiver")
	p := fnUnitProps()
	p.ReservedConcurrency = aws.Int(0)
	d := desired(o, "receiver-dev", p)
	k := unitLambdaFn(f, &fnTestCode{})

	got, err := tk[spec.LambdaFunction](k).Create(context.Background(), d)
	require.NoError(t, err)
	require.NotNil(t, sent)
	assert.Equal(t, d.Tags, sent.Tags, "ownership and user tags go in CreateFunction itself")
	assert.Equal(t, "bootstrap", aws.ToString(sent.Handler))
	assert.Equal(t, []types.Architecture{"arm64"}, sent.Architectures)
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, sent.VpcConfig.SubnetIds)
	assert.Equal(t, &types.LoggingConfig{LogGroup: aws.String("/custom/receiver"), LogFormat: types.LogFormatText}, sent.LoggingConfig)
	assert.Equal(t, types.TracingModeActive, sent.TracingConfig.Mode)
	assert.NotEmpty(t, sent.Code.ZipFile)
	assert.Equal(t, aws.Int32(0), fns["receiver-dev"].conc, "reserved concurrency is put after the create")
	assert.Empty(t, tk[spec.LambdaFunction](k).Diff(d, got))
	assert.Equal(t, o, got.Owner)
	assert.Equal(t, "receiver-dev", got.ID)
	assert.Equal(t, map[string]string{
		"arn": fnMemARN + "receiver-dev", "name": "receiver-dev", "version": "$LATEST", "code_sha256": fnSHA(sent.Code.ZipFile),
		"invoke_arn": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnMemARN + "receiver-dev/invocations",
	}, got.Attrs)
	f.calls.none(t, "UpdateFunctionCode", "UpdateFunctionConfiguration", "TagResource", "UntagResource")
}

// A create observes the function from its answers (the settled configuration, the tags it
// sent, the concurrency it put) exactly as reading it back would, without reading it back.
func TestLambdaFunctionCreateObservesFromTheAnswers(t *testing.T) {
	for _, conc := range []*int{nil, aws.Int(3)} {
		fns := map[string]*fnMem{}
		f := fnMemLambda(fns)
		p := fnUnitProps()
		p.ReservedConcurrency = conc
		p.Environment = map[string]string{"MODE": "dev"}
		k := unitLambdaFn(f, &fnTestCode{})

		got, err := tk[spec.LambdaFunction](k).Create(context.Background(), desired(miscOwner("receiver"), "receiver-dev", p))
		require.NoError(t, err)
		f.calls.none(t, "GetFunction", "ListTags", "GetFunctionConcurrency")
		read, err := k.read(context.Background(), "receiver-dev")
		require.NoError(t, err)
		assert.Equal(t, read, got)
	}
}

// The calls of a cold create, one after another: no lookup before CreateFunction, then the
// wait for Active, which reads the function even when CreateFunction's answer says Active
// (that read shows it visible to what reads it next), then the reserved concurrency (Lambda
// refuses changes to a Pending function).
func TestLambdaFunctionCreateCalls(t *testing.T) {
	active := func(f *fakeLambdaFn) { // CreateFunction answers Active, as moto does
		create := f.createFunction
		f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
			out, err := create(in)
			if out != nil {
				out.State, out.StateReason = types.StateActive, nil
			}
			return out, err
		}
	}
	cases := []struct {
		name  string
		conc  *int
		setup func(f *fakeLambdaFn)
		calls []string
	}{
		{name: "answer Pending (AWS)", calls: []string{"CreateFunction", "GetFunctionConfiguration"}},
		{name: "answer Pending, reserved concurrency", conc: aws.Int(300),
			calls: []string{"CreateFunction", "GetFunctionConfiguration", "PutFunctionConcurrency"}},
		{name: "answer Active (emulators)", setup: active, calls: []string{"CreateFunction", "GetFunctionConfiguration"}},
		{name: "Pending at the first reading", conc: aws.Int(300), setup: func(f *fakeLambdaFn) {
			f.getFunctionConfiguration = fnPendingOnce(f.getFunctionConfiguration)
		}, calls: []string{"CreateFunction", "GetFunctionConfiguration", "GetFunctionConfiguration", "PutFunctionConcurrency"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fns := map[string]*fnMem{}
			f := fnMemLambda(fns)
			if tc.setup != nil {
				tc.setup(f)
			}
			p := fnUnitProps()
			p.ReservedConcurrency = tc.conc
			d := desired(miscOwner("receiver"), "receiver-dev", p)
			k := unitLambdaFn(f, &fnTestCode{})
			got, err := tk[spec.LambdaFunction](k).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Equal(t, tc.calls, []string(f.calls))
			assert.Empty(t, tk[spec.LambdaFunction](k).Diff(d, got))
		})
	}
}

// fnPendingOnce makes the first reading of get say Pending.
func fnPendingOnce(get func(*lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error)) func(*lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
	first := true
	return func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
		out, err := get(in)
		if first && out != nil {
			first, out.State = false, types.StatePending
		}
		return out, err
	}
}

func TestLambdaFunctionCreatePackagingError(t *testing.T) {
	f := fnMemLambda(map[string]*fnMem{})
	_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{err: assert.AnError})).Create(context.Background(), desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()))
	require.ErrorIs(t, err, assert.AnError)
	assert.Contains(t, err.Error(), "create lambda function receiver-dev: package code")
	f.calls.none(t, "CreateFunction")
}

// A function of that name that is ours makes CreateFunction answer ResourceConflictException;
// Create reads it and adopts it: one from a run cut short, brought to d, or the one a create
// made whose answer was lost (the SDK sends it again, and the resend meets the function the
// first made), which may not read back at once and may still be Pending.
func TestLambdaFunctionCreateConflictAdoptsOurs(t *testing.T) {
	o := miscOwner("receiver")
	lostAnswer := func(fns map[string]*fnMem, f *fakeLambdaFn) {
		delete(fns, "receiver-dev")
		create := f.createFunction
		f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
			if _, err := create(in); err != nil { // the first attempt, whose answer is lost
				return nil, err
			}
			return create(in) // the resend: conflict
		}
	}
	cases := []struct {
		name   string
		setup  func(fns map[string]*fnMem, f *fakeLambdaFn)
		update *lambda.UpdateFunctionConfigurationInput // the update the adoption sends
	}{
		{name: "ours from an earlier run, brought to d",
			setup:  func(fns map[string]*fnMem, _ *fakeLambdaFn) { fns["receiver-dev"].cfg.MemorySize = aws.Int32(256) },
			update: &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("receiver-dev"), MemorySize: aws.Int32(128)}},
		{name: "a lost answer, the resend answered conflict", setup: lostAnswer},
		{name: "a lost answer, the function not visible yet", setup: func(fns map[string]*fnMem, f *fakeLambdaFn) {
			lostAnswer(fns, f)
			f.getFunction = missing(2, fnAPIErr(fnNotFound, "Function not found: receiver-dev"), f.getFunction)
		}},
		{name: "a lost answer, the function still Pending", setup: func(fns map[string]*fnMem, f *fakeLambdaFn) {
			lostAnswer(fns, f)
			create := f.createFunction
			f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
				out, err := create(in)
				fns["receiver-dev"].cfg.State = types.StatePending
				return out, err
			}
			get := f.getFunctionConfiguration
			f.getFunctionConfiguration = func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
				out, err := get(in)
				fns["receiver-dev"].cfg.State = types.StateActive // Active from the next reading on
				return out, err
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fns := map[string]*fnMem{}
			fnOurFunction(t, fns, o, "receiver-dev", fnUnitProps())
			f := fnMemLambda(fns)
			tc.setup(fns, f)
			sent := fnRecordConfig(f)
			d := desired(o, "receiver-dev", fnUnitProps())
			k := unitLambdaFn(f, &fnTestCode{})

			got, err := tk[spec.LambdaFunction](k).Create(context.Background(), d)
			require.NoError(t, err)
			assert.Len(t, fns, 1, "nothing created twice")
			assert.Equal(t, tc.update, *sent, "only what differs is sent")
			f.calls.none(t, "UpdateFunctionCode", "DeleteFunction")
			assert.Empty(t, tk[spec.LambdaFunction](k).Diff(d, got))
			assert.Equal(t, d.Tags, got.Tags)
			assert.Equal(t, types.StateActive, fns["receiver-dev"].cfg.State)
			read, err := k.read(context.Background(), "receiver-dev")
			require.NoError(t, err)
			assert.Equal(t, read, got)
		})
	}
	t.Run("the function of the conflict never reads back", func(t *testing.T) {
		f := fnMemLambda(map[string]*fnMem{})
		f.createFunction = func(*lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
			return nil, fnAPIErr(fnConflict, "Function already exist: receiver-dev")
		}
		_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(context.Background(), desired(o, "receiver-dev", fnUnitProps()))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "create lambda function receiver-dev: ")
		assert.Contains(t, err.Error(), "Function already exist")
		assert.ErrorIs(t, err, reconcile.ErrNotFound)
	})
}

// A function of that name without d's ownership tags: CreateFunction answers conflict, and the
// function is read, refused and left as it is.
func TestLambdaFunctionCreateRefusesForeign(t *testing.T) {
	o := miscOwner("receiver")
	cases := map[string]map[string]string{
		"untagged":     {},
		"user tags":    {"Team": "payments"},
		"other suffix": state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags(),
		"other stack":  state.Owner{Stack: "other", Suffix: o.Suffix, ID: o.ID}.Tags(),
		"other id":     state.Owner{Stack: o.Stack, Suffix: o.Suffix, ID: "processor"}.Tags(),
	}
	for name, tags := range cases {
		t.Run(name, func(t *testing.T) {
			fns := map[string]*fnMem{}
			old := fnUnitProps()
			old.MemoryMB = 256
			fnOurFunction(t, fns, o, "receiver-dev", old)
			fns["receiver-dev"].tags = fnCopyMap(tags)
			f := fnMemLambda(fns)
			_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(context.Background(), desired(o, "receiver-dev", fnUnitProps()))
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "receiver-dev")
			assert.Equal(t, []string{"CreateFunction", "GetFunction", "ListTags"}, []string(f.calls),
				"CreateFunction answered conflict, and the function was only read")
			assert.Equal(t, int32(256), aws.ToInt32(fns["receiver-dev"].cfg.MemorySize))
			assert.Equal(t, tags, fns["receiver-dev"].tags)
		})
	}
}

// IAM is eventually consistent: right after the role is created, CreateFunction says the role
// cannot be assumed (or, for a VPC function, that it lacks the EC2 permissions).
func TestLambdaFunctionCreateRetriesWhileTheRolePropagates(t *testing.T) {
	for name, msg := range map[string]string{
		"cannot be assumed": "The role defined for the function cannot be assumed by Lambda.",
		"vpc permissions":   "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
		"not authorized":    "User: arn:aws:sts::000000000000:assumed-role/receiver/x is not authorized to perform: ec2:CreateNetworkInterface",
		"throttled":         "Rate exceeded",
	} {
		t.Run(name, func(t *testing.T) {
			f := fnMemLambda(map[string]*fnMem{})
			create := f.createFunction
			attempts := 0
			f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
				if attempts++; attempts < 3 {
					if name == "throttled" {
						return nil, fnAPIErr("TooManyRequestsException", msg)
					}
					return nil, fnAPIErr(fnInvalid, msg)
				}
				return create(in)
			}
			_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(context.Background(), desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()))
			require.NoError(t, err)
			assert.Equal(t, 3, attempts)
		})
	}
	t.Run("other invalid parameters are not retried", func(t *testing.T) {
		f := fnMemLambda(map[string]*fnMem{})
		f.createFunction = func(*lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
			return nil, fnAPIErr(fnInvalid, "Unzipped size must be smaller than 262144000 bytes")
		}
		_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(context.Background(), desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()))
		require.Error(t, err)
		assert.Equal(t, 1, f.calls.count("CreateFunction"))
		assert.Contains(t, err.Error(), "create lambda function receiver-dev")
	})
}

// Lambda is asynchronous: a new function is Pending until it is Active, and can end Failed.
func TestLambdaFunctionCreateWaitsUntilActive(t *testing.T) {
	for _, tc := range []struct {
		name    string
		final   types.State
		wantErr string
	}{
		{"active", types.StateActive, ""},
		{"failed", types.StateFailed, "the function is Failed: ENI limit reached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fns := map[string]*fnMem{}
			f := fnMemLambda(fns)
			polls := 0
			f.getFunctionConfiguration = func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
				out := &lambda.GetFunctionConfigurationOutput{FunctionName: in.FunctionName, State: types.StatePending}
				if polls++; polls >= 3 {
					out.State, out.StateReason, out.LastUpdateStatus = tc.final, aws.String("ENI limit reached"), types.LastUpdateStatusSuccessful
				}
				return out, nil
			}
			_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(context.Background(), desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()))
			assert.Equal(t, 3, polls)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

// fnReceiver is one function of o's, receiver-dev, in an in-memory Lambda, the kind over it,
// and how the function reads back.
func fnReceiver(t *testing.T, o state.Owner) (map[string]*fnMem, *fakeLambdaFn, *LambdaFunction, state.Resource) {
	t.Helper()
	fns := map[string]*fnMem{}
	fnOurFunction(t, fns, o, "receiver-dev", fnUnitProps())
	f := fnMemLambda(fns)
	k := unitLambdaFn(f, &fnTestCode{})
	live, err := k.read(context.Background(), "receiver-dev")
	require.NoError(t, err)
	return fns, f, k, live
}

// fnRecordConfig keeps the last UpdateFunctionConfiguration input f receives.
func fnRecordConfig(f *fakeLambdaFn) **lambda.UpdateFunctionConfigurationInput {
	var sent *lambda.UpdateFunctionConfigurationInput
	upd := f.updateFunctionConfig
	f.updateFunctionConfig = func(in *lambda.UpdateFunctionConfigurationInput) (*lambda.UpdateFunctionConfigurationOutput, error) {
		sent = in
		return upd(in)
	}
	return &sent
}

func TestLambdaFunctionUpdate(t *testing.T) {
	o := miscOwner("receiver")
	t.Run("code and architecture go together through UpdateFunctionCode", func(t *testing.T) {
		fns, f, k, live := fnReceiver(t, o)
		p := fnUnitProps()
		p.Architecture = "x86_64"
		d := desired(o, "receiver-dev", p)
		got, err := tk[spec.LambdaFunction](k).Update(context.Background(), d, live)
		require.NoError(t, err)
		assert.Empty(t, tk[spec.LambdaFunction](k).Diff(d, got))
		assert.Equal(t, []types.Architecture{"x86_64"}, fns["receiver-dev"].cfg.Architectures)
		f.calls.none(t, "UpdateFunctionConfiguration")
	})
	t.Run("unchanged code is not uploaded", func(t *testing.T) {
		_, f, k, live := fnReceiver(t, o)
		p := fnUnitProps()
		p.TimeoutSeconds = 60
		_, err := tk[spec.LambdaFunction](k).Update(context.Background(), desired(o, "receiver-dev", p), live)
		require.NoError(t, err)
		f.calls.none(t, "UpdateFunctionCode")
	})
	t.Run("environment, vpc and reservation removed", func(t *testing.T) {
		fns, f, k, _ := fnReceiver(t, o)
		require.NoError(t, k.setConcurrency(context.Background(), "receiver-dev", aws.Int(3)))
		live, err := k.read(context.Background(), "receiver-dev")
		require.NoError(t, err)
		sent := fnRecordConfig(f)
		p := fnUnitProps()
		p.Environment, p.VPC = nil, nil
		d := desired(o, "receiver-dev", p)
		got, err := tk[spec.LambdaFunction](k).Update(context.Background(), d, live)
		require.NoError(t, err)
		assert.Equal(t, &types.Environment{Variables: map[string]string{}}, (*sent).Environment, "an empty map removes the variables")
		assert.Equal(t, &types.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}, (*sent).VpcConfig, "empty lists detach the VPC")
		assert.Nil(t, fns["receiver-dev"].conc)
		assert.Equal(t, 1, f.calls.count("DeleteFunctionConcurrency"))
		assert.Empty(t, tk[spec.LambdaFunction](k).Diff(d, got))
	})
	t.Run("refuses a resource without our tags", func(t *testing.T) {
		_, f, k, live := fnReceiver(t, o)
		live.Tags = map[string]string{"Team": "x"}
		_, err := tk[spec.LambdaFunction](k).Update(context.Background(), desired(o, "receiver-dev", fnUnitProps()), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "UpdateFunctionConfiguration", "UpdateFunctionCode", "TagResource")
	})
}

// TestLambdaFunctionUpdateConfigFollowsChanges: UpdateFunctionConfiguration carries exactly
// the fields of the configuration paths the plan's changes name, and is not sent for changes
// outside the configuration.
func TestLambdaFunctionUpdateConfigFollowsChanges(t *testing.T) {
	o := miscOwner("receiver")
	base := &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("receiver-dev")}
	with := func(set func(in *lambda.UpdateFunctionConfigurationInput)) *lambda.UpdateFunctionConfigurationInput {
		in := *base
		set(&in)
		return &in
	}
	cases := []struct {
		name   string
		change func(p *spec.LambdaFunction)
		want   *lambda.UpdateFunctionConfigurationInput
	}{
		{"memory", func(p *spec.LambdaFunction) { p.MemoryMB = 1024 },
			with(func(in *lambda.UpdateFunctionConfigurationInput) { in.MemorySize = aws.Int32(1024) })},
		{"description and tracing", func(p *spec.LambdaFunction) { p.Description, p.Tracing = "new", "PassThrough" },
			with(func(in *lambda.UpdateFunctionConfigurationInput) {
				in.Description, in.TracingConfig = aws.String("new"), &types.TracingConfig{Mode: types.TracingModePassThrough}
			})},
		{"log group", func(p *spec.LambdaFunction) { p.LogGroup = "" },
			with(func(in *lambda.UpdateFunctionConfigurationInput) {
				in.LoggingConfig = &types.LoggingConfig{LogGroup: aws.String("/aws/lambda/receiver-dev"), LogFormat: types.LogFormatText}
			})},
		{"reserved concurrency only", func(p *spec.LambdaFunction) { p.ReservedConcurrency = aws.Int(2) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, f, k, live := fnReceiver(t, o)
			sent := fnRecordConfig(f)
			p := fnUnitProps()
			tc.change(p)
			_, err := tk[spec.LambdaFunction](k).Update(context.Background(), desired(o, "receiver-dev", p), live)
			require.NoError(t, err)
			assert.Equal(t, tc.want, *sent)
			f.calls.none(t, "UpdateFunctionCode")
		})
	}
}

// ResourceConflictException means another change of the function is in progress: wait and
// retry. A new role may not have propagated yet either.
func TestLambdaFunctionUpdateRetriesConflictsAndRoles(t *testing.T) {
	o := miscOwner("receiver")
	for name, err := range map[string]error{
		"conflict": fnAPIErr(fnConflict, "The operation cannot be performed at this time. An update is in progress for resource: receiver-dev"),
		"new role": fnAPIErr(fnInvalid, "The role defined for the function cannot be assumed by Lambda."),
	} {
		t.Run(name, func(t *testing.T) {
			_, f, k, live := fnReceiver(t, o)
			attempts := map[string]int{}
			code, upd := f.updateFunctionCode, f.updateFunctionConfig
			f.updateFunctionCode = func(in *lambda.UpdateFunctionCodeInput) (*lambda.UpdateFunctionCodeOutput, error) {
				if attempts["code"]++; attempts["code"] < 3 && name == "conflict" {
					return nil, err
				}
				return code(in)
			}
			f.updateFunctionConfig = func(in *lambda.UpdateFunctionConfigurationInput) (*lambda.UpdateFunctionConfigurationOutput, error) {
				if attempts["config"]++; attempts["config"] < 3 {
					return nil, err
				}
				return upd(in)
			}
			p := fnUnitProps()
			p.Handler = "processor"
			p.Role = "arn:aws:iam::000000000000:role/new"
			d := desired(o, "receiver-dev", p)
			got, uerr := tk[spec.LambdaFunction](k).Update(context.Background(), d, live)
			require.NoError(t, uerr)
			assert.Equal(t, 3, attempts["config"])
			assert.Empty(t, tk[spec.LambdaFunction](k).Diff(d, got))
		})
	}
}

// After each change the function must settle: LastUpdateStatus InProgress is waited out, and
// Failed is an error carrying Lambda's reason.
func TestLambdaFunctionUpdateWaitsForTheLastUpdate(t *testing.T) {
	o := miscOwner("receiver")
	for _, tc := range []struct {
		name    string
		final   types.LastUpdateStatus
		wantErr string
	}{
		{"successful", types.LastUpdateStatusSuccessful, ""},
		{"failed", types.LastUpdateStatusFailed, "the last update Failed: subnet has no free addresses"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, f, k, live := fnReceiver(t, o)
			polls := 0
			f.getFunctionConfiguration = func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
				out := &lambda.GetFunctionConfigurationOutput{FunctionName: in.FunctionName, State: types.StateActive, LastUpdateStatus: types.LastUpdateStatusSuccessful}
				if f.calls.count("UpdateFunctionConfiguration") > 0 {
					if polls++; polls < 3 {
						out.LastUpdateStatus = types.LastUpdateStatusInProgress
					} else {
						out.LastUpdateStatus, out.LastUpdateStatusReason = tc.final, aws.String("subnet has no free addresses")
					}
				}
				return out, nil
			}
			p := fnUnitProps()
			p.MemoryMB = 1024
			_, err := tk[spec.LambdaFunction](k).Update(context.Background(), desired(o, "receiver-dev", p), live)
			assert.Equal(t, 3, polls)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Contains(t, err.Error(), "update lambda function receiver-dev")
		})
	}
	t.Run("a change waits for one still in progress", func(t *testing.T) {
		fns := map[string]*fnMem{}
		fnOurFunction(t, fns, o, "receiver-dev", fnUnitProps())
		fns["receiver-dev"].cfg.LastUpdateStatus = types.LastUpdateStatusInProgress
		f := fnMemLambda(fns)
		k := unitLambdaFn(f, &fnTestCode{})
		live, err := k.read(context.Background(), "receiver-dev")
		require.NoError(t, err)
		polls := 0
		get := f.getFunctionConfiguration
		f.getFunctionConfiguration = func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
			if polls++; polls == 2 {
				fns["receiver-dev"].cfg.LastUpdateStatus = types.LastUpdateStatusSuccessful
			}
			return get(in)
		}
		p := fnUnitProps()
		p.MemoryMB = 1024
		_, err = tk[spec.LambdaFunction](k).Update(context.Background(), desired(o, "receiver-dev", p), live)
		require.NoError(t, err)
		assert.Equal(t, "GetFunctionConfiguration", f.calls[fnCallIndex(f.calls, "UpdateFunctionConfiguration")-1],
			"the update is sent once the earlier one has finished")
	})
}

func fnCallIndex(c fakeCalls, op string) int {
	for i, v := range c {
		if v == op {
			return i
		}
	}
	return -1
}

func TestLambdaFunctionList(t *testing.T) {
	fns := map[string]*fnMem{}
	o := miscOwner("receiver")
	fnOurFunction(t, fns, o, "receiver-dev", fnUnitProps())
	fnOurFunction(t, fns, state.Owner{Stack: "shop", Suffix: "dev", ID: "processor"}, "processor-dev", fnUnitProps())
	fnOurFunction(t, fns, state.Owner{Stack: "shop", Suffix: "prod", ID: "receiver"}, "receiver-prod", fnUnitProps())
	fnOurFunction(t, fns, state.Owner{Stack: "blog", Suffix: "dev", ID: "receiver"}, "blog-receiver-dev", fnUnitProps())
	fnOurFunction(t, fns, o, "untagged", fnUnitProps())
	fns["untagged"].tags = map[string]string{"Team": "x"}
	fns["receiver-dev"].conc = aws.Int32(7)
	k := unitLambdaFn(fnMemLambda(fns), &fnTestCode{})

	got, err := k.List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	assert.ElementsMatch(t, []string{"receiver-dev", "processor-dev"}, names, "other suffixes, stacks and untagged functions are not listed")
	for _, r := range got {
		if r.Name == "receiver-dev" {
			assert.Equal(t, o, r.Owner)
			assert.Equal(t, aws.Int(7), r.Props.(*spec.LambdaFunction).ReservedConcurrency)
			for _, a := range []string{"arn", "name", "invoke_arn", "version", "code_sha256"} {
				assert.NotEmpty(t, r.Attrs[a], a)
			}
		}
	}
	got, err = k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	assert.Len(t, got, 3, "any stack of that suffix")
}

func TestLambdaFunctionListSkipsAFunctionDeletedMeanwhile(t *testing.T) {
	fns := map[string]*fnMem{}
	fnOurFunction(t, fns, miscOwner("receiver"), "receiver-dev", fnUnitProps())
	f := fnMemLambda(fns)
	f.listTags = func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
		return nil, fnAPIErr(fnNotFound, "Function not found")
	}
	got, err := unitLambdaFn(f, &fnTestCode{}).List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestLambdaFunctionObservedProps(t *testing.T) {
	p := fnObservedProps(types.FunctionConfiguration{
		Runtime: "provided.al2023", MemorySize: aws.Int32(128), Timeout: aws.Int32(3),
		VpcConfig:   &types.VpcConfigResponse{SubnetIds: []string{}, SecurityGroupIds: []string{}, VpcId: aws.String("")},
		Environment: &types.EnvironmentResponse{Variables: map[string]string{}},
	}, nil)
	assert.Equal(t, &spec.LambdaFunction{Runtime: "provided.al2023", Architecture: "x86_64", MemoryMB: 128, TimeoutSeconds: 3, Tracing: "PassThrough"}, p,
		"no architecture is x86_64, no tracing config PassThrough, an empty VPC config none")
	p = fnObservedProps(types.FunctionConfiguration{
		VpcConfig: &types.VpcConfigResponse{SubnetIds: []string{"s-2", "s-1"}, SecurityGroupIds: []string{"sg"}, VpcId: aws.String("vpc-123abc")},
	}, nil)
	assert.Equal(t, &spec.LambdaVPC{SubnetIDs: []string{"s-1", "s-2"}, SecurityGroupIDs: []string{"sg"}}, p.VPC)
	assert.Equal(t, "", fnInvokeARN("not-an-arn"))
}

func TestLambdaFunctionDelete(t *testing.T) {
	o := miscOwner("receiver")
	t.Run("deletes and waits until gone", func(t *testing.T) {
		fns, f, k, live := fnReceiver(t, o)
		get := f.getFunctionConfiguration
		polls := 0
		f.getFunctionConfiguration = func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
			if polls++; polls < 3 { // still answering for a moment after DeleteFunction
				return &lambda.GetFunctionConfigurationOutput{FunctionName: in.FunctionName}, nil
			}
			return get(in)
		}
		require.NoError(t, k.Delete(context.Background(), live))
		assert.Empty(t, fns)
		assert.Equal(t, 3, polls)
	})
	t.Run("already gone", func(t *testing.T) {
		_, f, k, live := fnReceiver(t, o)
		f.listTags = func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
			return nil, fnAPIErr(fnNotFound, "Function not found")
		}
		require.NoError(t, k.Delete(context.Background(), live))
		f.calls.none(t, "DeleteFunction")
	})
	t.Run("gone between the tag check and the delete", func(t *testing.T) {
		fns, f, k, live := fnReceiver(t, o)
		f.deleteFunction = func(*lambda.DeleteFunctionInput) (*lambda.DeleteFunctionOutput, error) {
			delete(fns, "receiver-dev")
			return nil, fnAPIErr(fnNotFound, "Function not found")
		}
		require.NoError(t, k.Delete(context.Background(), live))
	})
	t.Run("a change in progress is waited out", func(t *testing.T) {
		fns, f, k, live := fnReceiver(t, o)
		del := f.deleteFunction
		f.deleteFunction = func(in *lambda.DeleteFunctionInput) (*lambda.DeleteFunctionOutput, error) {
			if f.calls.count("DeleteFunction") < 3 {
				return nil, fnAPIErr(fnConflict, "An update is in progress for resource")
			}
			return del(in)
		}
		require.NoError(t, k.Delete(context.Background(), live))
		assert.Empty(t, fns)
		assert.Equal(t, 3, f.calls.count("DeleteFunction"))
	})
	t.Run("refuses when the tags are no longer ours", func(t *testing.T) {
		fns, f, k, live := fnReceiver(t, o)
		fns["receiver-dev"].tags = map[string]string{"Team": "x"}
		err := k.Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteFunction")
		assert.Contains(t, fns, "receiver-dev")
	})
	t.Run("other errors surface", func(t *testing.T) {
		_, f, k, live := fnReceiver(t, o)
		f.deleteFunction = func(*lambda.DeleteFunctionInput) (*lambda.DeleteFunctionOutput, error) {
			return nil, miscAPIErr("AccessDeniedException")
		}
		err := k.Delete(context.Background(), live)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "delete lambda function receiver-dev")
	})
}

// TestLambdaFunctionFailedOrInactiveIsNotInSync: a function that cannot run shows in the
// diff with Lambda's reason, even when ListFunctions leaves its state out (as on AWS); a Failed
// one is replaced, an Inactive one updated.
func TestLambdaFunctionFailedOrInactiveIsNotInSync(t *testing.T) {
	const reason = "Lambda was unable to create the network interfaces"
	cases := []struct {
		state    types.State
		wantDiff bool
		forceNew bool
	}{
		{types.StateActive, false, false},
		{types.StateFailed, true, true},
		{types.StateInactive, true, false},
	}
	for _, c := range cases {
		t.Run(string(c.state), func(t *testing.T) {
			fns := map[string]*fnMem{}
			o := miscOwner("receiver")
			fnOurFunction(t, fns, o, "receiver-dev", fnUnitProps())
			fns["receiver-dev"].cfg.State, fns["receiver-dev"].cfg.StateReason = c.state, aws.String(reason)
			f := fnMemLambda(fns)
			list := f.listFunctions
			f.listFunctions = func(in *lambda.ListFunctionsInput) (*lambda.ListFunctionsOutput, error) {
				out, err := list(in)
				for i := range out.Functions {
					out.Functions[i].State, out.Functions[i].StateReason = "", nil
				}
				return out, err
			}
			k := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{}))
			got, err := k.List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix})
			require.NoError(t, err)
			require.Len(t, got, 1)
			diffs := k.Diff(desired(o, "receiver-dev", fnUnitProps()), got[0])
			if !c.wantDiff {
				assert.Empty(t, diffs)
				return
			}
			require.Len(t, diffs, 1)
			assert.Equal(t, reconcile.FieldDiff{Path: "state", Live: string(c.state) + ": " + reason, Desired: "Active", ForceNew: c.forceNew}, diffs[0])
		})
	}
}

func TestLambdaFunctionUpdateReactivatesAnInactiveFunction(t *testing.T) {
	fns := map[string]*fnMem{}
	o := miscOwner("receiver")
	fnOurFunction(t, fns, o, "receiver-dev", fnUnitProps())
	fns["receiver-dev"].cfg.State, fns["receiver-dev"].cfg.StateReason = types.StateInactive, aws.String("idle")
	f := fnMemLambda(fns)
	var sent *lambda.UpdateFunctionConfigurationInput
	update := f.updateFunctionConfig
	f.updateFunctionConfig = func(in *lambda.UpdateFunctionConfigurationInput) (*lambda.UpdateFunctionConfigurationOutput, error) {
		sent = in
		fns["receiver-dev"].cfg.State = types.StateActive // what Lambda does on a configuration update
		return update(in)
	}
	fk := unitLambdaFn(f, &fnTestCode{})
	k := tk[spec.LambdaFunction](fk)
	live, err := fk.read(context.Background(), "receiver-dev")
	require.NoError(t, err)
	d := desired(o, "receiver-dev", fnUnitProps())
	got, err := k.Update(context.Background(), d, live)
	require.NoError(t, err)
	require.NotNil(t, sent, "a configuration update is sent though nothing else differs")
	assert.Equal(t, "stores webhooks", aws.ToString(sent.Description))
	assert.Empty(t, k.Diff(d, got))
	f.calls.none(t, "UpdateFunctionCode")
}

// Reserved concurrency changed by hand, and removed by hand, is drift that Update repairs.
func TestLambdaFunctionReservedConcurrencyDrift(t *testing.T) {
	k, client := integrationLambdaFn(t)
	for _, tc := range []struct {
		name   string
		byHand func(name string) error
	}{
		{"lowered", func(name string) error {
			_, err := client.PutFunctionConcurrency(context.Background(), &lambda.PutFunctionConcurrencyInput{
				FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(2)})
			return err
		}},
		{"removed", func(name string) error {
			_, err := client.DeleteFunctionConcurrency(context.Background(), &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(name)})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOwner(t, "processor")
			p := fnDefaults()
			p.Handler = "processor"
			p.Role = fnTestRole(t, "processor-role-"+o.Suffix)
			p.ReservedConcurrency = aws.Int(150)
			d := desired(o, "processor-"+o.Suffix, p)
			checkDriftRepair(t, tk[spec.LambdaFunction](k), d, func(live state.Resource) {
				require.NoError(t, tc.byHand(live.Name))
			}, "reserved_concurrency")
		})
	}
}
