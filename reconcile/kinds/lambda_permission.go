package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// LambdaPermissionAPI is the part of the Lambda API the lambda.permission kind uses;
// *lambda.Client satisfies it.
type LambdaPermissionAPI interface {
	ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, opts ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
	ListTags(ctx context.Context, in *lambda.ListTagsInput, opts ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
	GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
	GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, opts ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	AddPermission(ctx context.Context, in *lambda.AddPermissionInput, opts ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error)
	RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, opts ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error)
}

// LambdaPermission implements lambda.permission: one statement of a function's resource
// policy, named by its statement id (the physical name). Its ID is "<function name>/<sid>".
//
// A permission cannot carry tags. It belongs to its function, which must carry the stack's and
// suffix's ownership tags, and it is found through it: the statement of logical L in stack S
// with suffix X has the id S-L-X, the spec's default name shape. A permission given a custom
// name is therefore not found by List (it shows as missing, and Create then adopts it when its
// content matches). Its observed tags are its ownership tags plus the function's user tags, the
// closest thing to tags it has.
//
// Every property forces a replacement: Lambda has no call that changes a statement.
type LambdaPermission struct {
	api  LambdaPermissionAPI
	wait reconcile.Backoff
}

// NewLambdaPermission returns the lambda.permission kind over api (a *lambda.Client).
func NewLambdaPermission(api LambdaPermissionAPI) *LambdaPermission {
	return &LambdaPermission{api: api, wait: reconcile.DefaultBackoff}
}

func (*LambdaPermission) Kind() string { return "lambda.permission" }

// Diff compares every field, all ForceNew. The function may be named by name or ARN on either
// side, so only its name is compared.
func (*LambdaPermission) Diff(d reconcile.Want[*spec.LambdaPermission], live reconcile.Have[*spec.LambdaPermission]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.ForceNew("function", fnNameOf(l.Function), fnNameOf(w.Function))
	ds.ForceNew("action", l.Action, w.Action)
	ds.ForceNew("principal", l.Principal, w.Principal)
	ds.ForceNew("source_arn", l.SourceARN, w.SourceARN)
	return ds
}

// ---- list and observe ----

// List reads the resource policy of every function carrying the selector's tags and returns
// the statements whose ids have the default name shape of that function's stack and suffix.
func (k *LambdaPermission) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	owned, err := fnOwned(ctx, k.wait, k.api, sel)
	if err != nil {
		return nil, fmt.Errorf("list lambda permissions: %w", err)
	}
	perFunction, err := awscall.Gather(ctx, owned, func(ctx context.Context, f fnTagged) ([]state.Resource, bool, error) {
		stmts, err := k.statements(ctx, aws.ToString(f.cfg.FunctionName))
		if err != nil {
			return nil, false, fmt.Errorf("list lambda permissions: %s: %w", aws.ToString(f.cfg.FunctionName), err)
		}
		var rs []state.Resource
		for _, st := range stmts {
			if logical, ok := fnLogicalOf(st.Sid, f.tags); ok {
				rs = append(rs, fnPermissionResource(aws.ToString(f.cfg.FunctionName), st, f.tags, logical))
			}
		}
		return rs, true, nil
	})
	if err != nil {
		return nil, err
	}
	var out []state.Resource
	for _, rs := range perFunction {
		out = append(out, rs...)
	}
	return out, nil
}

// fnLogicalOf derives the logical name from a statement id of the default shape
// <stack>-<logical>-<suffix>, the stack and suffix being the function's.
func fnLogicalOf(sid string, functionTags map[string]string) (string, bool) {
	prefix, suffix := functionTags[state.TagStack]+"-", "-"+functionTags[state.TagSuffix]
	if len(sid) <= len(prefix)+len(suffix) || !strings.HasPrefix(sid, prefix) || !strings.HasSuffix(sid, suffix) {
		return "", false
	}
	return sid[len(prefix) : len(sid)-len(suffix)], true
}

// fnPermissionResource is one observed statement of function fn.
func fnPermissionResource(fn string, st fnStatement, functionTags map[string]string, logical string) state.Resource {
	fo, _ := state.OwnerOf(functionTags)
	owner := state.Owner{Stack: fo.Stack, Suffix: fo.Suffix, ID: logical}
	tags := state.UserTags(functionTags)
	for k, v := range owner.Tags() {
		tags[k] = v
	}
	return state.Resource{
		Kind: "lambda.permission", Owner: owner, ID: fn + "/" + st.Sid, Name: st.Sid, Tags: tags,
		Props: st.props(), Attrs: map[string]string{"statement_id": st.Sid},
	}
}

// fnStatement is one resource-policy statement, reduced to what a permission says.
type fnStatement struct {
	Sid       string
	Resource  string
	Action    string
	Principal string
	SourceARN string
}

func (st fnStatement) props() *spec.LambdaPermission {
	return &spec.LambdaPermission{Function: st.Resource, Action: st.Action, Principal: st.Principal, SourceARN: st.SourceARN}
}

// statements reads a function's resource policy; a function without one has none.
func (k *LambdaPermission) statements(ctx context.Context, function string) ([]fnStatement, error) {
	var out *lambda.GetPolicyOutput
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = k.api.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(function)})
		return err
	})
	if awscall.Is(err, fnNotFound) {
		return nil, nil // no policy, or no function any more
	}
	if err != nil {
		return nil, err
	}
	return fnParsePolicy(aws.ToString(out.Policy))
}

// fnPolicyStatement is a statement as Lambda writes it: Action a string, Principal a string
// ("*") or an object, Condition an object of operators.
type fnPolicyStatement struct {
	Sid       string                                `json:"Sid"`
	Action    iamStrings                            `json:"Action"`
	Resource  iamStrings                            `json:"Resource"`
	Principal json.RawMessage                       `json:"Principal"`
	Condition map[string]map[string]json.RawMessage `json:"Condition"`
}

// fnParsePolicy reads a resource policy document into statements.
func fnParsePolicy(doc string) ([]fnStatement, error) {
	if doc == "" {
		return nil, nil
	}
	var p struct {
		Statement []fnPolicyStatement `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("parse resource policy: %w", err)
	}
	out := make([]fnStatement, 0, len(p.Statement))
	for _, s := range p.Statement {
		out = append(out, fnStatement{
			Sid:       s.Sid,
			Resource:  fnBaseARN(strings.Join(s.Resource, ",")),
			Action:    strings.Join(s.Action, ","),
			Principal: fnPrincipal(s.Principal),
			SourceARN: fnConditionValue(s.Condition, "ArnLike", "AWS:SourceArn"),
		})
	}
	return out, nil
}

// fnAccountRoot matches the form an account principal reads back in: arn:aws:iam::123456789012:root.
var fnAccountRoot = regexp.MustCompile(`^arn:[^:]+:iam::(\d{12}):root$`)

// fnPrincipal reads a statement's principal back in AddPermission's terms: a service name,
// an account id (Lambda stores it as the account's root ARN), an ARN, or "*".
func fnPrincipal(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]iamStrings
	if json.Unmarshal(raw, &m) != nil {
		return string(raw)
	}
	if v := m["Service"]; len(v) > 0 {
		return strings.Join(v, ",")
	}
	if v := m["AWS"]; len(v) > 0 {
		p := strings.Join(v, ",")
		if sub := fnAccountRoot.FindStringSubmatch(p); sub != nil {
			return sub[1]
		}
		return p
	}
	return string(raw)
}

// fnConditionValue reads one condition key's value (a string or a one-element list).
func fnConditionValue(cond map[string]map[string]json.RawMessage, op, key string) string {
	raw, ok := cond[op][key]
	if !ok {
		return ""
	}
	var v iamStrings
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return strings.Join(v, ",")
}

// ---- create ----

// Create adds the statement to the function's policy. The function must carry d's stack and
// suffix ownership tags (the permission's only ownership), else ErrNotOwned. A statement of
// that id already there is adopted when it says the same, and is an error otherwise.
func (k *LambdaPermission) Create(ctx context.Context, d reconcile.Want[*spec.LambdaPermission]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) { return k.tryCreate(ctx, d) })
}

// tryCreate is one attempt of Create: adopt an earlier attempt if there is one, else send the
// create call once (awscall.Once), whose unknown outcome Settle settles by trying again.
func (k *LambdaPermission) tryCreate(ctx context.Context, d reconcile.Want[*spec.LambdaPermission]) (state.Resource, error) {
	p := d.Props
	fn, tags, err := k.function(ctx, p.Function)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda permission %s: %w", d.Name, err)
	}
	if !fnSameStack(tags, d.Owner) {
		return state.Resource{}, fmt.Errorf("create lambda permission %s: %w", d.Name, awscall.NotOwned("lambda function", fn, tags))
	}
	r, found, err := k.existing(ctx, d, fn, tags)
	if err == nil && !found {
		if err = k.add(ctx, d, p, fn, tags); err == nil {
			r, err = k.readBack(ctx, d, fn, tags)
		}
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create lambda permission %s: %w", d.Name, err)
	}
	return r, nil
}

// function resolves a function name or ARN to its name and tags.
func (k *LambdaPermission) function(ctx context.Context, nameOrARN string) (string, map[string]string, error) {
	var out *lambda.GetFunctionConfigurationOutput
	err := awscall.Do(ctx, k.wait, awscall.RetryCodes(), func(ctx context.Context) (err error) {
		out, err = k.api.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(nameOrARN)})
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("function %s: %w", nameOrARN, awscall.NotFound(err, fnNotFound))
	}
	tags, err := fnTags(ctx, k.wait, k.api, fnBaseARN(aws.ToString(out.FunctionArn)))
	if err != nil {
		return "", nil, fmt.Errorf("function %s: %w", nameOrARN, err)
	}
	return aws.ToString(out.FunctionName), tags, nil
}

// existing looks for a statement of d's id in fn's policy: found and the same → adopted;
// found and different → an error, since a statement cannot be changed and replacing it is the
// planner's decision.
func (k *LambdaPermission) existing(ctx context.Context, d reconcile.Want[*spec.LambdaPermission], fn string, tags map[string]string) (state.Resource, bool, error) {
	stmts, err := k.statements(ctx, fn)
	if err != nil {
		return state.Resource{}, false, fmt.Errorf("read the policy of %s: %w", fn, err)
	}
	for _, st := range stmts {
		if st.Sid != d.Name {
			continue
		}
		r := fnPermissionResource(fn, st, tags, d.Owner.ID)
		h, err := reconcile.HaveOf[spec.LambdaPermission](k.Kind(), r)
		if err != nil {
			return state.Resource{}, true, err
		}
		if diffs := k.Diff(d, h); len(diffs) > 0 {
			return state.Resource{}, true, fmt.Errorf("function %s already has a statement of that id that differs in %s; delete it or let a plan replace it",
				fn, fnDiffPaths(diffs))
		}
		return r, true, nil
	}
	return state.Resource{}, false, nil
}

func fnDiffPaths(diffs []reconcile.FieldDiff) string {
	paths := make([]string, len(diffs))
	for i, d := range diffs {
		paths[i] = d.Path
	}
	return strings.Join(paths, ", ")
}

// add calls AddPermission. ResourceConflictException is either "that statement id exists"
// (someone added it since our read: decided like any existing statement) or "the policy is
// being changed" (wait and retry).
func (k *LambdaPermission) add(ctx context.Context, d reconcile.Want[*spec.LambdaPermission], p *spec.LambdaPermission, fn string, tags map[string]string) error {
	in := &lambda.AddPermissionInput{
		FunctionName: aws.String(fn),
		StatementId:  aws.String(d.Name),
		Action:       aws.String(p.Action),
		Principal:    aws.String(p.Principal),
	}
	if p.SourceARN != "" {
		in.SourceArn = aws.String(p.SourceARN)
	}
	return awscall.Do(awscall.Once(ctx), k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
		_, err := k.api.AddPermission(ctx, in)
		if awscall.Is(err, fnConflict) {
			if _, found, xerr := k.existing(ctx, d, fn, tags); found {
				return xerr // adopted (nil) or differing
			}
		}
		return err
	})
}

// readBack reads the new statement until the policy shows it.
func (k *LambdaPermission) readBack(ctx context.Context, d reconcile.Want[*spec.LambdaPermission], fn string, tags map[string]string) (state.Resource, error) {
	var got state.Resource
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		r, found, err := k.existing(ctx, d, fn, tags)
		if err != nil || found {
			got = r
			return true, err
		}
		return false, errors.New("the statement is not in the policy yet")
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("read back: %w", err)
	}
	return got, nil
}

// ---- update ----

// Update is called only for tag differences, since every property forces a replacement: the
// tags belong to the function, whose own update handles them, so it re-reads the statement.
// Should it be called with a property change, it removes the statement and adds d's.
func (k *LambdaPermission) Update(ctx context.Context, d reconcile.Want[*spec.LambdaPermission], live reconcile.Have[*spec.LambdaPermission], changes reconcile.Changes) (state.Resource, error) {
	if len(changes.Except("tags")) == 0 {
		fn, _, _ := strings.Cut(live.ID, "/")
		_, tags, err := k.function(ctx, fn)
		if err != nil {
			return state.Resource{}, fmt.Errorf("update lambda permission %s: %w", d.Name, err)
		}
		r, err := k.readBack(ctx, d, fn, tags)
		if err != nil {
			return state.Resource{}, fmt.Errorf("update lambda permission %s: %w", d.Name, err)
		}
		return r, nil
	}
	if err := k.Delete(ctx, live.Resource); err != nil {
		return state.Resource{}, fmt.Errorf("update lambda permission %s: %w", d.Name, err)
	}
	return k.Create(ctx, d)
}

// ---- delete ----

// Delete removes the statement when its function still carries live's stack and suffix tags,
// and waits until the policy no longer shows it. A function already gone took it along.
func (k *LambdaPermission) Delete(ctx context.Context, live state.Resource) error {
	fn, sid, ok := strings.Cut(live.ID, "/")
	if !ok {
		return fmt.Errorf("delete lambda permission %s: id %q is not <function>/<statement id>", live.Name, live.ID)
	}
	_, tags, err := k.function(ctx, fn)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete lambda permission %s: %w", live.Name, err)
	}
	if !fnSameStack(tags, live.Owner) {
		return fmt.Errorf("delete lambda permission %s: %w", live.Name, awscall.NotOwned("lambda function", fn, tags))
	}
	err = awscall.Do(ctx, k.wait, awscall.RetryCodes(fnConflict), func(ctx context.Context) error {
		_, err := k.api.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(fn), StatementId: aws.String(sid)})
		return awscall.NotFound(err, fnNotFound)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete lambda permission %s: %w", live.Name, err)
	}
	return k.waitGone(ctx, fn, sid)
}

func (k *LambdaPermission) waitGone(ctx context.Context, fn, sid string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		stmts, err := k.statements(ctx, fn)
		if err != nil {
			return false, err
		}
		for _, st := range stmts {
			if st.Sid == sid {
				return false, errors.New("the statement is still in the policy")
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("delete lambda permission %s: wait until gone: %w", sid, err)
	}
	return nil
}
