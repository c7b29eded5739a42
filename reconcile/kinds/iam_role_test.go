package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- unit tests with a hand-written fake ----

// fakeIAM is IAMRoleAPI with one function field per operation; a nil field fails the call.
type fakeIAM struct {
	calls                          fakeCalls
	createRole                     func(*iam.CreateRoleInput) (*iam.CreateRoleOutput, error)
	getRole                        func(*iam.GetRoleInput) (*iam.GetRoleOutput, error)
	listRoles                      func(*iam.ListRolesInput) (*iam.ListRolesOutput, error)
	getAccountAuthorizationDetails func(*iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error)
	listRoleTags                   func(*iam.ListRoleTagsInput) (*iam.ListRoleTagsOutput, error)
	tagRole                        func(*iam.TagRoleInput) (*iam.TagRoleOutput, error)
	untagRole                      func(*iam.UntagRoleInput) (*iam.UntagRoleOutput, error)
	updateRole                     func(*iam.UpdateRoleInput) (*iam.UpdateRoleOutput, error)
	updateAssumeRolePolicy         func(*iam.UpdateAssumeRolePolicyInput) (*iam.UpdateAssumeRolePolicyOutput, error)
	putRolePolicy                  func(*iam.PutRolePolicyInput) (*iam.PutRolePolicyOutput, error)
	getRolePolicy                  func(*iam.GetRolePolicyInput) (*iam.GetRolePolicyOutput, error)
	deleteRolePolicy               func(*iam.DeleteRolePolicyInput) (*iam.DeleteRolePolicyOutput, error)
	listRolePolicies               func(*iam.ListRolePoliciesInput) (*iam.ListRolePoliciesOutput, error)
	attachRolePolicy               func(*iam.AttachRolePolicyInput) (*iam.AttachRolePolicyOutput, error)
	detachRolePolicy               func(*iam.DetachRolePolicyInput) (*iam.DetachRolePolicyOutput, error)
	listAttachedRolePolicies       func(*iam.ListAttachedRolePoliciesInput) (*iam.ListAttachedRolePoliciesOutput, error)
	listInstanceProfilesForRole    func(*iam.ListInstanceProfilesForRoleInput) (*iam.ListInstanceProfilesForRoleOutput, error)
	removeRoleFromInstanceProfile  func(*iam.RemoveRoleFromInstanceProfileInput) (*iam.RemoveRoleFromInstanceProfileOutput, error)
	deleteRole                     func(*iam.DeleteRoleInput) (*iam.DeleteRoleOutput, error)
}

type iamOpt = func(*iam.Options)

func (f *fakeIAM) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...iamOpt) (*iam.CreateRoleOutput, error) {
	return fakeCall(&f.calls, "CreateRole", f.createRole, in)
}
func (f *fakeIAM) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...iamOpt) (*iam.GetRoleOutput, error) {
	return fakeCall(&f.calls, "GetRole", f.getRole, in)
}
func (f *fakeIAM) ListRoles(_ context.Context, in *iam.ListRolesInput, _ ...iamOpt) (*iam.ListRolesOutput, error) {
	return fakeCall(&f.calls, "ListRoles", f.listRoles, in)
}
func (f *fakeIAM) GetAccountAuthorizationDetails(_ context.Context, in *iam.GetAccountAuthorizationDetailsInput, _ ...iamOpt) (*iam.GetAccountAuthorizationDetailsOutput, error) {
	return fakeCall(&f.calls, "GetAccountAuthorizationDetails", f.getAccountAuthorizationDetails, in)
}
func (f *fakeIAM) ListRoleTags(_ context.Context, in *iam.ListRoleTagsInput, _ ...iamOpt) (*iam.ListRoleTagsOutput, error) {
	return fakeCall(&f.calls, "ListRoleTags", f.listRoleTags, in)
}
func (f *fakeIAM) TagRole(_ context.Context, in *iam.TagRoleInput, _ ...iamOpt) (*iam.TagRoleOutput, error) {
	return fakeCall(&f.calls, "TagRole", f.tagRole, in)
}
func (f *fakeIAM) UntagRole(_ context.Context, in *iam.UntagRoleInput, _ ...iamOpt) (*iam.UntagRoleOutput, error) {
	return fakeCall(&f.calls, "UntagRole", f.untagRole, in)
}
func (f *fakeIAM) UpdateRole(_ context.Context, in *iam.UpdateRoleInput, _ ...iamOpt) (*iam.UpdateRoleOutput, error) {
	return fakeCall(&f.calls, "UpdateRole", f.updateRole, in)
}
func (f *fakeIAM) UpdateAssumeRolePolicy(_ context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...iamOpt) (*iam.UpdateAssumeRolePolicyOutput, error) {
	return fakeCall(&f.calls, "UpdateAssumeRolePolicy", f.updateAssumeRolePolicy, in)
}
func (f *fakeIAM) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...iamOpt) (*iam.PutRolePolicyOutput, error) {
	return fakeCall(&f.calls, "PutRolePolicy", f.putRolePolicy, in)
}
func (f *fakeIAM) GetRolePolicy(_ context.Context, in *iam.GetRolePolicyInput, _ ...iamOpt) (*iam.GetRolePolicyOutput, error) {
	return fakeCall(&f.calls, "GetRolePolicy", f.getRolePolicy, in)
}
func (f *fakeIAM) DeleteRolePolicy(_ context.Context, in *iam.DeleteRolePolicyInput, _ ...iamOpt) (*iam.DeleteRolePolicyOutput, error) {
	return fakeCall(&f.calls, "DeleteRolePolicy", f.deleteRolePolicy, in)
}
func (f *fakeIAM) ListRolePolicies(_ context.Context, in *iam.ListRolePoliciesInput, _ ...iamOpt) (*iam.ListRolePoliciesOutput, error) {
	return fakeCall(&f.calls, "ListRolePolicies", f.listRolePolicies, in)
}
func (f *fakeIAM) AttachRolePolicy(_ context.Context, in *iam.AttachRolePolicyInput, _ ...iamOpt) (*iam.AttachRolePolicyOutput, error) {
	return fakeCall(&f.calls, "AttachRolePolicy", f.attachRolePolicy, in)
}
func (f *fakeIAM) DetachRolePolicy(_ context.Context, in *iam.DetachRolePolicyInput, _ ...iamOpt) (*iam.DetachRolePolicyOutput, error) {
	return fakeCall(&f.calls, "DetachRolePolicy", f.detachRolePolicy, in)
}
func (f *fakeIAM) ListAttachedRolePolicies(_ context.Context, in *iam.ListAttachedRolePoliciesInput, _ ...iamOpt) (*iam.ListAttachedRolePoliciesOutput, error) {
	return fakeCall(&f.calls, "ListAttachedRolePolicies", f.listAttachedRolePolicies, in)
}
func (f *fakeIAM) ListInstanceProfilesForRole(_ context.Context, in *iam.ListInstanceProfilesForRoleInput, _ ...iamOpt) (*iam.ListInstanceProfilesForRoleOutput, error) {
	return fakeCall(&f.calls, "ListInstanceProfilesForRole", f.listInstanceProfilesForRole, in)
}
func (f *fakeIAM) RemoveRoleFromInstanceProfile(_ context.Context, in *iam.RemoveRoleFromInstanceProfileInput, _ ...iamOpt) (*iam.RemoveRoleFromInstanceProfileOutput, error) {
	return fakeCall(&f.calls, "RemoveRoleFromInstanceProfile", f.removeRoleFromInstanceProfile, in)
}
func (f *fakeIAM) DeleteRole(_ context.Context, in *iam.DeleteRoleInput, _ ...iamOpt) (*iam.DeleteRoleOutput, error) {
	return fakeCall(&f.calls, "DeleteRole", f.deleteRole, in)
}

// memRole is one role of memIAM. Documents are stored URL-encoded, as IAM returns them.
type memRole struct {
	role     types.Role
	tags     map[string]string
	inline   map[string]string
	attached map[string]bool
	profiles []string
}

func iamNoSuchRole(name string) error {
	return &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "The role with name " + name + " cannot be found."}
}

// memIAM fills every field of a fakeIAM with a small in-memory IAM; tests replace single
// fields to inject errors. ListRoles pages by two.
func memIAM(roles map[string]*memRole) *fakeIAM {
	f := &fakeIAM{}
	get := memStoreOf(roles, nil, iamNoSuchRole).get
	f.createRole = func(in *iam.CreateRoleInput) (*iam.CreateRoleOutput, error) {
		name := aws.ToString(in.RoleName)
		if _, ok := roles[name]; ok {
			return nil, miscAPIErr("EntityAlreadyExists")
		}
		r := &memRole{tags: map[string]string{}, inline: map[string]string{}, attached: map[string]bool{}}
		r.role = types.Role{RoleName: in.RoleName, Path: in.Path, Description: in.Description, MaxSessionDuration: in.MaxSessionDuration,
			Arn: aws.String("arn:aws:iam::000000000000:role" + aws.ToString(in.Path) + name), RoleId: aws.String("AROA" + name),
			AssumeRolePolicyDocument: aws.String(url.QueryEscape(aws.ToString(in.AssumeRolePolicyDocument)))}
		for _, t := range in.Tags {
			r.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		roles[name] = r
		role := r.role
		return &iam.CreateRoleOutput{Role: &role}, nil
	}
	f.getRole = func(in *iam.GetRoleInput) (*iam.GetRoleOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		role := r.role
		role.Tags = awscall.TagList(r.tags, iamTag) // GetRole carries the tags, as in AWS
		return &iam.GetRoleOutput{Role: &role}, nil
	}
	f.listRoles = func(in *iam.ListRolesInput) (*iam.ListRolesOutput, error) {
		names, next := memPage(slices.Sorted(maps.Keys(roles)), in.Marker)
		out := &iam.ListRolesOutput{IsTruncated: next != nil, Marker: next}
		for _, n := range names {
			out.Roles = append(out.Roles, roles[n].role) // no tags, as in AWS
		}
		return out, nil
	}
	// Every role with its tags, inline policies and attachments, but without its description
	// and maximum session duration, as in AWS.
	f.getAccountAuthorizationDetails = func(in *iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) {
		names, next := memPage(slices.Sorted(maps.Keys(roles)), in.Marker)
		out := &iam.GetAccountAuthorizationDetailsOutput{IsTruncated: next != nil, Marker: next}
		for _, n := range names {
			r := roles[n]
			d := types.RoleDetail{RoleName: r.role.RoleName, RoleId: r.role.RoleId, Arn: r.role.Arn, Path: r.role.Path,
				AssumeRolePolicyDocument: r.role.AssumeRolePolicyDocument, Tags: awscall.TagList(r.tags, iamTag)}
			for policy, doc := range r.inline {
				d.RolePolicyList = append(d.RolePolicyList, types.PolicyDetail{PolicyName: aws.String(policy), PolicyDocument: aws.String(doc)})
			}
			for arn := range r.attached {
				d.AttachedManagedPolicies = append(d.AttachedManagedPolicies, types.AttachedPolicy{PolicyArn: aws.String(arn)})
			}
			out.RoleDetailList = append(out.RoleDetailList, d)
		}
		return out, nil
	}
	tags := memTagsOf(get, func(r *memRole) map[string]string { return r.tags })
	f.listRoleTags = memListTags(tags, func(in *iam.ListRoleTagsInput) *string { return in.RoleName },
		func(t map[string]string) *iam.ListRoleTagsOutput {
			return &iam.ListRoleTagsOutput{Tags: awscall.TagList(t, iamTag)}
		})
	f.tagRole = memTag(tags, func(in *iam.TagRoleInput) (*string, map[string]string) {
		return in.RoleName, awscall.TagMap(in.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
	}, &iam.TagRoleOutput{})
	f.untagRole = memUntag(tags, func(in *iam.UntagRoleInput) (*string, []string) { return in.RoleName, in.TagKeys }, &iam.UntagRoleOutput{})
	f.updateRole = func(in *iam.UpdateRoleInput) (*iam.UpdateRoleOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		r.role.Description, r.role.MaxSessionDuration = in.Description, in.MaxSessionDuration
		return &iam.UpdateRoleOutput{}, nil
	}
	f.updateAssumeRolePolicy = func(in *iam.UpdateAssumeRolePolicyInput) (*iam.UpdateAssumeRolePolicyOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		r.role.AssumeRolePolicyDocument = aws.String(url.QueryEscape(aws.ToString(in.PolicyDocument)))
		return &iam.UpdateAssumeRolePolicyOutput{}, nil
	}
	memIAMPolicies(f, get)
	memIAMDelete(f, roles, get)
	return f
}

func memIAMPolicies(f *fakeIAM, get func(*string) (*memRole, error)) {
	f.putRolePolicy = func(in *iam.PutRolePolicyInput) (*iam.PutRolePolicyOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		r.inline[aws.ToString(in.PolicyName)] = url.QueryEscape(aws.ToString(in.PolicyDocument))
		return &iam.PutRolePolicyOutput{}, nil
	}
	f.getRolePolicy = func(in *iam.GetRolePolicyInput) (*iam.GetRolePolicyOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		doc, ok := r.inline[aws.ToString(in.PolicyName)]
		if !ok {
			return nil, miscAPIErr("NoSuchEntity")
		}
		return &iam.GetRolePolicyOutput{PolicyName: in.PolicyName, PolicyDocument: aws.String(doc)}, nil
	}
	f.deleteRolePolicy = func(in *iam.DeleteRolePolicyInput) (*iam.DeleteRolePolicyOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		delete(r.inline, aws.ToString(in.PolicyName))
		return &iam.DeleteRolePolicyOutput{}, nil
	}
	f.listRolePolicies = func(in *iam.ListRolePoliciesInput) (*iam.ListRolePoliciesOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		out := &iam.ListRolePoliciesOutput{}
		for n := range r.inline {
			out.PolicyNames = append(out.PolicyNames, n)
		}
		return out, nil
	}
	f.attachRolePolicy = func(in *iam.AttachRolePolicyInput) (*iam.AttachRolePolicyOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		r.attached[aws.ToString(in.PolicyArn)] = true
		return &iam.AttachRolePolicyOutput{}, nil
	}
	f.detachRolePolicy = func(in *iam.DetachRolePolicyInput) (*iam.DetachRolePolicyOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		delete(r.attached, aws.ToString(in.PolicyArn))
		return &iam.DetachRolePolicyOutput{}, nil
	}
	f.listAttachedRolePolicies = func(in *iam.ListAttachedRolePoliciesInput) (*iam.ListAttachedRolePoliciesOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		out := &iam.ListAttachedRolePoliciesOutput{}
		for arn := range r.attached {
			out.AttachedPolicies = append(out.AttachedPolicies, types.AttachedPolicy{PolicyArn: aws.String(arn)})
		}
		return out, nil
	}
}

func memIAMDelete(f *fakeIAM, roles map[string]*memRole, get func(*string) (*memRole, error)) {
	f.listInstanceProfilesForRole = func(in *iam.ListInstanceProfilesForRoleInput) (*iam.ListInstanceProfilesForRoleOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		out := &iam.ListInstanceProfilesForRoleOutput{}
		for _, p := range r.profiles {
			out.InstanceProfiles = append(out.InstanceProfiles, types.InstanceProfile{InstanceProfileName: aws.String(p)})
		}
		return out, nil
	}
	f.removeRoleFromInstanceProfile = func(in *iam.RemoveRoleFromInstanceProfileInput) (*iam.RemoveRoleFromInstanceProfileOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		var keep []string
		for _, p := range r.profiles {
			if p != aws.ToString(in.InstanceProfileName) {
				keep = append(keep, p)
			}
		}
		r.profiles = keep
		return &iam.RemoveRoleFromInstanceProfileOutput{}, nil
	}
	f.deleteRole = func(in *iam.DeleteRoleInput) (*iam.DeleteRoleOutput, error) {
		r, err := get(in.RoleName)
		if err != nil {
			return nil, err
		}
		if len(r.inline) > 0 || len(r.attached) > 0 || len(r.profiles) > 0 {
			return nil, miscAPIErr("DeleteConflict")
		}
		delete(roles, aws.ToString(in.RoleName))
		return &iam.DeleteRoleOutput{}, nil
	}
}

// cloneMemRole copies r deeply, to compare a role before and after.
func cloneMemRole(r *memRole) memRole {
	c := memRole{role: r.role, tags: map[string]string{}, inline: map[string]string{}, attached: map[string]bool{}}
	c.role.Description = aws.String(aws.ToString(r.role.Description))
	c.role.AssumeRolePolicyDocument = aws.String(aws.ToString(r.role.AssumeRolePolicyDocument))
	for k, v := range r.tags {
		c.tags[k] = v
	}
	for k, v := range r.inline {
		c.inline[k] = v
	}
	for k, v := range r.attached {
		c.attached[k] = v
	}
	return c
}

func unitIAM(api IAMRoleAPI) *IAMRole {
	k := NewIAMRole(api)
	k.wait = reconcile.InstantBackoff
	return k
}

// iamDefaults is the spec's defaults plus the one required field, assumed_by.
func iamDefaults() *spec.IAMRole {
	p := specDefaults[*spec.IAMRole]("iam.role")
	p.AssumedBy = []string{"lambda.amazonaws.com"}
	return p
}

// iamWorker is a typical Lambda role: one inline policy, one managed policy.
func iamWorker() *spec.IAMRole {
	p := iamDefaults()
	p.Description = "worker"
	p.Policies = []spec.InlinePolicy{{Name: "queue", Statements: []spec.Statement{{
		Actions: []string{"sqs:SendMessage", "sqs:GetQueueAttributes"}, Resources: []string{"arn:aws:sqs:*:*:jobs"}}}}}
	p.ManagedPolicyARNs = []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
	return p
}

// seedRole creates a role in roles through the fake, the way Create would, with given tags.
func seedRole(t *testing.T, roles map[string]*memRole, name string, p *spec.IAMRole, tags map[string]string) {
	t.Helper()
	f := memIAM(roles)
	k := unitIAM(f)
	owner := miscOwner("seed")
	d := desired(owner, name, p)
	_, err := tk[spec.IAMRole](k).Create(context.Background(), d)
	require.NoError(t, err)
	roles[name].tags = tags
}

func TestIAMRoleDiff(t *testing.T) {
	cases := []struct {
		name     string
		change   func(p *spec.IAMRole)
		paths    []string
		forceNew bool
	}{
		{name: "no change", change: func(*spec.IAMRole) {}},
		{name: "defaults and order are not changes", change: func(p *spec.IAMRole) {
			p.Policies[0].Statements[0].Effect = "Allow"
			p.Policies[0].Statements[0].Actions = []string{"sqs:GetQueueAttributes", "sqs:SendMessage", "sqs:SendMessage"}
			p.AssumedBy = []string{"lambda.amazonaws.com", "lambda.amazonaws.com"}
			p.Path, p.MaxSessionDuration = "", 0
		}},
		{name: "description", change: func(p *spec.IAMRole) { p.Description = "other" }, paths: []string{"description"}},
		{name: "max session", change: func(p *spec.IAMRole) { p.MaxSessionDuration = 7200 }, paths: []string{"max_session_duration"}},
		{name: "assumed by", change: func(p *spec.IAMRole) { p.AssumedBy = append(p.AssumedBy, "states.amazonaws.com") }, paths: []string{"assumed_by"}},
		{name: "inline statement", change: func(p *spec.IAMRole) { p.Policies[0].Statements[0].Resources = []string{"*"} }, paths: []string{"policies.queue"}},
		{name: "inline condition", change: func(p *spec.IAMRole) {
			p.Policies[0].Statements[0].Condition = map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"1"}}}
		}, paths: []string{"policies.queue"}},
		{name: "inline added", change: func(p *spec.IAMRole) {
			p.Policies = append(p.Policies, spec.InlinePolicy{Name: "logs", Statements: p.Policies[0].Statements})
		}, paths: []string{"policies.logs"}},
		{name: "inline removed", change: func(p *spec.IAMRole) { p.Policies = nil }, paths: []string{"policies.queue"}},
		{name: "managed", change: func(p *spec.IAMRole) { p.ManagedPolicyARNs = nil }, paths: []string{"managed_policy_arns"}},
		{name: "path", change: func(p *spec.IAMRole) { p.Path = "/service/" }, paths: []string{"path"}, forceNew: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := iamWorker()
			c.change(want)
			diffs := tk[spec.IAMRole](unitIAM(nil)).Diff(desired(miscOwner("r"), "r", want), state.Resource{Props: iamWorker()})
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.Path)
				assert.Equal(t, c.forceNew, d.ForceNew, d.Path)
			}
			assert.Equal(t, c.paths, paths)
		})
	}
}

func TestIAMAssumedByParsesWhatIAMReturns(t *testing.T) {
	cases := map[string]struct {
		doc  string
		want []string
	}{
		"ours, url-encoded": {url.QueryEscape(iamTrustDocument([]string{"lambda.amazonaws.com", "apigateway.amazonaws.com"})),
			[]string{"apigateway.amazonaws.com", "lambda.amazonaws.com"}},
		"service as a string, statement as an object": {`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["sts:AssumeRole"]}}`,
			[]string{"lambda.amazonaws.com"}},
		"a foreign statement stays visible": {`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`,
			[]string{`{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"}}`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := iamAssumedBy(c.doc)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
	_, err := iamAssumedBy("%7Bnot json")
	assert.Error(t, err)
}

func TestIAMStatementsParseWhatIAMReturns(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":{"Sid":"S","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a+b/*",` +
		`"Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}}`
	want := []spec.Statement{{Sid: "S", Effect: "Allow", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::a+b/*"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceVpc": {"vpc-1"}}}}}
	for name, in := range map[string]string{"raw": doc, "url-encoded": url.QueryEscape(doc)} {
		t.Run(name, func(t *testing.T) {
			got, err := iamStatements(in)
			require.NoError(t, err)
			assert.Equal(t, want, got, "a literal + survives")
		})
	}
	t.Run("unmodelled keys show in the sid", func(t *testing.T) {
		got, err := iamStatements(`{"Statement":[{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`)
		require.NoError(t, err)
		assert.Equal(t, "(unmodelled: NotAction)", got[0].Sid)
	})
}

func TestIAMRoleCreateNew(t *testing.T) {
	roles := map[string]*memRole{}
	f := memIAM(roles)
	var sent *iam.CreateRoleInput
	create := f.createRole
	f.createRole = func(in *iam.CreateRoleInput) (*iam.CreateRoleOutput, error) { sent = in; return create(in) }
	o := miscOwner("worker")
	d := desired(o, "worker-dev", iamWorker())

	got, err := tk[spec.IAMRole](unitIAM(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, awscall.TagList(d.Tags, iamTag), sent.Tags, "ownership tags go in CreateRole itself")
	assert.Equal(t, "worker", aws.ToString(sent.Description))
	assert.Equal(t, int32(3600), aws.ToInt32(sent.MaxSessionDuration))
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`,
		aws.ToString(sent.AssumeRolePolicyDocument))
	assert.Empty(t, tk[spec.IAMRole](unitIAM(f)).Diff(d, got))
	assert.Equal(t, map[string]string{"arn": "arn:aws:iam::000000000000:role/worker-dev", "name": "worker-dev", "id": "AROAworker-dev"}, got.Attrs)
	assert.Equal(t, "worker-dev", got.ID)
	f.calls.none(t, "TagRole", "UntagRole", "UpdateRole", "UpdateAssumeRolePolicy")
}

// IAM is eventually consistent: a role created a moment ago can answer NoSuchEntity to the
// next writes and reads. Those are retried.
func TestIAMRoleCreateRetriesWhileTheRolePropagates(t *testing.T) {
	roles := map[string]*memRole{}
	f := memIAM(roles)
	put, get := f.putRolePolicy, f.getRole
	putFails, getFails := 2, 2
	f.putRolePolicy = func(in *iam.PutRolePolicyInput) (*iam.PutRolePolicyOutput, error) {
		if putFails > 0 {
			putFails--
			return nil, iamNoSuchRole(aws.ToString(in.RoleName))
		}
		return put(in)
	}
	f.getRole = func(in *iam.GetRoleInput) (*iam.GetRoleOutput, error) {
		if getFails > 0 {
			getFails--
			return nil, iamNoSuchRole(aws.ToString(in.RoleName))
		}
		return get(in)
	}
	attach, attachFails := f.attachRolePolicy, 1
	f.attachRolePolicy = func(in *iam.AttachRolePolicyInput) (*iam.AttachRolePolicyOutput, error) {
		if attachFails > 0 {
			attachFails--
			return nil, miscAPIErr("ConcurrentModification")
		}
		return attach(in)
	}
	d := desired(miscOwner("worker"), "worker-dev", iamWorker())

	got, err := tk[spec.IAMRole](unitIAM(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Empty(t, tk[spec.IAMRole](unitIAM(f)).Diff(d, got))
	assert.Equal(t, 3, f.calls.count("PutRolePolicy"))
	assert.Equal(t, 2, f.calls.count("AttachRolePolicy"))
}

// NoSuchEntity that names the policy means a wrong ARN: waiting cannot fix it.
func TestIAMRoleAttachUnknownPolicyFailsFast(t *testing.T) {
	f := memIAM(map[string]*memRole{})
	f.attachRolePolicy = func(in *iam.AttachRolePolicyInput) (*iam.AttachRolePolicyOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "Policy " + aws.ToString(in.PolicyArn) + " does not exist or is not attachable."}
	}
	_, err := tk[spec.IAMRole](unitIAM(f)).Create(context.Background(), desired(miscOwner("worker"), "worker-dev", iamWorker()))
	require.Error(t, err)
	assert.Equal(t, 1, f.calls.count("AttachRolePolicy"))
	assert.Contains(t, err.Error(), "attach managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
}

func TestIAMRoleCreateAdoptsOurs(t *testing.T) {
	o := miscOwner("worker")
	roles := map[string]*memRole{}
	old := iamWorker()
	old.Description = "old"
	old.Policies = append(old.Policies, spec.InlinePolicy{Name: "stale", Statements: old.Policies[0].Statements})
	seedRole(t, roles, "worker-dev", old, o.Tags())
	f := memIAM(roles)
	d := desired(o, "worker-dev", iamWorker())

	got, err := tk[spec.IAMRole](unitIAM(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, 1, f.calls.count("CreateRole"))
	assert.Empty(t, tk[spec.IAMRole](unitIAM(f)).Diff(d, got))
	assert.Equal(t, "worker", aws.ToString(roles["worker-dev"].role.Description))
	assert.NotContains(t, roles["worker-dev"].inline, "stale")
	assert.Equal(t, d.Tags, roles["worker-dev"].tags)
}

func TestIAMRoleCreateRefusesForeign(t *testing.T) {
	o := miscOwner("worker")
	for name, tags := range map[string]map[string]string{
		"untagged":     {},
		"other suffix": state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags(),
	} {
		t.Run(name, func(t *testing.T) {
			roles := map[string]*memRole{}
			seedRole(t, roles, "worker-dev", iamDefaults(), tags)
			before := cloneMemRole(roles["worker-dev"])
			f := memIAM(roles)
			_, err := tk[spec.IAMRole](unitIAM(f)).Create(context.Background(), desired(o, "worker-dev", iamWorker()))
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "worker-dev")
			f.calls.none(t, "UpdateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy", "TagRole", "UntagRole", "DeleteRole")
			assert.Equal(t, before, cloneMemRole(roles["worker-dev"]))
		})
	}
}

func TestIAMRoleUpdate(t *testing.T) {
	o := miscOwner("worker")
	roles := map[string]*memRole{}
	old := iamWorker()
	old.AssumedBy = []string{"ec2.amazonaws.com"}
	old.ManagedPolicyARNs = append(old.ManagedPolicyARNs, "arn:aws:iam::aws:policy/Extra")
	seedRole(t, roles, "worker-dev", old, o.Tags())
	roles["worker-dev"].tags["Old"] = "1"
	f := memIAM(roles)
	k := unitIAM(f)
	live, err := k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, live, 1)
	d := desired(o, "worker-dev", iamWorker())
	d.Props.(*spec.IAMRole).Policies = nil

	got, err := tk[spec.IAMRole](k).Update(context.Background(), d, live[0])
	require.NoError(t, err)
	assert.Empty(t, tk[spec.IAMRole](k).Diff(d, got))
	assert.Equal(t, 1, f.calls.count("UpdateAssumeRolePolicy"))
	assert.Empty(t, roles["worker-dev"].inline)
	assert.Equal(t, map[string]bool{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": true}, roles["worker-dev"].attached)
	assert.Equal(t, d.Tags, roles["worker-dev"].tags)
	f.calls.none(t, "UpdateRole")

	d.Props.(*spec.IAMRole).Path = "/other/"
	_, err = tk[spec.IAMRole](k).Update(context.Background(), d, got)
	require.Error(t, err, "a path change is a replacement, never an update")
}

// iamRich is a role using every field the kind observes: several inline policies (out of
// name order), conditions, a literal + that URL-encoding must keep, several attachments.
func iamRich() *spec.IAMRole {
	p := iamWorker()
	p.MaxSessionDuration = 7200
	p.AssumedBy = []string{"lambda.amazonaws.com", "states.amazonaws.com"}
	p.Policies = append([]spec.InlinePolicy{{Name: "zeta", Statements: []spec.Statement{{Sid: "Z", Effect: "Deny",
		Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::a+b/*"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceVpc": {"vpc-1", "vpc-2"}}}}}}}, p.Policies...)
	p.ManagedPolicyARNs = append(p.ManagedPolicyARNs, "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")
	return p
}

// iamListRoles seeds the roles TestIAMRoleList lists: ours, of another suffix, untagged, ours
// too, one deleted since ListRoles, one the caller may not read, and one not named like ours.
func iamListRoles(t *testing.T) map[string]*memRole {
	o := miscOwner("worker")
	roles := map[string]*memRole{}
	seedRole(t, roles, "a-ours-dev", iamRich(), o.Tags())
	seedRole(t, roles, "b-other-suffix-dev", iamDefaults(), state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags())
	seedRole(t, roles, "c-untagged-dev", iamDefaults(), map[string]string{})
	seedRole(t, roles, "d-ours-too-dev", iamDefaults(), miscOwner("api").Tags())
	seedRole(t, roles, "e-vanishing-dev", iamDefaults(), miscOwner("gone").Tags())
	seedRole(t, roles, "f-denied-dev", iamDefaults(), map[string]string{})
	seedRole(t, roles, "someone-elses-role", iamDefaults(), map[string]string{})
	return roles
}

func iamNotImplemented() error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusNotImplemented}},
		Err: &smithy.GenericAPIError{Code: "InternalFailure", Message: "API action 'GetAccountAuthorizationDetails' for service 'iam' not yet implemented"}}
}

// TestIAMRoleList: discovery observes exactly what the per-role reads (those Create, Update
// and the verifying pass use) observe, whichever way it lists: from ListRoles joined with
// GetAccountAuthorizationDetails, two reads a page and none per role, or, when that call is
// refused or unknown, role by role as before.
func TestIAMRoleList(t *testing.T) {
	perRole := []string{"GetRole", "ListRoleTags", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies"}
	cases := []struct {
		name    string
		details func(*iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) // nil: the fake's
		fails   string                                                                                            // the listing's error, when it must fail
		// quoteTrust: ListRoles answers the trust policy JSON-quoted before URL-encoding, as
		// LocalStack 4.14.0 does (GetRole and the details do not)
		quoteTrust bool
		// getRoles: GetRole calls; unreadable: roles counted as unreadable
		getRoles, unreadable int
	}{
		// e-vanishing-dev, listed but gone from the details, is read alone and found deleted.
		{name: "account details", getRoles: 1},
		{name: "account details, ListRoles quoting the trust policy", getRoles: 1, quoteTrust: true},
		{name: "fallback on AccessDenied", getRoles: 6, unreadable: 1,
			details: func(*iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) {
				return nil, miscAPIErr("AccessDenied")
			}},
		{name: "fallback on an endpoint without the call (501)", getRoles: 6, unreadable: 1,
			details: func(*iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) {
				return nil, iamNotImplemented()
			}},
		{name: "fallback on InvalidAction", getRoles: 6, unreadable: 1,
			details: func(*iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) {
				return nil, miscAPIErr("InvalidAction")
			}},
		{name: "another failure fails the listing", fails: "ServiceFailure",
			details: func(*iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) {
				return nil, miscAPIErr("ServiceFailure")
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			roles := iamListRoles(t)
			// What the per-role reads observe of our two roles, before anything is deleted.
			var want []state.Resource
			for _, name := range []string{"a-ours-dev", "d-ours-too-dev"} {
				r, err := unitIAM(memIAM(roles)).observe(context.Background(), name, nil)
				require.NoError(t, err)
				want = append(want, r)
			}

			f := memIAM(roles)
			var read []string
			var mu sync.Mutex
			getRole := f.getRole
			f.getRole = func(in *iam.GetRoleInput) (*iam.GetRoleOutput, error) {
				mu.Lock()
				read = append(read, aws.ToString(in.RoleName))
				mu.Unlock()
				switch aws.ToString(in.RoleName) {
				case "e-vanishing-dev":
					return nil, iamNoSuchRole("e-vanishing-dev") // deleted since ListRoles
				case "f-denied-dev":
					return nil, miscAPIErr("AccessDenied") // a deploy role limited to its own roles
				}
				return getRole(in)
			}
			listRoles := f.listRoles
			f.listRoles = func(in *iam.ListRolesInput) (*iam.ListRolesOutput, error) {
				assert.Equal(t, int32(1000), aws.ToInt32(in.MaxItems))
				out, err := listRoles(in)
				for i, r := range out.Roles {
					if tc.quoteTrust {
						doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
						q, _ := json.Marshal(doc)
						out.Roles[i].AssumeRolePolicyDocument = aws.String(url.QueryEscape(string(q)))
					}
				}
				return out, err
			}
			details := f.getAccountAuthorizationDetails
			if tc.details != nil {
				details = tc.details
			}
			f.getAccountAuthorizationDetails = func(in *iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, error) {
				assert.Equal(t, []types.EntityType{types.EntityTypeRole}, in.Filter, "roles only")
				assert.Equal(t, int32(1000), aws.ToInt32(in.MaxItems))
				out, err := details(in)
				if out != nil { // deleted since ListRoles
					out.RoleDetailList = slices.DeleteFunc(out.RoleDetailList, func(d types.RoleDetail) bool { return aws.ToString(d.RoleName) == "e-vanishing-dev" })
				}
				return out, err
			}

			inv, err := reconcile.Discover(context.Background(), reconcile.Registry{reconcile.Adapt[spec.IAMRole](unitIAM(f))}, state.Selector{Stack: "shop", Suffix: "dev"})
			if tc.fails != "" {
				require.ErrorContains(t, err, tc.fails, "only a refusal or an unknown call falls back")
				return
			}
			require.NoError(t, err, "AccessDenied on a role not ours does not fail discovery")
			assert.Equal(t, want, inv.Resources, "the same Props, Attrs and tags as the per-role reads")
			assert.Equal(t, 4, f.calls.count("ListRoles"), "all pages (two roles each) are read")
			if tc.details == nil {
				assert.Equal(t, 4, f.calls.count("GetAccountAuthorizationDetails"), "all pages (two roles each) are read")
			}
			assert.NotContains(t, read, "someone-elses-role", "a name without our suffix is not read")
			assert.Equal(t, 0, f.calls.count("ListRoleTags"), "GetRole's answer carries the tags")
			assert.Equal(t, tc.getRoles, f.calls.count("GetRole"))
			if tc.details == nil {
				for _, op := range perRole[1:] {
					assert.Equal(t, 0, f.calls.count(op), "no per-role read of %s", op)
				}
			}
			require.Len(t, inv.Unreadable, tc.unreadable)
			if tc.unreadable > 0 {
				assert.Equal(t, state.Unreadable{Kind: "iam.role", Name: "f-denied-dev", Reason: inv.Unreadable[0].Reason}, inv.Unreadable[0])
				assert.Contains(t, inv.Unreadable[0].Reason, "AccessDenied")
			}
		})
	}
}

// A role only one of the two listings saw, or that is not the same role in both (deleted and
// made again between them), is read on its own, so that nothing is observed half old.
func TestIAMRoleListReadsAloneWhatTheListingsDisagreeOn(t *testing.T) {
	roles := map[string]*memRole{}
	seedRole(t, roles, "late-dev", iamWorker(), miscOwner("late").Tags())
	seedRole(t, roles, "remade-dev", iamWorker(), miscOwner("remade").Tags())
	seedRole(t, roles, "steady-dev", iamWorker(), miscOwner("steady").Tags())
	k := unitIAM(memIAM(roles))
	var want []state.Resource
	for _, name := range []string{"remade-dev", "steady-dev", "late-dev"} {
		r, err := k.observe(context.Background(), name, nil)
		require.NoError(t, err)
		want = append(want, r)
	}
	f := memIAM(roles)
	listRoles := f.listRoles
	f.listRoles = func(in *iam.ListRolesInput) (*iam.ListRolesOutput, error) {
		out, err := listRoles(in)
		out.Roles = slices.DeleteFunc(out.Roles, func(r types.Role) bool { return aws.ToString(r.RoleName) == "late-dev" }) // made since
		for i, r := range out.Roles {
			if aws.ToString(r.RoleName) == "remade-dev" {
				out.Roles[i].RoleId = aws.String("AROAold") // the role of that name before it was made again
			}
		}
		return out, err
	}
	got, err := unitIAM(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, 2, f.calls.count("GetRole"), "late-dev and remade-dev, each alone")
	assert.Equal(t, 2, f.calls.count("ListRolePolicies"))
}

// Within one discovery the two listings are made once, however many kinds ask; the next
// discovery (the verifying pass after an apply) reads again.
func TestIAMRoleListReadsOncePerDiscovery(t *testing.T) {
	roles := map[string]*memRole{}
	seedRole(t, roles, "worker-dev", iamWorker(), miscOwner("worker").Tags())
	f := memIAM(roles)
	kind := reconcile.Adapt[spec.IAMRole](unitIAM(f))
	sel := state.Selector{Stack: "shop", Suffix: "dev"}
	inv, err := reconcile.Discover(context.Background(), reconcile.Registry{kind, kind}, sel)
	require.NoError(t, err)
	assert.Len(t, inv.Resources, 2, "each asker gets the role")
	assert.Equal(t, 1, f.calls.count("ListRoles"))
	assert.Equal(t, 1, f.calls.count("GetAccountAuthorizationDetails"))
	_, err = reconcile.Discover(context.Background(), reconcile.Registry{kind}, sel)
	require.NoError(t, err)
	assert.Equal(t, 2, f.calls.count("ListRoles"), "a new discovery reads afresh")
	assert.Equal(t, 2, f.calls.count("GetAccountAuthorizationDetails"))
}

func TestIAMRoleDelete(t *testing.T) {
	o := miscOwner("worker")
	live := state.Resource{Kind: "iam.role", Owner: o, ID: "worker-dev", Name: "worker-dev"}

	t.Run("removes what it owns, retries DeleteConflict, waits until gone", func(t *testing.T) {
		roles := map[string]*memRole{}
		seedRole(t, roles, "worker-dev", iamWorker(), o.Tags())
		roles["worker-dev"].profiles = []string{"ec2-profile"}
		f := memIAM(roles)
		del, conflicts := f.deleteRole, 1
		f.deleteRole = func(in *iam.DeleteRoleInput) (*iam.DeleteRoleOutput, error) {
			if conflicts > 0 { // a detach not yet visible to DeleteRole
				conflicts--
				return nil, miscAPIErr("DeleteConflict")
			}
			return del(in)
		}
		get, visible := f.getRole, 0
		f.getRole = func(in *iam.GetRoleInput) (*iam.GetRoleOutput, error) {
			if visible++; visible < 3 {
				return &iam.GetRoleOutput{Role: &types.Role{RoleName: in.RoleName}}, nil // still readable for a moment
			}
			return get(in)
		}
		require.NoError(t, unitIAM(f).Delete(context.Background(), live))
		assert.Empty(t, roles)
		assert.Equal(t, 2, f.calls.count("DeleteRole"))
		assert.Equal(t, 1, f.calls.count("RemoveRoleFromInstanceProfile"))
		assert.Equal(t, 3, visible)
	})
	t.Run("already gone", func(t *testing.T) {
		f := memIAM(map[string]*memRole{})
		require.NoError(t, unitIAM(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteRole")
	})
	t.Run("gone between the tag check and the delete", func(t *testing.T) {
		roles := map[string]*memRole{}
		seedRole(t, roles, "worker-dev", iamDefaults(), o.Tags())
		f := memIAM(roles)
		f.listAttachedRolePolicies = func(in *iam.ListAttachedRolePoliciesInput) (*iam.ListAttachedRolePoliciesOutput, error) {
			delete(roles, "worker-dev")
			return nil, iamNoSuchRole("worker-dev")
		}
		require.NoError(t, unitIAM(f).Delete(context.Background(), live))
	})
	t.Run("refuses when the tags are no longer ours", func(t *testing.T) {
		roles := map[string]*memRole{}
		seedRole(t, roles, "worker-dev", iamWorker(), map[string]string{"Team": "x"})
		f := memIAM(roles)
		err := unitIAM(f).Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteRole", "DetachRolePolicy", "DeleteRolePolicy", "RemoveRoleFromInstanceProfile")
		assert.Len(t, roles["worker-dev"].inline, 1)
	})
}

// ---- integration tests against the emulator ----

// integrationIAM also creates a customer managed policy to attach: moto loads no AWS managed
// policies unless MOTO_IAM_LOAD_MANAGED_POLICIES is set, and a real account would need one
// anyway to stay endpoint-neutral.
func integrationIAM(t *testing.T, suffix string) (*IAMRole, *iam.Client, string) {
	t.Helper()
	client := iam.NewFromConfig(emuConfig(t))
	ctx := context.Background()
	out, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("kindtest-" + suffix),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"*"}]}`)})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeletePolicy(context.Background(), &iam.DeletePolicyInput{PolicyArn: out.Policy.Arn})
	})
	return NewIAMRole(client), client, aws.ToString(out.Policy.Arn)
}

func TestIAMRoleLifecycle(t *testing.T) {
	o := testOwner(t, "worker")
	k, _, policyARN := integrationIAM(t, o.Suffix)
	p := iamWorker()
	p.ManagedPolicyARNs = []string{policyARN}
	p.Policies[0].Statements[0].Condition = map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"a", "b"}}}
	d := desired(o, "worker-"+o.Suffix, p)
	checkLifecycle(t, tk[spec.IAMRole](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.IAMRole)
		p.Description = "changed"
		p.MaxSessionDuration = 7200
		p.AssumedBy = []string{"lambda.amazonaws.com", "states.amazonaws.com"}
		p.Policies = []spec.InlinePolicy{{Name: "logs", Statements: []spec.Statement{{Sid: "Logs", Effect: "Allow",
			Actions: []string{"logs:PutLogEvents"}, Resources: []string{"*"}}}}}
		p.ManagedPolicyARNs = nil
		d.Props = &p
		return d
	})
}

func TestIAMRoleRefusesUntaggedAndListsBySuffix(t *testing.T) {
	o := testOwner(t, "worker")
	k, client, _ := integrationIAM(t, o.Suffix)
	ctx := context.Background()

	foreign := "foreign-" + o.Suffix
	_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(foreign),
		AssumeRolePolicyDocument: aws.String(iamTrustDocument([]string{"ec2.amazonaws.com"}))})
	require.NoError(t, emutest.Resent(err, "EntityAlreadyExists"))
	t.Cleanup(func() {
		_, _ = client.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(foreign)})
	})

	p := iamWorker()
	p.ManagedPolicyARNs = nil
	_, err = tk[spec.IAMRole](k).Create(ctx, desired(o, foreign, p))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	tags, err := client.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(foreign)})
	require.NoError(t, err)
	assert.Empty(t, tags.Tags, "the foreign role is left untouched")
	inline, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(foreign)})
	require.NoError(t, err)
	assert.Empty(t, inline.PolicyNames)

	ours, err := tk[spec.IAMRole](k).Create(ctx, desired(o, "ours-"+o.Suffix, p))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), ours) })
	other, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")
	mine, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1, "the untagged role is not listed")
	assert.Equal(t, ours.Attrs, mine[0].Attrs)
}

// iamDeniedDetails is an IAM client whose caller may not call GetAccountAuthorizationDetails,
// as a least-privilege deploy role.
type iamDeniedDetails struct{ *iam.Client }

func (iamDeniedDetails) GetAccountAuthorizationDetails(context.Context, *iam.GetAccountAuthorizationDetailsInput, ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform: iam:GetAccountAuthorizationDetails"}
}

// iamNoPerRole is an IAM client that fails every per-role read: the joined listing needs none.
type iamNoPerRole struct{ *iam.Client }

func (iamNoPerRole) GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	return nil, errors.New("unexpected GetRole")
}

func (iamNoPerRole) ListRolePolicies(context.Context, *iam.ListRolePoliciesInput, ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error) {
	return nil, errors.New("unexpected ListRolePolicies")
}

// The emulator's answers observe the same through both listings: ListRoles joined with
// GetAccountAuthorizationDetails, and role by role when that call is refused.
func TestIAMRoleListsAlikeEitherWay(t *testing.T) {
	o := testOwner(t, "worker")
	k, client, policyARN := integrationIAM(t, o.Suffix)
	ctx := context.Background()
	rich := iamRich()
	rich.ManagedPolicyARNs = []string{policyARN}
	plain := iamDefaults()
	for name, p := range map[string]*spec.IAMRole{"rich-" + o.Suffix: rich, "plain-" + o.Suffix: plain} {
		owner := o
		owner.ID = name
		r, err := tk[spec.IAMRole](k).Create(ctx, desired(owner, name, p))
		require.NoError(t, err)
		t.Cleanup(func() { _ = k.Delete(context.Background(), r) })
	}
	sel := state.Selector{Stack: o.Stack, Suffix: o.Suffix}
	joined, err := NewIAMRole(iamNoPerRole{client}).List(ctx, sel)
	require.NoError(t, err, "the emulator has GetAccountAuthorizationDetails: no role is read alone")
	alone, err := NewIAMRole(iamDeniedDetails{client}).List(ctx, sel)
	require.NoError(t, err)
	require.Len(t, joined, 2)
	assert.Equal(t, alone, joined)
	for _, r := range joined {
		want := plain
		if r.Name == "rich-"+o.Suffix {
			want = rich
		}
		assert.Empty(t, k.Diff(reconcile.Want[*spec.IAMRole]{Props: want}, reconcile.Have[*spec.IAMRole]{Resource: r, Props: r.Props.(*spec.IAMRole)}), r.Name)
	}
}
