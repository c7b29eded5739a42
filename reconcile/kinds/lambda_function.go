package kinds

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// LambdaCode packages a function's code: it builds handlers/<handler> for the architecture or
// reads Zip. It must be deterministic (the same input gives the same bytes), since the hash
// decides whether the code changed. sha256 is the base64 (standard encoding) SHA-256 of zip,
// the form Lambda reports as CodeSha256.
type LambdaCode interface {
	Package(ctx context.Context, fn *spec.LambdaFunction) (zip []byte, sha256 string, err error)
}

// LambdaFunctionAPI is the part of the Lambda API the lambda.function kind uses;
// *lambda.Client satisfies it.
type LambdaFunctionAPI interface {
	CreateFunction(ctx context.Context, in *lambda.CreateFunctionInput, opts ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error)
	GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
	ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, opts ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
	ListTags(ctx context.Context, in *lambda.ListTagsInput, opts ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
	TagResource(ctx context.Context, in *lambda.TagResourceInput, opts ...func(*lambda.Options)) (*lambda.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *lambda.UntagResourceInput, opts ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error)
	UpdateFunctionCode(ctx context.Context, in *lambda.UpdateFunctionCodeInput, opts ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error)
	UpdateFunctionConfiguration(ctx context.Context, in *lambda.UpdateFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error)
	GetFunctionConcurrency(ctx context.Context, in *lambda.GetFunctionConcurrencyInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionConcurrencyOutput, error)
	PutFunctionConcurrency(ctx context.Context, in *lambda.PutFunctionConcurrencyInput, opts ...func(*lambda.Options)) (*lambda.PutFunctionConcurrencyOutput, error)
	DeleteFunctionConcurrency(ctx context.Context, in *lambda.DeleteFunctionConcurrencyInput, opts ...func(*lambda.Options)) (*lambda.DeleteFunctionConcurrencyOutput, error)
	DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, opts ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error)
}

// LambdaFunction implements lambda.function. Its ID is the function name.
//
// Nothing forces a replacement: the code and architecture change through UpdateFunctionCode,
// the configuration (runtime, memory, timeout, role, description, environment, VPC, tracing,
// log group) through UpdateFunctionConfiguration, and the reserved concurrency through
// Put/DeleteFunctionConcurrency.
//
// The code is compared by hash: the observed function cannot say which handler or zip it was
// built from, so Diff ignores handler and zip and compares the live CodeSha256 (Attrs
// "code_sha256") with the hash of the package LambdaCode makes for d.
//
// Lambda is asynchronous: every change is followed by a wait until the function is Active and
// its last update Successful, and a function that ends Failed is an error with Lambda's reason.
type LambdaFunction struct {
	api  LambdaFunctionAPI
	code LambdaCode
	wait reconcile.Backoff

	mu       sync.Mutex
	packages map[fnCodeKey]*fnPackage
}

// NewLambdaFunction returns the lambda.function kind over api (a *lambda.Client), packaging
// code with code.
func NewLambdaFunction(api LambdaFunctionAPI, code LambdaCode) *LambdaFunction {
	return &LambdaFunction{api: api, code: code, wait: reconcile.DefaultBackoff, packages: map[fnCodeKey]*fnPackage{}}
}

// fnHandler is the entry point of provided runtimes: the executable named bootstrap.
const fnHandler = "bootstrap"

func (*LambdaFunction) Kind() string { return "lambda.function" }

// ---- code packages ----

// fnCodeKey is what a package depends on.
type fnCodeKey struct{ handler, zip, arch string }

// fnPackage is one packaging result; ready closes once it is known.
type fnPackage struct {
	ready chan struct{}
	zip   []byte
	sha   string
	err   error
}

// pkg packages p's code once per (handler, zip, architecture) and caches the result: Diff runs
// for every plan and Create and Update need the same bytes. Concurrent callers of one key wait
// for the first; a packaging cut short by ctx is not cached.
func (k *LambdaFunction) pkg(ctx context.Context, p *spec.LambdaFunction) *fnPackage {
	key := fnCodeKey{p.Handler, p.Zip, p.Architecture}
	k.mu.Lock()
	e, ok := k.packages[key]
	if !ok {
		e = &fnPackage{ready: make(chan struct{})}
		k.packages[key] = e
	}
	k.mu.Unlock()
	if ok {
		select {
		case <-e.ready:
			return e
		case <-ctx.Done():
			return &fnPackage{err: ctx.Err()}
		}
	}
	e.zip, e.sha, e.err = k.code.Package(ctx, p)
	if e.err != nil && ctx.Err() != nil {
		k.mu.Lock()
		delete(k.packages, key)
		k.mu.Unlock()
	}
	close(e.ready)
	return e
}

// ---- diff ----

// Diff compares the code by hash and every configuration field; all change in place.
func (k *LambdaFunction) Diff(d reconcile.Want[*spec.LambdaFunction], live reconcile.Have[*spec.LambdaFunction]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	k.diffCode(&ds, w, live.Attrs["code_sha256"])
	ds.Field("runtime", l.Runtime, w.Runtime)
	ds.Field("architecture", l.Architecture, w.Architecture)
	ds.Field("memory_mb", l.MemoryMB, w.MemoryMB)
	ds.Field("timeout_seconds", l.TimeoutSeconds, w.TimeoutSeconds)
	ds.Field("role", l.Role, w.Role)
	ds.Field("description", l.Description, w.Description)
	ds.Field("environment", l.Environment, w.Environment)
	ds.Field("vpc", fnVPC(l.VPC), fnVPC(w.VPC))
	ds.Field("tracing", l.Tracing, w.Tracing)
	ds.Field("reserved_concurrency", l.ReservedConcurrency, w.ReservedConcurrency)
	ds.Field("log_group", fnLogGroup(l.LogGroup, live.Name), fnLogGroup(w.LogGroup, d.Name))
	// A Failed function is replaced (on AWS it stays Failed whatever is updated, e.g. when its
	// network interfaces could not be made); an Inactive one is woken by an update.
	if st := live.Attrs["state"]; st != "" {
		ds = append(ds, reconcile.FieldDiff{Path: "state", Live: st, Desired: string(types.StateActive),
			ForceNew: strings.HasPrefix(st, string(types.StateFailed))})
	}
	return ds
}

// diffCode compares the live code hash with the desired package's. Packaging is local and
// deterministic, so Diff may run it (cached); a packaging error shows as the desired value.
func (k *LambdaFunction) diffCode(ds *reconcile.Diffs, w *spec.LambdaFunction, liveSHA string) {
	pk := k.pkg(context.Background(), w)
	if pk.err != nil {
		*ds = append(*ds, reconcile.FieldDiff{Path: "code", Live: liveSHA, Desired: "cannot package the code: " + pk.err.Error()})
		return
	}
	ds.Field("code", liveSHA, pk.sha)
}

// fnVPC is the comparable form of a VPC placement: sorted sets, and no placement as nil.
func fnVPC(v *spec.LambdaVPC) *spec.LambdaVPC {
	if v == nil || (len(v.SubnetIDs) == 0 && len(v.SecurityGroupIDs) == 0) {
		return nil
	}
	return &spec.LambdaVPC{SubnetIDs: reconcile.SortedSet(v.SubnetIDs), SecurityGroupIDs: reconcile.SortedSet(v.SecurityGroupIDs)}
}

// fnLogGroup is the log group a function logs to: the one named, or Lambda's default.
func fnLogGroup(group, function string) string {
	if group == "" {
		return "/aws/lambda/" + function
	}
	return group
}

// ---- list and observe ----

// List finds the functions carrying the selector's tags and observes each.
func (k *LambdaFunction) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	owned, err := fnOwned(ctx, k.wait, k.api, sel)
	if err != nil {
		return nil, err
	}
	out, err := awscall.Gather(ctx, owned, func(ctx context.Context, f fnTagged) (state.Resource, bool, error) {
		r, err := k.resource(ctx, f.cfg, f.tags)
		if errors.Is(err, reconcile.ErrNotFound) {
			return state.Resource{}, false, nil // deleted since the listing
		}
		return r, err == nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("list lambda functions: %w", err)
	}
	return out, nil
}

// get reads one function's configuration; ErrNotFound when there is none of that name.
func (k *LambdaFunction) get(ctx context.Context, name string) (types.FunctionConfiguration, error) {
	var out *lambda.GetFunctionOutput
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = k.api.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		return err
	})
	if err != nil {
		return types.FunctionConfiguration{}, awscall.NotFound(err, fnNotFound)
	}
	if out.Configuration == nil {
		return types.FunctionConfiguration{}, fmt.Errorf("lambda function %s: GetFunction returned no configuration", name)
	}
	return *out.Configuration, nil
}

// read observes one function by name: configuration, tags and reserved concurrency.
func (k *LambdaFunction) read(ctx context.Context, name string) (state.Resource, error) {
	cfg, err := k.get(ctx, name)
	if err != nil {
		return state.Resource{}, err
	}
	tags, err := fnTags(ctx, k.wait, k.api, fnBaseARN(aws.ToString(cfg.FunctionArn)))
	if err != nil {
		return state.Resource{}, err
	}
	return k.resource(ctx, cfg, tags)
}

// resource completes a function's observation with its reserved concurrency, which neither
// ListFunctions nor GetFunctionConfiguration report.
func (k *LambdaFunction) resource(ctx context.Context, cfg types.FunctionConfiguration, tags map[string]string) (state.Resource, error) {
	name := aws.ToString(cfg.FunctionName)
	conc, err := k.concurrency(ctx, name)
	if err != nil {
		return state.Resource{}, err
	}
	attrs := fnAttrs(cfg)
	if err := k.observeState(ctx, cfg, attrs); err != nil {
		return state.Resource{}, err
	}
	owner, _ := state.OwnerOf(tags)
	return state.Resource{
		Kind: "lambda.function", Owner: owner, ID: name, Name: name, Tags: tags,
		Props: fnObservedProps(cfg, conc), Attrs: attrs,
	}, nil
}

// observeState records a Failed or Inactive function as attrs["state"], "<State>: <reason>",
// for Diff: such a function cannot run, so it is not in sync however well its configuration
// matches. ListFunctions on AWS leaves State out; then GetFunctionConfiguration tells.
func (k *LambdaFunction) observeState(ctx context.Context, cfg types.FunctionConfiguration, attrs map[string]string) error {
	st, reason := cfg.State, aws.ToString(cfg.StateReason)
	if st == "" {
		out, err := awscall.Call(ctx, func(ctx context.Context) (*lambda.GetFunctionConfigurationOutput, error) {
			return k.api.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: cfg.FunctionName})
		})
		if err != nil {
			return awscall.NotFound(err, fnNotFound)
		}
		st, reason = out.State, aws.ToString(out.StateReason)
	}
	if st == types.StateFailed || st == types.StateInactive {
		attrs["state"] = fmt.Sprintf("%s: %s", st, reason)
	}
	return nil
}

func (k *LambdaFunction) concurrency(ctx context.Context, name string) (*int, error) {
	var out *lambda.GetFunctionConcurrencyOutput
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = k.api.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String(name)})
		return err
	})
	if err != nil {
		return nil, awscall.NotFound(err, fnNotFound)
	}
	if out.ReservedConcurrentExecutions == nil {
		return nil, nil
	}
	n := int(*out.ReservedConcurrentExecutions)
	return &n, nil
}

// fnObservedProps reads a configuration into the spec's language. Handler and Zip stay empty:
// the function cannot say what its code was built from (Diff compares the code by hash). A
// function outside any VPC reads back as an empty VpcConfig, which is no placement.
func fnObservedProps(cfg types.FunctionConfiguration, conc *int) *spec.LambdaFunction {
	p := &spec.LambdaFunction{
		Runtime:             string(cfg.Runtime),
		Architecture:        string(types.ArchitectureX8664), // Lambda's default when none is reported
		MemoryMB:            int(aws.ToInt32(cfg.MemorySize)),
		TimeoutSeconds:      int(aws.ToInt32(cfg.Timeout)),
		Role:                aws.ToString(cfg.Role),
		Description:         aws.ToString(cfg.Description),
		Tracing:             string(types.TracingModePassThrough),
		ReservedConcurrency: conc,
	}
	if len(cfg.Architectures) > 0 {
		p.Architecture = string(cfg.Architectures[0])
	}
	if cfg.Environment != nil && len(cfg.Environment.Variables) > 0 {
		p.Environment = cfg.Environment.Variables
	}
	if v := cfg.VpcConfig; v != nil {
		// VpcId is left out: only subnets and groups are desired (and moto makes one up).
		p.VPC = fnVPC(&spec.LambdaVPC{SubnetIDs: v.SubnetIds, SecurityGroupIDs: v.SecurityGroupIds})
	}
	if cfg.TracingConfig != nil && cfg.TracingConfig.Mode != "" {
		p.Tracing = string(cfg.TracingConfig.Mode)
	}
	if cfg.LoggingConfig != nil {
		p.LogGroup = aws.ToString(cfg.LoggingConfig.LogGroup)
	}
	return p
}

// fnAttrs are the referable attributes, plus code_sha256 for Diff.
func fnAttrs(cfg types.FunctionConfiguration) map[string]string {
	arn := fnBaseARN(aws.ToString(cfg.FunctionArn))
	return map[string]string{
		"arn":         arn,
		"name":        aws.ToString(cfg.FunctionName),
		"invoke_arn":  fnInvokeARN(arn),
		"version":     aws.ToString(cfg.Version),
		"code_sha256": aws.ToString(cfg.CodeSha256),
	}
}

// fnInvokeARN is the URI API Gateway integrations call the function by:
// arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations.
func fnInvokeARN(functionARN string) string {
	parts := strings.SplitN(functionARN, ":", 5) // arn, partition, lambda, region, rest
	if len(parts) < 5 {
		return ""
	}
	return fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", parts[1], parts[3], functionARN)
}

// ---- create ----

// Create creates the function with the ownership tags in CreateFunction, or adopts a function
// of that name that carries d's ownership tags. It sends CreateFunction without looking the
// name up first: Lambda keeps function names unique, so a function already there (ours from a
// run cut short, another's, or the one made by a create whose answer was lost and that the SDK
// sent again) comes back as ResourceConflictException, and only then is it read and decided by
// its tags. (Lambda also answers ResourceConflictException for "a change is in progress", which
// only an existing function can have, so reading it settles both.)
//
// Calls, one after another: CreateFunction; the wait until Active; PutFunctionConcurrency when
// d reserves any. The wait reads the function even when CreateFunction's answer already says
// Active (emulators do; AWS answers Pending): that read is what shows the function visible
// (a new function misses reads for a moment), and what refers to it, its permissions for one,
// reads it next. The concurrency is put after the wait: Lambda refuses changes to a Pending
// function.
func (k *LambdaFunction) Create(ctx context.Context, d reconcile.Want[*spec.LambdaFunction]) (state.Resource, error) {
	p := d.Props
	pk := k.pkg(ctx, p)
	if pk.err != nil {
		return state.Resource{}, fmt.Errorf("create lambda function %s: package code: %w", d.Name, pk.err)
	}
	err := k.createFunction(ctx, d, p, pk)
	if awscall.Is(err, fnConflict) {
		return k.existing(ctx, d, err)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, err)
	}
	var cfg types.FunctionConfiguration
	err = k.visible(ctx, d.Name, func(ctx context.Context) (err error) { cfg, err = k.settle(ctx, d.Name, true); return err })
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, err)
	}
	// CreateFunction takes no reserved concurrency; a crash before this call leaves a function
	// that a rerun adopts and brings to d.
	if p.ReservedConcurrency != nil {
		if err := k.setConcurrency(ctx, d.Name, p.ReservedConcurrency); err != nil {
			return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, err)
		}
	}
	return k.created(cfg, d.Tags, p.ReservedConcurrency), nil
}

// existing settles a CreateFunction that answered conflict: the function of that name is read
// (waiting while a function a lost answer just made does not read back yet) and adopted when
// it carries d's ownership tags, refused untouched otherwise.
func (k *LambdaFunction) existing(ctx context.Context, d reconcile.Want[*spec.LambdaFunction], conflict error) (state.Resource, error) {
	var cfg types.FunctionConfiguration
	err := k.visible(ctx, d.Name, func(ctx context.Context) (err error) { cfg, err = k.get(ctx, d.Name); return err })
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda function %s: %w; reading the function of that name: %w", d.Name, conflict, err)
	}
	return k.adopt(ctx, d, cfg)
}

// created observes a function just created from the answers alone, without reading it back:
// cfg is the settled configuration, the tags are those CreateFunction carried, and the
// reserved concurrency is the one put (a new function has none otherwise). strict settling
// has refused a Failed function, so no state is recorded.
func (k *LambdaFunction) created(cfg types.FunctionConfiguration, tags map[string]string, conc *int) state.Resource {
	if tags = maps.Clone(tags); tags == nil {
		tags = map[string]string{} // as ListTags reads an untagged function
	}
	if conc != nil {
		n := *conc
		conc = &n
	}
	name := aws.ToString(cfg.FunctionName)
	owner, _ := state.OwnerOf(tags)
	return state.Resource{
		Kind: "lambda.function", Owner: owner, ID: name, Name: name, Tags: tags,
		Props: fnObservedProps(cfg, conc), Attrs: fnAttrs(cfg),
	}
}

// visible waits for read of a function just created to stop answering not found: GetFunction
// and its siblings miss a new function for a moment (the Terraform AWS provider retries them
// under its Lambda propagation timeout).
func (k *LambdaFunction) visible(ctx context.Context, name string, read func(ctx context.Context) error) error {
	return awscall.Visible(ctx, k.wait, "lambda function "+name, read)
}

// createFunction retries while the execution role has not propagated through IAM (a fresh
// role: awscall.RoleBudget), showing each "not yet" as progress.
func (k *LambdaFunction) createFunction(ctx context.Context, d reconcile.Want[*spec.LambdaFunction], p *spec.LambdaFunction, pk *fnPackage) error {
	in := &lambda.CreateFunctionInput{
		FunctionName:  aws.String(d.Name),
		Role:          aws.String(p.Role),
		Runtime:       types.Runtime(p.Runtime),
		Handler:       aws.String(fnHandler),
		PackageType:   types.PackageTypeZip,
		Code:          &types.FunctionCode{ZipFile: pk.zip},
		Architectures: []types.Architecture{types.Architecture(p.Architecture)},
		MemorySize:    aws.Int32(int32(p.MemoryMB)),
		Timeout:       aws.Int32(int32(p.TimeoutSeconds)),
		Description:   aws.String(p.Description),
		TracingConfig: &types.TracingConfig{Mode: types.TracingMode(p.Tracing)},
		Tags:          d.Tags,
	}
	if len(p.Environment) > 0 {
		in.Environment = &types.Environment{Variables: p.Environment}
	}
	if v := fnVPC(p.VPC); v != nil {
		in.VpcConfig = &types.VpcConfig{SubnetIds: v.SubnetIDs, SecurityGroupIds: v.SecurityGroupIDs}
	}
	if p.LogGroup != "" {
		in.LoggingConfig = fnLoggingConfig(p.LogGroup, d.Name)
	}
	start := time.Now()
	return awscall.Do(ctx, awscall.Within(k.wait, awscall.RoleBudget), fnRetryIAM(), func(ctx context.Context) error {
		_, err := k.api.CreateFunction(ctx, in)
		if fnIAMNotReady(err) {
			awscall.NoteRoleWait(ctx, start, "role "+p.Role+" to Lambda", err)
		}
		return err
	})
}

// fnRetryIAM retries throttling and the role-not-propagated answers.
func fnRetryIAM() func(error) bool {
	throttled := awscall.RetryCodes()
	return func(err error) bool { return throttled(err) || fnIAMNotReady(err) }
}

func fnLoggingConfig(group, function string) *types.LoggingConfig {
	return &types.LoggingConfig{LogGroup: aws.String(fnLogGroup(group, function)), LogFormat: types.LogFormatText}
}

// adopt takes over an existing function when it carries d's ownership tags, and brings it to d.
func (k *LambdaFunction) adopt(ctx context.Context, d reconcile.Want[*spec.LambdaFunction], cfg types.FunctionConfiguration) (state.Resource, error) {
	tags, err := fnTags(ctx, k.wait, k.api, fnBaseARN(aws.ToString(cfg.FunctionArn)))
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, err)
	}
	if !d.Owner.Owns(tags) {
		return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, awscall.NotOwned("lambda function", d.Name, tags))
	}
	if cfg.State == types.StatePending || cfg.LastUpdateStatus == types.LastUpdateStatusInProgress {
		// Most often the function a lost CreateFunction answer made: like a create, the adoption
		// is done only once it is Active, even when nothing else is to change.
		if cfg, err = k.settle(ctx, d.Name, false); err != nil {
			return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, err)
		}
	}
	live, err := k.resource(ctx, cfg, tags)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda function %s: %w", d.Name, err)
	}
	if miscSettled(k, d, live) {
		return live, nil
	}
	return miscAdopt(ctx, k, d, live)
}

// ---- update ----

// Update brings the code, the configuration, the reserved concurrency and the tags to d, each
// step after the function has settled from the previous one.
func (k *LambdaFunction) Update(ctx context.Context, d reconcile.Want[*spec.LambdaFunction], live reconcile.Have[*spec.LambdaFunction], changes reconcile.Changes) (state.Resource, error) {
	w := d.Props
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update lambda function %s: %w", d.Name, awscall.NotOwned("lambda function", live.Name, live.Tags))
	}
	if err := k.apply(ctx, d, w, live.Resource, changes); err != nil {
		return state.Resource{}, fmt.Errorf("update lambda function %s: %w", d.Name, err)
	}
	r, err := k.read(ctx, live.ID)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update lambda function %s: read back: %w", d.Name, err)
	}
	return r, nil
}

func (k *LambdaFunction) apply(ctx context.Context, d reconcile.Want[*spec.LambdaFunction], w *spec.LambdaFunction, live state.Resource, changes reconcile.Changes) error {
	name := live.ID
	pk := k.pkg(ctx, w)
	if pk.err != nil {
		return fmt.Errorf("package code: %w", pk.err)
	}
	// A function left Pending or InProgress by an earlier run accepts no change yet; one left
	// Failed may be fixed by this one.
	if _, err := k.settle(ctx, name, false); err != nil {
		return err
	}
	if changes.Changed("code", "architecture") {
		if err := k.updateCode(ctx, name, w, pk); err != nil {
			return err
		}
	}
	in := fnConfigUpdate(name, w, changes)
	if in == nil && strings.HasPrefix(live.Attrs["state"], string(types.StateInactive)) {
		// Nothing else to change: a configuration update is what makes Lambda reactivate it.
		in = &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Description: aws.String(w.Description)}
	}
	if in != nil {
		if err := k.updateConfig(ctx, in); err != nil {
			return err
		}
	}
	if changes.Changed("reserved_concurrency") {
		if err := k.setConcurrency(ctx, name, w.ReservedConcurrency); err != nil {
			return err
		}
	}
	if err := k.syncTags(ctx, live.Attrs["arn"], live.Tags, d.Tags); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	return nil
}

// updateCode uploads the package; the architecture travels with the code.
func (k *LambdaFunction) updateCode(ctx context.Context, name string, w *spec.LambdaFunction, pk *fnPackage) error {
	in := &lambda.UpdateFunctionCodeInput{
		FunctionName:  aws.String(name),
		ZipFile:       pk.zip,
		Architectures: []types.Architecture{types.Architecture(w.Architecture)},
	}
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
		_, err := k.api.UpdateFunctionCode(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("update code: %w", err)
	}
	_, err = k.settle(ctx, name, true)
	return err
}

// updateConfig retries a change in progress and, for a new role or VPC, the answers Lambda
// gives until the role has propagated through IAM.
func (k *LambdaFunction) updateConfig(ctx context.Context, in *lambda.UpdateFunctionConfigurationInput) error {
	retry, start := fnRetryIAM(), time.Now()
	err := awscall.Do(ctx, k.wait, func(err error) bool { return retry(err) || awscall.Is(err, fnConflict) },
		func(ctx context.Context) error {
			_, err := k.api.UpdateFunctionConfiguration(ctx, in)
			if fnIAMNotReady(err) {
				awscall.NoteRoleWait(ctx, start, "role "+aws.ToString(in.Role)+" to Lambda", err)
			}
			return err
		})
	if err != nil {
		return fmt.Errorf("update configuration: %w", err)
	}
	_, err = k.settle(ctx, aws.ToString(in.FunctionName), true)
	return err
}

// fnConfigUpdate is the UpdateFunctionConfiguration that brings the configuration paths the
// plan's changes name to w; nil when they name none. An empty environment or VPC placement is
// sent as empty lists, which is how Lambda removes them.
func fnConfigUpdate(name string, w *spec.LambdaFunction, changes reconcile.Changes) *lambda.UpdateFunctionConfigurationInput {
	in := &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name)}
	changed := false
	fields := []struct {
		path string
		set  func()
	}{
		{"runtime", func() { in.Runtime = types.Runtime(w.Runtime) }},
		{"memory_mb", func() { in.MemorySize = aws.Int32(int32(w.MemoryMB)) }},
		{"timeout_seconds", func() { in.Timeout = aws.Int32(int32(w.TimeoutSeconds)) }},
		{"role", func() { in.Role = aws.String(w.Role) }},
		{"description", func() { in.Description = aws.String(w.Description) }},
		{"environment", func() { in.Environment = fnEnvironment(w.Environment) }},
		{"vpc", func() { in.VpcConfig = fnVPCConfig(w.VPC) }},
		{"tracing", func() { in.TracingConfig = &types.TracingConfig{Mode: types.TracingMode(w.Tracing)} }},
		{"log_group", func() { in.LoggingConfig = fnLoggingConfig(w.LogGroup, name) }},
	}
	for _, f := range fields {
		if changes.Changed(f.path) {
			f.set()
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return in
}

// fnEnvironment is the environment as an update sends it: never nil, since an empty map is how
// Lambda removes the variables.
func fnEnvironment(env map[string]string) *types.Environment {
	vars := make(map[string]string, len(env))
	for k, v := range env {
		vars[k] = v
	}
	return &types.Environment{Variables: vars}
}

// fnVPCConfig is the VPC placement as an update sends it: empty lists detach the function.
func fnVPCConfig(v *spec.LambdaVPC) *types.VpcConfig {
	c := &types.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}
	if v := fnVPC(v); v != nil {
		c.SubnetIds, c.SecurityGroupIds = v.SubnetIDs, v.SecurityGroupIDs
	}
	return c
}

// setConcurrency reserves n concurrent executions, or removes the reservation for nil.
func (k *LambdaFunction) setConcurrency(ctx context.Context, name string, n *int) error {
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
		if n == nil {
			_, err := k.api.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(name)})
			return err
		}
		_, err := k.api.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{
			FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(int32(*n)),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("reserved concurrency: %w", err)
	}
	return nil
}

func (k *LambdaFunction) syncTags(ctx context.Context, arn string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		return awscall.Do(ctx, k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
			_, err := k.api.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: set})
			return err
		})
	}, func(keys []string) error {
		return awscall.Do(ctx, k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
			_, err := k.api.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: keys})
			return err
		})
	})
}

// ---- waiting ----

// settle waits until no operation on the function is in progress (State not Pending,
// LastUpdateStatus not InProgress). strict, after our own change, makes a Failed state or
// update an error carrying Lambda's reason.
// It returns the settled configuration, so that Create need not read it back.
func (k *LambdaFunction) settle(ctx context.Context, name string, strict bool) (types.FunctionConfiguration, error) {
	var last *lambda.GetFunctionConfigurationOutput
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		out, err := awscall.Call(ctx, func(ctx context.Context) (*lambda.GetFunctionConfigurationOutput, error) {
			return k.api.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		})
		if err != nil {
			return !awscall.Is(err, awscall.ThrottleCodes...), awscall.NotFound(err, fnNotFound)
		}
		last = out
		return fnSettled(out.State, aws.ToString(out.StateReason), out.LastUpdateStatus, aws.ToString(out.LastUpdateStatusReason), strict)
	})
	if err != nil {
		return types.FunctionConfiguration{}, fmt.Errorf("wait until settled: %w", err)
	}
	return fnConfigOf(last), nil
}

// fnConfigOf is GetFunctionConfiguration's answer as the configuration GetFunction holds:
// the fields the kind observes.
func fnConfigOf(o *lambda.GetFunctionConfigurationOutput) types.FunctionConfiguration {
	return types.FunctionConfiguration{
		FunctionName: o.FunctionName, FunctionArn: o.FunctionArn, Version: o.Version, Runtime: o.Runtime, Role: o.Role,
		Handler: o.Handler, MemorySize: o.MemorySize, Timeout: o.Timeout, Description: o.Description,
		Architectures: o.Architectures, CodeSha256: o.CodeSha256, Environment: o.Environment, VpcConfig: o.VpcConfig,
		TracingConfig: o.TracingConfig, LoggingConfig: o.LoggingConfig, State: o.State, StateReason: o.StateReason,
		LastUpdateStatus: o.LastUpdateStatus, LastUpdateStatusReason: o.LastUpdateStatusReason,
	}
}

// fnSettled judges one reading of a function's state for settle.
func fnSettled(st types.State, reason string, upd types.LastUpdateStatus, updReason string, strict bool) (bool, error) {
	switch {
	case strict && st == types.StateFailed:
		return true, fmt.Errorf("the function is Failed: %s", reason)
	case strict && upd == types.LastUpdateStatusFailed:
		return true, fmt.Errorf("the last update Failed: %s", updReason)
	case st == types.StatePending || upd == types.LastUpdateStatusInProgress:
		return false, fmt.Errorf("state %s, last update %s", st, upd)
	}
	return true, nil
}

// ---- delete ----

// Delete re-reads the function's tags, deletes it only when they still are live's ownership
// tags, and waits until it is gone. Its network interfaces in a VPC outlive it for a while;
// waiting for those is the security group's and subnet's business.
func (k *LambdaFunction) Delete(ctx context.Context, live state.Resource) error {
	arn := live.Attrs["arn"]
	if arn == "" {
		cfg, err := k.get(ctx, live.ID)
		if errors.Is(err, reconcile.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete lambda function %s: %w", live.Name, err)
		}
		arn = fnBaseARN(aws.ToString(cfg.FunctionArn))
	}
	tags, err := fnTags(ctx, k.wait, k.api, arn)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete lambda function %s: %w", live.Name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete lambda function %s: %w", live.Name, awscall.NotOwned("lambda function", live.Name, tags))
	}
	err = awscall.Do(ctx, k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
		_, err := k.api.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(live.ID)})
		return awscall.NotFound(err, fnNotFound)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete lambda function %s: %w", live.Name, err)
	}
	return k.waitGone(ctx, live.ID)
}

func (k *LambdaFunction) waitGone(ctx context.Context, name string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		_, err := awscall.Call(ctx, func(ctx context.Context) (*lambda.GetFunctionConfigurationOutput, error) {
			return k.api.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		})
		switch {
		case awscall.Is(err, fnNotFound):
			return true, nil
		case err != nil:
			return false, err
		}
		return false, errors.New("the function still exists")
	})
	if err != nil {
		return fmt.Errorf("delete lambda function %s: wait until gone: %w", name, err)
	}
	return nil
}
