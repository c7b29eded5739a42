package kinds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// IAMRoleAPI is the part of the IAM API the iam.role kind uses; *iam.Client satisfies it.
type IAMRoleAPI interface {
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, opts ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	GetRole(ctx context.Context, in *iam.GetRoleInput, opts ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, opts ...func(*iam.Options)) (*iam.ListRolesOutput, error)
	GetAccountAuthorizationDetails(ctx context.Context, in *iam.GetAccountAuthorizationDetailsInput, opts ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error)
	ListRoleTags(ctx context.Context, in *iam.ListRoleTagsInput, opts ...func(*iam.Options)) (*iam.ListRoleTagsOutput, error)
	TagRole(ctx context.Context, in *iam.TagRoleInput, opts ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	UntagRole(ctx context.Context, in *iam.UntagRoleInput, opts ...func(*iam.Options)) (*iam.UntagRoleOutput, error)
	UpdateRole(ctx context.Context, in *iam.UpdateRoleInput, opts ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, opts ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, opts ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, opts ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, opts ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, opts ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, opts ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, opts ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	ListInstanceProfilesForRole(ctx context.Context, in *iam.ListInstanceProfilesForRoleInput, opts ...func(*iam.Options)) (*iam.ListInstanceProfilesForRoleOutput, error)
	RemoveRoleFromInstanceProfile(ctx context.Context, in *iam.RemoveRoleFromInstanceProfileInput, opts ...func(*iam.Options)) (*iam.RemoveRoleFromInstanceProfileOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, opts ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
}

// IAMRole implements iam.role. Its ID is the role name. Inline policies (which cannot be
// tagged) and managed-policy attachments belong to it and are observed through it.
//
// Only path forces a replacement (IAM has no call to change it); description, max session
// duration, the trust policy, inline policies and attachments all change in place.
type IAMRole struct {
	api  IAMRoleAPI
	wait reconcile.Backoff
}

// NewIAMRole returns the iam.role kind over api (an *iam.Client).
func NewIAMRole(api IAMRoleAPI) *IAMRole {
	return &IAMRole{api: api, wait: reconcile.DefaultBackoff}
}

const (
	iamNoSuchEntity   = awscall.NoSuchEntity
	iamConcurrentMod  = "ConcurrentModification"
	iamDeleteConflict = "DeleteConflict"
	iamAlreadyExists  = "EntityAlreadyExists"
)

// iamRetryWrite retries what IAM answers while a just-written role propagates: IAM is
// eventually consistent, so a role created a moment ago can be NoSuchEntity for seconds.
var iamRetryWrite = awscall.RetryCodes(iamNoSuchEntity, iamConcurrentMod)

// iamRetryOther retries what is never about the entity being missing.
var iamRetryOther = awscall.RetryCodes(iamConcurrentMod)

func (*IAMRole) Kind() string { return "iam.role" }

// Diff compares what the kind manages; path forces a replacement.
func (*IAMRole) Diff(d reconcile.Want[*spec.IAMRole], live reconcile.Have[*spec.IAMRole]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("description", l.Description, w.Description)
	ds.ForceNew("path", iamPath(l.Path), iamPath(w.Path))
	ds.Set("assumed_by", l.AssumedBy, w.AssumedBy)
	ds.Field("max_session_duration", iamMaxSession(l.MaxSessionDuration), iamMaxSession(w.MaxSessionDuration))
	lp, wp := iamNormPolicies(l.Policies), iamNormPolicies(w.Policies)
	for _, name := range iamPolicyNames(lp, wp) {
		ds.Field("policies."+name, lp[name], wp[name])
	}
	ds.Set("managed_policy_arns", l.ManagedPolicyARNs, w.ManagedPolicyARNs)
	return ds
}

func iamPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func iamMaxSession(s int) int {
	if s == 0 {
		return 3600
	}
	return s
}

func iamPolicyNames(a, b map[string][]spec.Statement) []string {
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// List finds our roles with two account-wide reads and no per-role read: ListRoles, which
// carries each role but not its tags, and GetAccountAuthorizationDetails (roles only), which
// carries every role's tags, inline policy documents, attachments and trust policy but not its
// description or maximum session duration. The two are joined by role name. Both are made once
// per discovery (reconcile.Shared).
//
// GetAccountAuthorizationDetails is a broad permission that a least-privilege caller may lack,
// and not every endpoint has it: when it is refused or unknown, and for a role that only one of
// the two reads saw (made or deleted between them), the role is read on its own as before:
// GetRole (which carries the tags), then its inline policies and attachments. Either way only
// roles named the way we name roles are looked at, and only those carrying sel's tags kept.
func (k *IAMRole) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	type listing struct {
		details map[string]types.RoleDetail
		ok      bool
		err     error
	}
	got := make(chan listing, 1)
	go func() { // the two reads are independent: one round trip's wait, not two
		details, ok, err := k.roleDetails(ctx)
		got <- listing{details, ok, err}
	}()
	roles, err := k.listRoles(ctx)
	d := <-got
	if err == nil {
		err = d.err
	}
	if err != nil {
		return nil, fmt.Errorf("list iam roles: %w", err)
	}
	listed := make(map[string]types.Role, len(roles))
	var names []string
	for _, r := range roles {
		name := aws.ToString(r.RoleName)
		if _, dup := listed[name]; !dup && sel.MayName(name) { // not named the way we name roles: not read
			listed[name] = r
			names = append(names, name)
		}
	}
	if d.ok {
		var late []string // made since ListRoles answered, or not yet visible to it
		for name := range d.details {
			if _, ok := listed[name]; !ok && sel.MayName(name) {
				late = append(late, name)
			}
		}
		sort.Strings(late)
		names = append(names, late...)
	}
	out, err := awscall.Gather(ctx, names, func(ctx context.Context, name string) (state.Resource, bool, error) {
		role, inList := listed[name]
		detail, inDetails := d.details[name]
		// The same role in both (not one deleted and made again between the two reads).
		if inList && inDetails && aws.ToString(role.RoleId) == aws.ToString(detail.RoleId) {
			return k.listedRole(role, detail, sel)
		}
		return k.readRole(ctx, name, sel)
	})
	if err != nil {
		return nil, fmt.Errorf("list iam roles: %w", err)
	}
	return out, nil
}

// listedRole observes a role from what the two listings said of it, without a call.
func (k *IAMRole) listedRole(role types.Role, d types.RoleDetail, sel state.Selector) (state.Resource, bool, error) {
	tags := awscall.TagMap(d.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	if !sel.Matches(tags) {
		return state.Resource{}, false, nil
	}
	// The trust policy from the details, with the other documents: LocalStack 4.14.0's
	// ListRoles answers it JSON-quoted before URL-encoding (GetRole and the details do not).
	if d.AssumeRolePolicyDocument != nil {
		role.AssumeRolePolicyDocument = d.AssumeRolePolicyDocument
	}
	name := aws.ToString(role.RoleName)
	// d is shared with the discovery's other readers: sort a copy.
	policies := slices.SortedFunc(slices.Values(d.RolePolicyList), func(a, b types.PolicyDetail) int {
		return strings.Compare(aws.ToString(a.PolicyName), aws.ToString(b.PolicyName))
	})
	var inline []spec.InlinePolicy
	for _, p := range policies {
		policy := aws.ToString(p.PolicyName)
		stmts, err := iamStatements(aws.ToString(p.PolicyDocument))
		if err != nil {
			return state.Resource{}, false, fmt.Errorf("read iam role %s inline policy %s: %w", name, policy, err)
		}
		inline = append(inline, spec.InlinePolicy{Name: policy, Statements: stmts})
	}
	var arns []string
	for _, p := range d.AttachedManagedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	r, err := iamResource(&role, tags, inline, reconcile.SortedSet(arns))
	return r, err == nil, err
}

// readRole observes one candidate role with its own reads: GetRole, whose answer carries the
// tags, then, when it is ours, its inline policies and attachments.
func (k *IAMRole) readRole(ctx context.Context, name string, sel state.Selector) (state.Resource, bool, error) {
	role, err := k.getRole(ctx, name)
	if awscall.Skippable(ctx, k.Kind(), name, err) {
		return state.Resource{}, false, nil // deleted since the listing, or not ours to read
	}
	if err != nil {
		return state.Resource{}, false, err
	}
	tags := awscall.TagMap(role.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	if !sel.Matches(tags) {
		return state.Resource{}, false, nil
	}
	r, err := k.observeRole(ctx, role, tags)
	if errors.Is(err, reconcile.ErrNotFound) {
		return state.Resource{}, false, nil
	}
	return r, err == nil, err
}

// listRoles lists every role of the account, once per discovery.
func (k *IAMRole) listRoles(ctx context.Context) ([]types.Role, error) {
	return reconcile.Shared(ctx, "iam ListRoles", func(ctx context.Context) ([]types.Role, error) {
		// 1,000 a page, the most IAM gives: in a shared account the listing is most of the cost.
		in := &iam.ListRolesInput{PathPrefix: aws.String("/"), MaxItems: aws.Int32(1000)}
		return awscall.Pages(ctx, k.wait, iamRetryOther, in, &in.Marker, k.api.ListRoles,
			func(o *iam.ListRolesOutput) ([]types.Role, *string) {
				return o.Roles, awscall.Truncated(o.IsTruncated, o.Marker)
			})
	})
}

// roleDetails reads every role's details by name, once per discovery; ok is false when the
// caller may not make the call or the endpoint does not know it, and List then reads each
// role on its own. The answer is never logged: it holds every role's policy documents.
func (k *IAMRole) roleDetails(ctx context.Context) (map[string]types.RoleDetail, bool, error) {
	type details struct {
		byName map[string]types.RoleDetail
		ok     bool
	}
	d, err := reconcile.Shared(ctx, "iam GetAccountAuthorizationDetails Role", func(ctx context.Context) (details, error) {
		in := &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}, MaxItems: aws.Int32(1000)}
		list, err := awscall.Pages(ctx, k.wait, iamRetryOther, in, &in.Marker, k.api.GetAccountAuthorizationDetails,
			func(o *iam.GetAccountAuthorizationDetailsOutput) ([]types.RoleDetail, *string) {
				return o.RoleDetailList, awscall.Truncated(o.IsTruncated, o.Marker)
			})
		if awscall.Denied(err) || iamUnsupported(err) {
			return details{}, nil
		}
		if err != nil {
			return details{}, fmt.Errorf("account authorization details: %w", err)
		}
		byName := make(map[string]types.RoleDetail, len(list))
		for _, r := range list {
			byName[aws.ToString(r.RoleName)] = r
		}
		return details{byName: byName, ok: true}, nil
	})
	return d.byName, d.ok, err
}

// iamUnsupportedCodes are the answers of an endpoint that does not know an operation: AWS's
// query protocol says InvalidAction; emulators say NotImplemented or answer 501.
var iamUnsupportedCodes = []string{"InvalidAction", "NotImplemented", "NotImplementedException", "UnknownOperationException"}

func iamUnsupported(err error) bool {
	if err == nil {
		return false
	}
	if awscall.Is(err, iamUnsupportedCodes...) {
		return true
	}
	var re interface{ HTTPStatusCode() int }
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotImplemented
}

// Create creates the role with the ownership tags in CreateRole, then its inline policies and
// attachments. When the name exists, it adopts the role if it carries d's ownership tags.
func (k *IAMRole) Create(ctx context.Context, d reconcile.Want[*spec.IAMRole]) (state.Resource, error) {
	p := d.Props
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(d.Name),
		Path:                     aws.String(iamPath(p.Path)),
		AssumeRolePolicyDocument: aws.String(iamTrustDocument(p.AssumedBy)),
		MaxSessionDuration:       aws.Int32(int32(iamMaxSession(p.MaxSessionDuration))),
		Tags:                     awscall.TagList(d.Tags, iamTag),
	}
	if p.Description != "" {
		in.Description = aws.String(p.Description)
	}
	var out *iam.CreateRoleOutput
	err := awscall.Do(ctx, k.wait, iamRetryOther, func(ctx context.Context) (err error) {
		out, err = k.api.CreateRole(ctx, in)
		return err
	})
	if awscall.Is(err, iamAlreadyExists) {
		return k.adopt(ctx, d)
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create iam role %s: %w", d.Name, err)
	}
	// The role now is exactly what CreateRole said, without policies; Update adds those.
	created := state.Resource{
		Kind: "iam.role", Owner: d.Owner, ID: d.Name, Name: d.Name, Tags: d.Tags,
		Attrs: iamAttrs(out.Role),
		Props: &spec.IAMRole{Description: p.Description, Path: iamPath(p.Path), AssumedBy: reconcile.SortedSet(p.AssumedBy),
			MaxSessionDuration: iamMaxSession(p.MaxSessionDuration)},
	}
	return miscAdopt(ctx, k, d, created)
}

// adopt takes over an existing role of d's name when it carries d's ownership tags.
func (k *IAMRole) adopt(ctx context.Context, d reconcile.Want[*spec.IAMRole]) (state.Resource, error) {
	tags, err := k.tags(ctx, d.Name)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create iam role %s: exists, read its tags: %w", d.Name, err)
	}
	if !d.Owner.Owns(tags) {
		return state.Resource{}, fmt.Errorf("create iam role %s: %w", d.Name, awscall.NotOwned("iam role", d.Name, tags))
	}
	live, err := k.observe(ctx, d.Name, tags)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create iam role %s: %w", d.Name, err)
	}
	if miscSettled(k, d, live) {
		return live, nil
	}
	return miscAdopt(ctx, k, d, live)
}

// Update brings the role, its policies, attachments and tags to d, then waits until IAM's
// reads show all of it (they lag the writes).
func (k *IAMRole) Update(ctx context.Context, d reconcile.Want[*spec.IAMRole], live reconcile.Have[*spec.IAMRole], changes reconcile.Changes) (state.Resource, error) {
	w, l := d.Props, live.Props
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update iam role %s: %w", d.Name, awscall.NotOwned("iam role", live.Name, live.Tags))
	}
	if iamPath(l.Path) != iamPath(w.Path) {
		return state.Resource{}, fmt.Errorf("update iam role %s: path %s cannot change to %s in place; the role must be replaced", d.Name, l.Path, w.Path)
	}
	name := live.ID
	for _, step := range []func() error{
		func() error {
			return k.updateRole(ctx, name, changes.Changed("description", "max_session_duration"), w)
		},
		func() error { return k.updateTrust(ctx, name, changes.Changed("assumed_by"), w) },
		func() error { return k.syncInline(ctx, name, l.Policies, w.Policies) },
		func() error { return k.syncManaged(ctx, name, l.ManagedPolicyARNs, w.ManagedPolicyARNs) },
		func() error { return k.syncTags(ctx, name, live.Tags, d.Tags) },
	} {
		if err := step(); err != nil {
			return state.Resource{}, fmt.Errorf("update iam role %s: %w", d.Name, err)
		}
	}
	got, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) {
		return k.observe(ctx, name, nil)
	}, func(r state.Resource) bool { return miscSettled(k, d, r) },
		func(err error) bool { return errors.Is(err, reconcile.ErrNotFound) })
	if err != nil {
		return state.Resource{}, fmt.Errorf("update iam role %s: %w", d.Name, err)
	}
	return got, nil
}

func (k *IAMRole) updateRole(ctx context.Context, name string, changed bool, w *spec.IAMRole) error {
	if !changed {
		return nil
	}
	in := &iam.UpdateRoleInput{RoleName: aws.String(name), Description: aws.String(w.Description),
		MaxSessionDuration: aws.Int32(int32(iamMaxSession(w.MaxSessionDuration)))}
	return awscall.Do(ctx, k.wait, iamRetryWrite, func(ctx context.Context) error {
		_, err := k.api.UpdateRole(ctx, in)
		return err
	})
}

func (k *IAMRole) updateTrust(ctx context.Context, name string, changed bool, w *spec.IAMRole) error {
	if !changed {
		return nil
	}
	in := &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(iamTrustDocument(w.AssumedBy))}
	return awscall.Do(ctx, k.wait, iamRetryWrite, func(ctx context.Context) error {
		_, err := k.api.UpdateAssumeRolePolicy(ctx, in)
		if err != nil {
			return fmt.Errorf("trust policy: %w", err)
		}
		return nil
	})
}

// syncInline puts the desired inline policies that differ and deletes the others.
func (k *IAMRole) syncInline(ctx context.Context, name string, live, want []spec.InlinePolicy) error {
	lp, wp := iamNormPolicies(live), iamNormPolicies(want)
	for _, p := range want {
		if old, ok := lp[p.Name]; ok && reconcile.Equal(old, wp[p.Name]) {
			continue
		}
		in := &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.Name),
			PolicyDocument: aws.String(iamPolicyDocument(p.Statements))}
		if err := awscall.Do(ctx, k.wait, iamRetryWrite, func(ctx context.Context) error {
			_, err := k.api.PutRolePolicy(ctx, in)
			return err
		}); err != nil {
			return fmt.Errorf("put inline policy %s: %w", p.Name, err)
		}
	}
	for policy := range lp {
		if _, ok := wp[policy]; !ok {
			if err := k.deleteInline(ctx, name, policy); err != nil {
				return err
			}
		}
	}
	return nil
}

func (k *IAMRole) deleteInline(ctx context.Context, role, policy string) error {
	err := awscall.Do(ctx, k.wait, iamRetryOther, func(ctx context.Context) error {
		_, err := k.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)})
		return err
	})
	if err != nil && !awscall.Is(err, iamNoSuchEntity) {
		return fmt.Errorf("delete inline policy %s: %w", policy, err)
	}
	return nil
}

// syncManaged attaches the missing managed policies and detaches the extra ones.
func (k *IAMRole) syncManaged(ctx context.Context, name string, live, want []string) error {
	have := map[string]bool{}
	for _, arn := range live {
		have[arn] = true
	}
	wanted := map[string]bool{}
	for _, arn := range reconcile.SortedSet(want) {
		wanted[arn] = true
		if !have[arn] {
			if err := k.attach(ctx, name, arn); err != nil {
				return err
			}
		}
	}
	for _, arn := range reconcile.SortedSet(live) {
		if !wanted[arn] {
			if err := k.detach(ctx, name, arn); err != nil {
				return err
			}
		}
	}
	return nil
}

// attach retries NoSuchEntity only while it is about the role (not yet visible): when the
// message names the policy, the ARN is wrong and waiting cannot help.
func (k *IAMRole) attach(ctx context.Context, role, arn string) error {
	retry := func(err error) bool {
		if awscall.Is(err, iamNoSuchEntity) {
			return !strings.Contains(iamMessage(err), arn)
		}
		return iamRetryOther(err)
	}
	err := awscall.Do(ctx, k.wait, retry, func(ctx context.Context) error {
		_, err := k.api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)})
		return err
	})
	if err != nil {
		return fmt.Errorf("attach managed policy %s: %w", arn, err)
	}
	return nil
}

func (k *IAMRole) detach(ctx context.Context, role, arn string) error {
	err := awscall.Do(ctx, k.wait, iamRetryOther, func(ctx context.Context) error {
		_, err := k.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)})
		return err
	})
	if err != nil && !awscall.Is(err, iamNoSuchEntity) {
		return fmt.Errorf("detach managed policy %s: %w", arn, err)
	}
	return nil
}

func (k *IAMRole) syncTags(ctx context.Context, name string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		if err := awscall.Do(ctx, k.wait, iamRetryWrite, func(ctx context.Context) error {
			_, err := k.api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: awscall.TagList(set, iamTag)})
			return err
		}); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		return nil
	}, func(keys []string) error {
		if err := awscall.Do(ctx, k.wait, iamRetryWrite, func(ctx context.Context) error {
			_, err := k.api.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: keys})
			return err
		}); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
		return nil
	})
}

// Delete re-reads the role's tags, and only when they still are live's ownership tags removes
// what it owns (attachments, inline policies, instance-profile memberships) and the role,
// retrying DeleteConflict (a detach not yet visible to DeleteRole), then waits until it is gone.
func (k *IAMRole) Delete(ctx context.Context, live state.Resource) error {
	name := live.ID
	tags, err := k.tags(ctx, name)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete iam role %s: %w", name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete iam role %s: %w", name, awscall.NotOwned("iam role", name, tags))
	}
	err = k.wait.Retry(ctx, awscall.RetryCodes(iamDeleteConflict, iamConcurrentMod), func(ctx context.Context) error {
		return k.deleteOnce(ctx, name)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete iam role %s: %w", name, err)
	}
	return k.waitGone(ctx, name)
}

func (k *IAMRole) deleteOnce(ctx context.Context, name string) error {
	attached, err := k.attached(ctx, name)
	if err != nil {
		return err
	}
	for _, arn := range attached {
		if err := k.detach(ctx, name, arn); err != nil {
			return err
		}
	}
	inline, err := k.inlineNames(ctx, name)
	if err != nil {
		return err
	}
	for _, policy := range inline {
		if err := k.deleteInline(ctx, name, policy); err != nil {
			return err
		}
	}
	if err := k.leaveInstanceProfiles(ctx, name); err != nil {
		return err
	}
	_, err = awscall.Call(ctx, func(ctx context.Context) (*iam.DeleteRoleOutput, error) {
		return k.api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	})
	return awscall.NotFound(err, iamNoSuchEntity)
}

func (k *IAMRole) leaveInstanceProfiles(ctx context.Context, name string) error {
	in := &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(name)}
	for {
		out, err := awscall.Call(ctx, func(ctx context.Context) (*iam.ListInstanceProfilesForRoleOutput, error) {
			return k.api.ListInstanceProfilesForRole(ctx, in)
		})
		if err != nil {
			return awscall.NotFound(err, iamNoSuchEntity)
		}
		for _, ip := range out.InstanceProfiles {
			_, err := awscall.Call(ctx, func(ctx context.Context) (*iam.RemoveRoleFromInstanceProfileOutput, error) {
				return k.api.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{
					RoleName: aws.String(name), InstanceProfileName: ip.InstanceProfileName})
			})
			if err != nil && !awscall.Is(err, iamNoSuchEntity) {
				return fmt.Errorf("remove from instance profile %s: %w", aws.ToString(ip.InstanceProfileName), err)
			}
		}
		if !out.IsTruncated {
			return nil
		}
		in.Marker = out.Marker
	}
}

func (k *IAMRole) waitGone(ctx context.Context, name string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		_, err := awscall.Call(ctx, func(ctx context.Context) (*iam.GetRoleOutput, error) {
			return k.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		})
		switch {
		case awscall.Is(err, iamNoSuchEntity):
			return true, nil
		case err != nil:
			return false, err
		}
		return false, errors.New("the role is still readable")
	})
	if err != nil {
		return fmt.Errorf("delete iam role %s: wait until gone: %w", name, err)
	}
	return nil
}

// observe reads the role, its trust policy, inline policies, attachments and (unless given)
// tags; ErrNotFound when the role does not exist (or is not visible yet). The reads run at
// once, none needing another's answer: one after another they made a role's read-back five
// round trips on the cold apply's critical path (role, function, REST API), where it is two
// (the lists, then the inline policies' documents together).
func (k *IAMRole) observe(ctx context.Context, name string, tags map[string]string) (state.Resource, error) {
	var role *types.Role
	var inline []spec.InlinePolicy
	var attached []string
	steps := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) { role, err = k.getRole(ctx, name); return err },
		func(ctx context.Context) (err error) { inline, attached, err = k.policies(ctx, name); return err },
	}
	if tags == nil {
		steps = append(steps, func(ctx context.Context) (err error) { tags, err = k.tags(ctx, name); return err })
	}
	if err := awscall.All(ctx, steps...); err != nil {
		return state.Resource{}, err
	}
	return iamResource(role, tags, inline, attached)
}

// getRole reads one role; ErrNotFound when there is none of that name.
func (k *IAMRole) getRole(ctx context.Context, name string) (*types.Role, error) {
	out, err := awscall.Call(ctx, func(ctx context.Context) (*iam.GetRoleOutput, error) {
		return k.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	})
	if err != nil {
		return nil, awscall.NotFound(err, iamNoSuchEntity)
	}
	if out.Role == nil {
		return nil, fmt.Errorf("iam role %s: GetRole returned no role", name)
	}
	return out.Role, nil
}

// observeRole completes what GetRole said with the role's inline policies and attachments.
func (k *IAMRole) observeRole(ctx context.Context, role *types.Role, tags map[string]string) (state.Resource, error) {
	inline, attached, err := k.policies(ctx, aws.ToString(role.RoleName))
	if err != nil {
		return state.Resource{}, err
	}
	return iamResource(role, tags, inline, attached)
}

// policies reads the role's inline policies and its attachments at once.
func (k *IAMRole) policies(ctx context.Context, name string) (inline []spec.InlinePolicy, attached []string, err error) {
	err = awscall.All(ctx,
		func(ctx context.Context) (err error) { inline, err = k.inlinePolicies(ctx, name); return err },
		func(ctx context.Context) (err error) { attached, err = k.attached(ctx, name); return err },
	)
	return inline, attached, err
}

// iamResource is the observed role: role as GetRole or ListRoles says it, with its tags, its
// inline policies sorted by name and its attachments' ARNs sorted. Both ways of listing build
// it here, so that they observe the same.
func iamResource(role *types.Role, tags map[string]string, inline []spec.InlinePolicy, attached []string) (state.Resource, error) {
	name := aws.ToString(role.RoleName)
	props := &spec.IAMRole{Description: aws.ToString(role.Description), Path: aws.ToString(role.Path),
		MaxSessionDuration: int(aws.ToInt32(role.MaxSessionDuration)), Policies: inline, ManagedPolicyARNs: attached}
	var err error
	if props.AssumedBy, err = iamAssumedBy(aws.ToString(role.AssumeRolePolicyDocument)); err != nil {
		return state.Resource{}, fmt.Errorf("read iam role %s trust policy: %w", name, err)
	}
	owner, _ := state.OwnerOf(tags)
	return state.Resource{Kind: "iam.role", Owner: owner, ID: name, Name: name, Attrs: iamAttrs(role), Tags: tags, Props: props}, nil
}

func iamAttrs(r *types.Role) map[string]string {
	if r == nil {
		return map[string]string{}
	}
	return map[string]string{"arn": aws.ToString(r.Arn), "name": aws.ToString(r.RoleName), "id": aws.ToString(r.RoleId)}
}

// inlinePolicies reads every inline policy, sorted by name.
func (k *IAMRole) inlinePolicies(ctx context.Context, role string) ([]spec.InlinePolicy, error) {
	names, err := k.inlineNames(ctx, role)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return awscall.Gather(ctx, names, func(ctx context.Context, policy string) (spec.InlinePolicy, bool, error) {
		got, err := awscall.Call(ctx, func(ctx context.Context) (*iam.GetRolePolicyOutput, error) {
			return k.api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)})
		})
		if err != nil {
			return spec.InlinePolicy{}, false, awscall.NotFound(err, iamNoSuchEntity)
		}
		stmts, err := iamStatements(aws.ToString(got.PolicyDocument))
		if err != nil {
			return spec.InlinePolicy{}, false, fmt.Errorf("read iam role %s inline policy %s: %w", role, policy, err)
		}
		return spec.InlinePolicy{Name: policy, Statements: stmts}, true, nil
	})
}

func (k *IAMRole) inlineNames(ctx context.Context, role string) ([]string, error) {
	in := &iam.ListRolePoliciesInput{RoleName: aws.String(role)}
	names, err := awscall.Pages(ctx, k.wait, awscall.Never, in, &in.Marker, k.api.ListRolePolicies,
		func(o *iam.ListRolePoliciesOutput) ([]string, *string) {
			return o.PolicyNames, awscall.Truncated(o.IsTruncated, o.Marker)
		})
	return names, awscall.NotFound(err, iamNoSuchEntity)
}

// attached returns the attached managed policies' ARNs, sorted.
func (k *IAMRole) attached(ctx context.Context, role string) ([]string, error) {
	in := &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)}
	policies, err := awscall.Pages(ctx, k.wait, awscall.Never, in, &in.Marker, k.api.ListAttachedRolePolicies,
		func(o *iam.ListAttachedRolePoliciesOutput) ([]types.AttachedPolicy, *string) {
			return o.AttachedPolicies, awscall.Truncated(o.IsTruncated, o.Marker)
		})
	if err != nil {
		return nil, awscall.NotFound(err, iamNoSuchEntity)
	}
	var arns []string
	for _, p := range policies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	return reconcile.SortedSet(arns), nil
}

// tags reads every tag of the role; ErrNotFound when it does not exist.
func (k *IAMRole) tags(ctx context.Context, role string) (map[string]string, error) {
	in := &iam.ListRoleTagsInput{RoleName: aws.String(role)}
	list, err := awscall.Pages(ctx, k.wait, awscall.Never, in, &in.Marker, k.api.ListRoleTags,
		func(o *iam.ListRoleTagsOutput) ([]types.Tag, *string) {
			return o.Tags, awscall.Truncated(o.IsTruncated, o.Marker)
		})
	if err != nil {
		return nil, awscall.NotFound(err, iamNoSuchEntity)
	}
	tags := map[string]string{}
	for _, t := range list {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// iamTag builds one of the service's tags, for awscall.TagList.
func iamTag(key, value *string) types.Tag { return types.Tag{Key: key, Value: value} }

func iamMessage(err error) string {
	var ae interface{ ErrorMessage() string }
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
