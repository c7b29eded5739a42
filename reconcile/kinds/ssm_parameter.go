package kinds

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// SSMParameterAPI is the part of the SSM API the ssm.parameter kind uses; *ssm.Client
// satisfies it.
type SSMParameterAPI interface {
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, opts ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	DescribeParameters(ctx context.Context, in *ssm.DescribeParametersInput, opts ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error)
	ListTagsForResource(ctx context.Context, in *ssm.ListTagsForResourceInput, opts ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error)
	AddTagsToResource(ctx context.Context, in *ssm.AddTagsToResourceInput, opts ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(ctx context.Context, in *ssm.RemoveTagsFromResourceInput, opts ...func(*ssm.Options)) (*ssm.RemoveTagsFromResourceOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, opts ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
}

// APIKeyValueAPI reads an API key's value, for a parameter created with initial_value
// api_key; *apigateway.Client satisfies it.
type APIKeyValueAPI interface {
	GetApiKey(ctx context.Context, in *apigateway.GetApiKeyInput, opts ...func(*apigateway.Options)) (*apigateway.GetApiKeyOutput, error)
}

// SSMParameter implements ssm.parameter. Its ID is the parameter name.
//
// The value is not the stack's: Create writes a first one (generated, a placeholder, or an
// API key's value) and nothing else ever writes it on purpose. Diff compares type,
// description and KMS key only; none of them forces a replacement. SSM changes them only
// together with a value (PutParameter takes no partial update), so Update reads the current
// value and puts it back unchanged with the new settings: a value a person sets between that
// read and that write is lost (the write is one call later; the parameter's history keeps it).
// Values are never copied into a resource, an error or a log line.
//
// Create adopts an existing parameter of that name only when it carries d's ownership tags;
// its value is then left as it is.
type SSMParameter struct {
	api             SSMParameterAPI
	keys            APIKeyValueAPI
	region, account string
	wait            reconcile.Backoff
}

// NewSSMParameter returns the ssm.parameter kind over api (an *ssm.Client); keys (an
// *apigateway.Client) reads API key values for initial_value api_key; region and account
// make the ARN where DescribeParameters gives none (moto 5.2.5 leaves it out).
func NewSSMParameter(api SSMParameterAPI, keys APIKeyValueAPI, region, account string) *SSMParameter {
	return &SSMParameter{api: api, keys: keys, region: region, account: account, wait: reconcile.DefaultBackoff}
}

// ssmDefaultKey is the key SSM reports for a SecureString encrypted with the account's key.
const ssmDefaultKey = "alias/aws/ssm"

var (
	ssmRetryWrite = awscall.RetryCodes()
	ssmGone       = []string{awscall.ParameterNotFound, awscall.InvalidResourceID}
)

func (*SSMParameter) Kind() string { return "ssm.parameter" }

// Diff compares type, description and KMS key; the value and initial_value are not compared
// (see SSMParameter), and api_key only chose the first value.
func (*SSMParameter) Diff(d reconcile.Want[*spec.SSMParameter], live reconcile.Have[*spec.SSMParameter]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("type", l.Type, w.Type)
	ds.Field("description", l.Description, w.Description)
	ds.Field("kms_key_id", l.KMSKeyID, w.KMSKeyID)
	return ds
}

// List finds the parameters tagged with the selector's suffix (DescribeParameters filters by
// tag), reads each one's tags and keeps those the selector matches.
func (k *SSMParameter) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	params, err := k.describe(ctx, types.ParameterStringFilter{Key: aws.String("tag:" + state.TagSuffix),
		Option: aws.String("Equals"), Values: []string{sel.Suffix}})
	if err != nil {
		return nil, fmt.Errorf("list ssm parameters: %w", err)
	}
	out, err := awscall.Gather(ctx, params, func(ctx context.Context, p types.ParameterMetadata) (state.Resource, bool, error) {
		if strings.HasPrefix(aws.ToString(p.Name), state.LockPath(sel.Suffix)+"/") {
			// The stack lock's parameters carry the suffix tag but are never a resource
			// (state.TagLock): reading their tags cost a round after the lock was taken.
			return state.Resource{}, false, nil
		}
		tags, err := ownedTags(ctx, k.Kind(), k.arn(p), func(ctx context.Context) (map[string]string, error) {
			return k.tags(ctx, aws.ToString(p.Name))
		})
		if errors.Is(err, reconcile.ErrNotFound) {
			return state.Resource{}, false, nil // deleted since the listing
		}
		if err != nil || !sel.Matches(tags) {
			return state.Resource{}, false, err
		}
		return k.resource(p, tags), true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list ssm parameters: %w", err)
	}
	return out, nil
}

// describe pages through DescribeParameters under one filter. It reads metadata only.
func (k *SSMParameter) describe(ctx context.Context, filter types.ParameterStringFilter) ([]types.ParameterMetadata, error) {
	in := &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{filter}, MaxResults: aws.Int32(50)}
	return awscall.Pages(ctx, k.wait, awscall.RetryCodes(), in, &in.NextToken, k.api.DescribeParameters,
		func(o *ssm.DescribeParametersOutput) ([]types.ParameterMetadata, *string) {
			return o.Parameters, o.NextToken
		})
}

// find reads the metadata of the parameter of exactly that name; ErrNotFound when none.
func (k *SSMParameter) find(ctx context.Context, name string) (types.ParameterMetadata, error) {
	params, err := k.describe(ctx, types.ParameterStringFilter{Key: aws.String("Name"),
		Option: aws.String("Equals"), Values: []string{name}})
	if err != nil {
		return types.ParameterMetadata{}, err
	}
	for _, p := range params {
		if aws.ToString(p.Name) == name {
			return p, nil
		}
	}
	return types.ParameterMetadata{}, fmt.Errorf("ssm parameter %s: %w", name, reconcile.ErrNotFound)
}

// tags reads a parameter's tags.
func (k *SSMParameter) tags(ctx context.Context, name string) (map[string]string, error) {
	out, err := awscall.Call(ctx, func(ctx context.Context) (*ssm.ListTagsForResourceOutput, error) {
		return k.api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{
			ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String(name)})
	})
	if err != nil {
		return nil, awscall.NotFound(err, ssmGone...)
	}
	return awscall.TagMap(out.TagList, func(t types.Tag) (*string, *string) { return t.Key, t.Value }), nil
}

// observe reads one parameter's metadata and tags, at once: a create's read-back (on the
// cold apply's chain: an API key's parameter, then the role that may read it) is one round.
func (k *SSMParameter) observe(ctx context.Context, name string) (state.Resource, error) {
	var p types.ParameterMetadata
	var tags map[string]string
	if err := awscall.All(ctx,
		func(ctx context.Context) (err error) { p, err = k.find(ctx, name); return err },
		func(ctx context.Context) (err error) { tags, err = k.tags(ctx, name); return err },
	); err != nil {
		return state.Resource{}, err
	}
	return k.resource(p, tags), nil
}

// arn is p's ARN, made where DescribeParameters gives none.
func (k *SSMParameter) arn(p types.ParameterMetadata) string {
	if arn := aws.ToString(p.ARN); arn != "" {
		return arn
	}
	return fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/%s", partition(k.region), k.region, k.account, strings.TrimPrefix(aws.ToString(p.Name), "/"))
}

// resource is p as a resource. ParameterMetadata carries no value, so none can leak here.
func (k *SSMParameter) resource(p types.ParameterMetadata, tags map[string]string) state.Resource {
	name, arn := aws.ToString(p.Name), k.arn(p)
	owner, _ := state.OwnerOf(tags)
	key := aws.ToString(p.KeyId)
	if key == ssmDefaultKey {
		key = "" // the spec's way of saying "the account's key"
	}
	return state.Resource{
		Kind: "ssm.parameter", Owner: owner, ID: name, Name: name, Tags: tags,
		Attrs: map[string]string{"arn": arn, "name": name},
		Props: &spec.SSMParameter{Type: string(p.Type), Description: aws.ToString(p.Description), KMSKeyID: key},
	}
}

// Create puts the parameter with its first value and the ownership tags in one PutParameter
// (Overwrite false, so an existing value is never replaced). A parameter of that name that
// exists already is adopted when it carries d's ownership tags, value untouched, and refused
// otherwise.
func (k *SSMParameter) Create(ctx context.Context, d reconcile.Want[*spec.SSMParameter]) (state.Resource, error) {
	value, err := k.initialValue(ctx, d.Props)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ssm parameter %s: %w", d.Name, err)
	}
	in := ssmPut(d.Name, value, d.Props)
	in.Tags = awscall.TagList(d.Tags, func(key, v *string) types.Tag { return types.Tag{Key: key, Value: v} })
	err = awscall.Do(ctx, k.wait, ssmRetryWrite, func(ctx context.Context) error {
		_, err := k.api.PutParameter(ctx, in)
		return err
	})
	if err != nil && !awscall.Is(err, awscall.ParameterAlreadyExists) {
		return state.Resource{}, fmt.Errorf("create ssm parameter %s: %w", d.Name, err)
	}
	adopting := err != nil
	// A parameter this call made carries exactly the tags it was sent with (PutParameter sets
	// them with the value), so its read-back waits only for DescribeParameters to show it; one
	// that was there (or a resend's "exists" after a lost answer) is read whole and must be ours.
	read := k.observe
	if !adopting {
		read = func(ctx context.Context, name string) (state.Resource, error) {
			p, err := k.find(ctx, name)
			if err != nil {
				return state.Resource{}, err
			}
			return k.resource(p, d.Tags), nil
		}
	}
	live, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) {
		return read(ctx, d.Name)
	}, func(state.Resource) bool { return true }, func(err error) bool { return errors.Is(err, reconcile.ErrNotFound) })
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ssm parameter %s: %w", d.Name, err)
	}
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("create ssm parameter %s: %w", d.Name, awscall.NotOwned("ssm parameter", d.Name, live.Tags))
	}
	if !adopting {
		return live, nil
	}
	res, err := miscAdopt(ctx, k, d, live)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create ssm parameter %s: %w", d.Name, err)
	}
	return res, nil
}

// ssmPut is the PutParameter input for name with value and p's settings.
func ssmPut(name, value string, p *spec.SSMParameter) *ssm.PutParameterInput {
	in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value),
		Type: types.ParameterType(p.Type), Description: aws.String(p.Description)}
	if p.KMSKeyID != "" {
		in.KeyId = aws.String(p.KMSKeyID)
	}
	return in
}

// initialValue is the value a new parameter starts with.
func (k *SSMParameter) initialValue(ctx context.Context, p *spec.SSMParameter) (string, error) {
	switch p.InitialValue {
	case "placeholder":
		return spec.SSMPlaceholder, nil
	case "api_key":
		// The key was created moments ago in the same apply: API Gateway may not show it yet.
		var out *apigateway.GetApiKeyOutput
		err := awscall.Visible(ctx, k.wait, "api key "+p.APIKey, func(ctx context.Context) (err error) {
			out, err = awscall.Call(ctx, func(ctx context.Context) (*apigateway.GetApiKeyOutput, error) {
				return k.keys.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(p.APIKey), IncludeValue: aws.Bool(true)})
			})
			return awscall.NotFound(err, apigwNotFound)
		})
		if err != nil {
			return "", fmt.Errorf("read the value of api key %s: %w", p.APIKey, err)
		}
		if aws.ToString(out.Value) == "" {
			return "", fmt.Errorf("read the value of api key %s: API Gateway returned none", p.APIKey)
		}
		return aws.ToString(out.Value), nil
	default: // generate
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("generate a value: %w", err)
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	}
}

// Update changes type, description and KMS key (putting the current value back unchanged,
// see SSMParameter) and makes the tags equal d.Tags.
func (k *SSMParameter) Update(ctx context.Context, d reconcile.Want[*spec.SSMParameter], live reconcile.Have[*spec.SSMParameter], changes reconcile.Changes) (state.Resource, error) {
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update ssm parameter %s: %w", d.Name, awscall.NotOwned("ssm parameter", live.Name, live.Tags))
	}
	name := live.ID
	if changes.Changed("type") || changes.Changed("description") || changes.Changed("kms_key_id") {
		if err := k.rewrite(ctx, name, d.Props); err != nil {
			return state.Resource{}, fmt.Errorf("update ssm parameter %s: %w", d.Name, err)
		}
	}
	if err := k.syncTags(ctx, name, live.Tags, d.Tags); err != nil {
		return state.Resource{}, fmt.Errorf("update ssm parameter %s: %w", d.Name, err)
	}
	got, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) {
		return k.observe(ctx, name)
	}, func(r state.Resource) bool { return miscSettled(k, d, r) }, awscall.Never)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update ssm parameter %s: %w", d.Name, err)
	}
	return got, nil
}

// rewrite puts the parameter's current value back with p's settings.
func (k *SSMParameter) rewrite(ctx context.Context, name string, p *spec.SSMParameter) error {
	cur, err := awscall.Call(ctx, func(ctx context.Context) (*ssm.GetParameterOutput, error) {
		return k.api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	})
	if err != nil {
		return fmt.Errorf("read the current value: %w", err)
	}
	if cur.Parameter == nil {
		return errors.New("read the current value: no parameter returned")
	}
	in := ssmPut(name, aws.ToString(cur.Parameter.Value), p)
	in.Overwrite = aws.Bool(true)
	err = awscall.Do(ctx, k.wait, ssmRetryWrite, func(ctx context.Context) error {
		_, err := k.api.PutParameter(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("put the settings: %w", err)
	}
	return nil
}

func (k *SSMParameter) syncTags(ctx context.Context, name string, live, want map[string]string) error {
	typ := types.ResourceTypeForTaggingParameter
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		tags := awscall.TagList(set, func(key, v *string) types.Tag { return types.Tag{Key: key, Value: v} })
		if err := awscall.Do(ctx, k.wait, ssmRetryWrite, func(ctx context.Context) error {
			_, err := k.api.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: typ, ResourceId: aws.String(name), Tags: tags})
			return err
		}); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		return nil
	}, func(keys []string) error {
		if err := awscall.Do(ctx, k.wait, ssmRetryWrite, func(ctx context.Context) error {
			_, err := k.api.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: typ, ResourceId: aws.String(name), TagKeys: keys})
			return err
		}); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
		return nil
	})
}

// Delete re-reads the parameter's tags and deletes it only when they still are live's
// ownership tags; a parameter already gone is success.
func (k *SSMParameter) Delete(ctx context.Context, live state.Resource) error {
	name := live.ID
	tags, err := k.tags(ctx, name)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete ssm parameter %s: %w", name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete ssm parameter %s: %w", name, awscall.NotOwned("ssm parameter", name, tags))
	}
	err = awscall.Do(ctx, k.wait, ssmRetryWrite, func(ctx context.Context) error {
		_, err := k.api.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(name)})
		return awscall.NotFound(err, ssmGone...)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete ssm parameter %s: %w", name, err)
	}
	return nil
}
