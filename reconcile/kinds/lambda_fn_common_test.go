package kinds

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- code ----

// fnTestCode is a LambdaCode for tests: a tiny valid zip holding a bootstrap script that
// names the handler and architecture, so that another handler or architecture is other code.
// Emulators do not run it. err makes every Package fail.
type fnTestCode struct {
	calls atomic.Int32
	err   error
}

func (c *fnTestCode) Package(_ context.Context, fn *spec.LambdaFunction) ([]byte, string, error) {
	c.calls.Add(1)
	if c.err != nil {
		return nil, "", c.err
	}
	z := fnTestZip(fmt.Sprintf("#!/bin/sh\necho %s %s %s\n", fn.Handler, fn.Zip, fn.Architecture))
	return z, fnSHA(z), nil
}

// fnTestZip builds a deterministic zip (fixed modification time) with one bootstrap file.
func fnTestZip(bootstrap string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	f, err := w.CreateHeader(h)
	if err != nil {
		panic(err)
	}
	_, _ = f.Write([]byte(bootstrap))
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func fnSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ---- a hand-written fake of the Lambda API ----

// fakeLambdaFn is LambdaFunctionAPI and LambdaPermissionAPI with one function field per
// operation; a nil field fails the call.
type fakeLambdaFn struct {
	calls                     fakeCalls
	createFunction            func(*lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error)
	getFunction               func(*lambda.GetFunctionInput) (*lambda.GetFunctionOutput, error)
	getFunctionConfiguration  func(*lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error)
	listFunctions             func(*lambda.ListFunctionsInput) (*lambda.ListFunctionsOutput, error)
	listTags                  func(*lambda.ListTagsInput) (*lambda.ListTagsOutput, error)
	tagResource               func(*lambda.TagResourceInput) (*lambda.TagResourceOutput, error)
	untagResource             func(*lambda.UntagResourceInput) (*lambda.UntagResourceOutput, error)
	updateFunctionCode        func(*lambda.UpdateFunctionCodeInput) (*lambda.UpdateFunctionCodeOutput, error)
	updateFunctionConfig      func(*lambda.UpdateFunctionConfigurationInput) (*lambda.UpdateFunctionConfigurationOutput, error)
	getFunctionConcurrency    func(*lambda.GetFunctionConcurrencyInput) (*lambda.GetFunctionConcurrencyOutput, error)
	putFunctionConcurrency    func(*lambda.PutFunctionConcurrencyInput) (*lambda.PutFunctionConcurrencyOutput, error)
	deleteFunctionConcurrency func(*lambda.DeleteFunctionConcurrencyInput) (*lambda.DeleteFunctionConcurrencyOutput, error)
	deleteFunction            func(*lambda.DeleteFunctionInput) (*lambda.DeleteFunctionOutput, error)
	getPolicy                 func(*lambda.GetPolicyInput) (*lambda.GetPolicyOutput, error)
	addPermission             func(*lambda.AddPermissionInput) (*lambda.AddPermissionOutput, error)
	removePermission          func(*lambda.RemovePermissionInput) (*lambda.RemovePermissionOutput, error)
}

type fnLambdaOpt = func(*lambda.Options)

func (f *fakeLambdaFn) CreateFunction(_ context.Context, in *lambda.CreateFunctionInput, _ ...fnLambdaOpt) (*lambda.CreateFunctionOutput, error) {
	return fakeCall(&f.calls, "CreateFunction", f.createFunction, in)
}
func (f *fakeLambdaFn) GetFunction(_ context.Context, in *lambda.GetFunctionInput, _ ...fnLambdaOpt) (*lambda.GetFunctionOutput, error) {
	return fakeCall(&f.calls, "GetFunction", f.getFunction, in)
}
func (f *fakeLambdaFn) GetFunctionConfiguration(_ context.Context, in *lambda.GetFunctionConfigurationInput, _ ...fnLambdaOpt) (*lambda.GetFunctionConfigurationOutput, error) {
	return fakeCall(&f.calls, "GetFunctionConfiguration", f.getFunctionConfiguration, in)
}
func (f *fakeLambdaFn) ListFunctions(_ context.Context, in *lambda.ListFunctionsInput, _ ...fnLambdaOpt) (*lambda.ListFunctionsOutput, error) {
	return fakeCall(&f.calls, "ListFunctions", f.listFunctions, in)
}
func (f *fakeLambdaFn) ListTags(_ context.Context, in *lambda.ListTagsInput, _ ...fnLambdaOpt) (*lambda.ListTagsOutput, error) {
	return fakeCall(&f.calls, "ListTags", f.listTags, in)
}
func (f *fakeLambdaFn) TagResource(_ context.Context, in *lambda.TagResourceInput, _ ...fnLambdaOpt) (*lambda.TagResourceOutput, error) {
	return fakeCall(&f.calls, "TagResource", f.tagResource, in)
}
func (f *fakeLambdaFn) UntagResource(_ context.Context, in *lambda.UntagResourceInput, _ ...fnLambdaOpt) (*lambda.UntagResourceOutput, error) {
	return fakeCall(&f.calls, "UntagResource", f.untagResource, in)
}
func (f *fakeLambdaFn) UpdateFunctionCode(_ context.Context, in *lambda.UpdateFunctionCodeInput, _ ...fnLambdaOpt) (*lambda.UpdateFunctionCodeOutput, error) {
	return fakeCall(&f.calls, "UpdateFunctionCode", f.updateFunctionCode, in)
}
func (f *fakeLambdaFn) UpdateFunctionConfiguration(_ context.Context, in *lambda.UpdateFunctionConfigurationInput, _ ...fnLambdaOpt) (*lambda.UpdateFunctionConfigurationOutput, error) {
	return fakeCall(&f.calls, "UpdateFunctionConfiguration", f.updateFunctionConfig, in)
}
func (f *fakeLambdaFn) GetFunctionConcurrency(_ context.Context, in *lambda.GetFunctionConcurrencyInput, _ ...fnLambdaOpt) (*lambda.GetFunctionConcurrencyOutput, error) {
	return fakeCall(&f.calls, "GetFunctionConcurrency", f.getFunctionConcurrency, in)
}
func (f *fakeLambdaFn) PutFunctionConcurrency(_ context.Context, in *lambda.PutFunctionConcurrencyInput, _ ...fnLambdaOpt) (*lambda.PutFunctionConcurrencyOutput, error) {
	return fakeCall(&f.calls, "PutFunctionConcurrency", f.putFunctionConcurrency, in)
}
func (f *fakeLambdaFn) DeleteFunctionConcurrency(_ context.Context, in *lambda.DeleteFunctionConcurrencyInput, _ ...fnLambdaOpt) (*lambda.DeleteFunctionConcurrencyOutput, error) {
	return fakeCall(&f.calls, "DeleteFunctionConcurrency", f.deleteFunctionConcurrency, in)
}
func (f *fakeLambdaFn) DeleteFunction(_ context.Context, in *lambda.DeleteFunctionInput, _ ...fnLambdaOpt) (*lambda.DeleteFunctionOutput, error) {
	return fakeCall(&f.calls, "DeleteFunction", f.deleteFunction, in)
}
func (f *fakeLambdaFn) GetPolicy(_ context.Context, in *lambda.GetPolicyInput, _ ...fnLambdaOpt) (*lambda.GetPolicyOutput, error) {
	return fakeCall(&f.calls, "GetPolicy", f.getPolicy, in)
}
func (f *fakeLambdaFn) AddPermission(_ context.Context, in *lambda.AddPermissionInput, _ ...fnLambdaOpt) (*lambda.AddPermissionOutput, error) {
	return fakeCall(&f.calls, "AddPermission", f.addPermission, in)
}
func (f *fakeLambdaFn) RemovePermission(_ context.Context, in *lambda.RemovePermissionInput, _ ...fnLambdaOpt) (*lambda.RemovePermissionOutput, error) {
	return fakeCall(&f.calls, "RemovePermission", f.removePermission, in)
}

// ---- a small in-memory Lambda behind the fake ----

const fnMemARN = "arn:aws:lambda:us-east-1:000000000000:function:"

// fnMem is one function of fnMemLambda.
type fnMem struct {
	cfg    types.FunctionConfiguration
	tags   map[string]string
	conc   *int32
	policy []map[string]any // statements as Lambda stores them
}

// fnAPIErr is an API error with Lambda's message (miscAPIErr makes one up).
func fnAPIErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// fnMemLambda fills every field of a fakeLambdaFn with a small in-memory Lambda; tests replace
// single fields to inject errors. ListFunctions pages by two, to exercise NextMarker.
func fnMemLambda(fns map[string]*fnMem) *fakeLambdaFn {
	f := &fakeLambdaFn{}
	store := memStoreOf(fns, fnNameOf, func(nameOrARN string) error {
		return fnAPIErr(fnNotFound, "Function not found: "+nameOrARN)
	})
	get := store.get
	fnMemFunctions(f, store)
	fnMemConfig(f, get)
	fnMemTags(f, get)
	fnMemPolicy(f, get)
	return f
}

func fnMemFunctions(f *fakeLambdaFn, store memStore[*fnMem]) {
	fns, get := store.items, store.get
	f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
		name := aws.ToString(in.FunctionName)
		if _, ok := fns[name]; ok {
			return nil, fnAPIErr(fnConflict, "Function already exist: "+name)
		}
		fns[name] = &fnMem{cfg: fnMemCreated(in), tags: fnCopyMap(in.Tags)}
		// AWS answers with the whole configuration, still Pending; reads find it Active here.
		c := fns[name].cfg
		return &lambda.CreateFunctionOutput{FunctionName: c.FunctionName, FunctionArn: c.FunctionArn,
			Version: c.Version, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler, MemorySize: c.MemorySize,
			Timeout: c.Timeout, Description: c.Description, Architectures: c.Architectures, CodeSha256: c.CodeSha256,
			Environment: c.Environment, VpcConfig: c.VpcConfig, TracingConfig: c.TracingConfig, LoggingConfig: c.LoggingConfig,
			State: types.StatePending, StateReason: aws.String("The function is being created.")}, nil
	}
	f.getFunction = func(in *lambda.GetFunctionInput) (*lambda.GetFunctionOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		cfg := fn.cfg
		return &lambda.GetFunctionOutput{Configuration: &cfg}, nil
	}
	f.getFunctionConfiguration = func(in *lambda.GetFunctionConfigurationInput) (*lambda.GetFunctionConfigurationOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		c := fn.cfg // the whole configuration, as Lambda answers it
		return &lambda.GetFunctionConfigurationOutput{FunctionName: c.FunctionName, FunctionArn: c.FunctionArn,
			Version: c.Version, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler, MemorySize: c.MemorySize,
			Timeout: c.Timeout, Description: c.Description, Architectures: c.Architectures, CodeSha256: c.CodeSha256,
			Environment: c.Environment, VpcConfig: c.VpcConfig, TracingConfig: c.TracingConfig, LoggingConfig: c.LoggingConfig,
			State: c.State, StateReason: c.StateReason, LastUpdateStatus: c.LastUpdateStatus,
			LastUpdateStatusReason: c.LastUpdateStatusReason}, nil
	}
	f.listFunctions = func(in *lambda.ListFunctionsInput) (*lambda.ListFunctionsOutput, error) {
		names, next := memPage(slices.Sorted(maps.Keys(fns)), in.Marker)
		out := &lambda.ListFunctionsOutput{NextMarker: next}
		for _, n := range names {
			out.Functions = append(out.Functions, fns[n].cfg)
		}
		return out, nil
	}
	f.deleteFunction = func(in *lambda.DeleteFunctionInput) (*lambda.DeleteFunctionOutput, error) {
		if err := store.remove(in.FunctionName); err != nil {
			return nil, err
		}
		return &lambda.DeleteFunctionOutput{}, nil
	}
}

func fnMemCreated(in *lambda.CreateFunctionInput) types.FunctionConfiguration {
	name := aws.ToString(in.FunctionName)
	cfg := types.FunctionConfiguration{
		FunctionName: in.FunctionName, FunctionArn: aws.String(fnMemARN + name), Version: aws.String("$LATEST"),
		Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, MemorySize: in.MemorySize, Timeout: in.Timeout,
		Description: in.Description, Architectures: in.Architectures, CodeSha256: aws.String(fnSHA(in.Code.ZipFile)),
		State: types.StateActive, LastUpdateStatus: types.LastUpdateStatusSuccessful,
		TracingConfig: &types.TracingConfigResponse{Mode: types.TracingModePassThrough},
		LoggingConfig: &types.LoggingConfig{LogGroup: aws.String("/aws/lambda/" + name), LogFormat: types.LogFormatText},
		VpcConfig:     &types.VpcConfigResponse{},
	}
	if in.TracingConfig != nil {
		cfg.TracingConfig.Mode = in.TracingConfig.Mode
	}
	if in.LoggingConfig != nil {
		cfg.LoggingConfig = in.LoggingConfig
	}
	if in.Environment != nil {
		cfg.Environment = &types.EnvironmentResponse{Variables: fnCopyMap(in.Environment.Variables)}
	}
	if in.VpcConfig != nil {
		cfg.VpcConfig = &types.VpcConfigResponse{SubnetIds: in.VpcConfig.SubnetIds, SecurityGroupIds: in.VpcConfig.SecurityGroupIds, VpcId: aws.String("vpc-1")}
	}
	return cfg
}

func fnMemConfig(f *fakeLambdaFn, get func(*string) (*fnMem, error)) {
	f.updateFunctionCode = func(in *lambda.UpdateFunctionCodeInput) (*lambda.UpdateFunctionCodeOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		fn.cfg.CodeSha256 = aws.String(fnSHA(in.ZipFile))
		fn.cfg.Architectures = in.Architectures
		return &lambda.UpdateFunctionCodeOutput{}, nil
	}
	f.updateFunctionConfig = func(in *lambda.UpdateFunctionConfigurationInput) (*lambda.UpdateFunctionConfigurationOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		fnMemApply(&fn.cfg, in)
		return &lambda.UpdateFunctionConfigurationOutput{}, nil
	}
	f.getFunctionConcurrency = func(in *lambda.GetFunctionConcurrencyInput) (*lambda.GetFunctionConcurrencyOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		return &lambda.GetFunctionConcurrencyOutput{ReservedConcurrentExecutions: fn.conc}, nil
	}
	f.putFunctionConcurrency = func(in *lambda.PutFunctionConcurrencyInput) (*lambda.PutFunctionConcurrencyOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		fn.conc = in.ReservedConcurrentExecutions
		return &lambda.PutFunctionConcurrencyOutput{}, nil
	}
	f.deleteFunctionConcurrency = func(in *lambda.DeleteFunctionConcurrencyInput) (*lambda.DeleteFunctionConcurrencyOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		fn.conc = nil
		return &lambda.DeleteFunctionConcurrencyOutput{}, nil
	}
}

func fnMemApply(cfg *types.FunctionConfiguration, in *lambda.UpdateFunctionConfigurationInput) {
	if in.Runtime != "" {
		cfg.Runtime = in.Runtime
	}
	for _, f := range []struct{ dst, src **int32 }{{&cfg.MemorySize, &in.MemorySize}, {&cfg.Timeout, &in.Timeout}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	for _, f := range []struct{ dst, src **string }{{&cfg.Role, &in.Role}, {&cfg.Description, &in.Description}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.Environment != nil {
		cfg.Environment = &types.EnvironmentResponse{Variables: fnCopyMap(in.Environment.Variables)}
	}
	if in.VpcConfig != nil {
		cfg.VpcConfig = &types.VpcConfigResponse{SubnetIds: in.VpcConfig.SubnetIds, SecurityGroupIds: in.VpcConfig.SecurityGroupIds}
	}
	if in.TracingConfig != nil {
		cfg.TracingConfig = &types.TracingConfigResponse{Mode: in.TracingConfig.Mode}
	}
	if in.LoggingConfig != nil {
		cfg.LoggingConfig = in.LoggingConfig
	}
}

func fnMemTags(f *fakeLambdaFn, get func(*string) (*fnMem, error)) {
	tags := memTagsOf(get, func(fn *fnMem) map[string]string { return fn.tags })
	f.listTags = memListTags(tags, func(in *lambda.ListTagsInput) *string { return in.Resource },
		func(t map[string]string) *lambda.ListTagsOutput { return &lambda.ListTagsOutput{Tags: t} })
	f.tagResource = memTag(tags, func(in *lambda.TagResourceInput) (*string, map[string]string) { return in.Resource, in.Tags }, &lambda.TagResourceOutput{})
	f.untagResource = memUntag(tags, func(in *lambda.UntagResourceInput) (*string, []string) { return in.Resource, in.TagKeys }, &lambda.UntagResourceOutput{})
}

// fnMemPolicy stores statements in the shape Lambda returns them.
func fnMemPolicy(f *fakeLambdaFn, get func(*string) (*fnMem, error)) {
	f.getPolicy = func(in *lambda.GetPolicyInput) (*lambda.GetPolicyOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		if len(fn.policy) == 0 {
			return nil, fnAPIErr(fnNotFound, "The resource you requested does not exist.")
		}
		b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": fn.policy})
		return &lambda.GetPolicyOutput{Policy: aws.String(string(b))}, nil
	}
	f.addPermission = func(in *lambda.AddPermissionInput) (*lambda.AddPermissionOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		sid := aws.ToString(in.StatementId)
		for _, st := range fn.policy {
			if st["Sid"] == sid {
				return nil, fnAPIErr(fnConflict, fmt.Sprintf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", sid))
			}
		}
		fn.policy = append(fn.policy, fnMemStatement(sid, aws.ToString(fn.cfg.FunctionArn), aws.ToString(in.Action), aws.ToString(in.Principal), aws.ToString(in.SourceArn)))
		return &lambda.AddPermissionOutput{}, nil
	}
	f.removePermission = func(in *lambda.RemovePermissionInput) (*lambda.RemovePermissionOutput, error) {
		fn, err := get(in.FunctionName)
		if err != nil {
			return nil, err
		}
		for i, st := range fn.policy {
			if st["Sid"] == aws.ToString(in.StatementId) {
				fn.policy = append(fn.policy[:i], fn.policy[i+1:]...)
				return &lambda.RemovePermissionOutput{}, nil
			}
		}
		return nil, fnAPIErr(fnNotFound, "The resource you requested does not exist.")
	}
}

// fnMemStatement is a statement as Lambda's GetPolicy shows one AddPermission added.
func fnMemStatement(sid, fnARN, action, principal, sourceARN string) map[string]any {
	st := map[string]any{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": fnARN}
	if strings.HasSuffix(principal, ".amazonaws.com") {
		st["Principal"] = map[string]any{"Service": principal}
	} else {
		st["Principal"] = map[string]any{"AWS": "arn:aws:iam::" + principal + ":root"}
	}
	if sourceARN != "" {
		st["Condition"] = map[string]any{"ArnLike": map[string]any{"AWS:SourceArn": sourceARN}}
	}
	return st
}

func fnCopyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- integration helpers ----

// fnTestRole creates an IAM role Lambda can be given (moto checks that a function's role
// exists) and deletes it when the test ends.
func fnTestRole(t *testing.T, name string) string {
	t.Helper()
	return emutest.Role(t, iam.NewFromConfig(emuConfig(t)), name, "lambda.amazonaws.com")
}

func fnDefaults() *spec.LambdaFunction { return specDefaults[*spec.LambdaFunction]("lambda.function") }

// fnAssertNotListed checks that a selector of another suffix sees nothing of k's.
func fnAssertNotListed(t *testing.T, k testKind, o state.Owner) {
	t.Helper()
	other, err := k.List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")
}
