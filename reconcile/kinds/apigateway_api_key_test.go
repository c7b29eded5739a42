package kinds

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- unit tests with a hand-written fake ----

func apikeyItem(id, name string, o *state.Owner) types.ApiKey {
	key := types.ApiKey{Id: aws.String(id), Name: aws.String(name), Enabled: true, Tags: map[string]string{"Team": "x"}}
	if o != nil {
		key.Tags = apigwOwnedTags(*o)
	}
	return key
}

func TestAPIKeyDiff(t *testing.T) {
	o := miscOwner("key")
	base := func() *spec.APIKey { return &spec.APIKey{Description: "d", Enabled: true} }
	apigwCheckDiffs(t, []apigwDiffCase[*spec.APIKey]{
		{"no change", func(*spec.APIKey) {}, ""},
		{"description", func(p *spec.APIKey) { p.Description = "e" }, "description"},
		{"enabled", func(p *spec.APIKey) { p.Enabled = false }, "enabled"},
	}, base, func(w *spec.APIKey) []reconcile.FieldDiff {
		return tk[spec.APIKey](&APIKey{}).Diff(desired(o, "k", w), state.Resource{Props: base()})
	}, "every api key field changes in place")
}

func TestAPIKeyList(t *testing.T) {
	ours, other := miscOwner("key"), state.Owner{Stack: "shop", Suffix: "prod", ID: "key"}
	f := &fakeAPIGW{}
	f.getApiKeys = func(in *apigateway.GetApiKeysInput) (*apigateway.GetApiKeysOutput, error) {
		assert.False(t, aws.ToBool(in.IncludeValues), "values are never asked for")
		if in.Position == nil {
			return &apigateway.GetApiKeysOutput{Items: []types.ApiKey{apikeyItem("k1", "a", &ours), apikeyItem("k2", "b", nil)},
				Position: aws.String("p2")}, nil
		}
		return &apigateway.GetApiKeysOutput{Items: []types.ApiKey{apikeyItem("k3", "c", &other)}}, nil
	}
	got, err := unitAPIKey(f).List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, got, 1, "untagged and other-suffix keys are not listed")
	assert.Equal(t, "k1", got[0].ID)
	assert.Equal(t, ours, got[0].Owner)
	assert.Equal(t, map[string]string{"id": "k1", "name": "a"}, got[0].Attrs)
	assert.Equal(t, 2, f.calls.count("GetApiKeys"), "all pages are read")
}

func TestAPIKeyCreate(t *testing.T) {
	o := miscOwner("key")
	t.Run("creates with the tags, retrying throttling, and drops the value", func(t *testing.T) {
		f := &fakeAPIGW{}
		f.getApiKeys = func(*apigateway.GetApiKeysInput) (*apigateway.GetApiKeysOutput, error) {
			// a namesake without our tags, and one of another owner
			return &apigateway.GetApiKeysOutput{Items: []types.ApiKey{apikeyItem("x", "key-dev", nil),
				apikeyItem("y", "key-dev", &state.Owner{Stack: "shop", Suffix: "dev", ID: "other"})}}, nil
		}
		f.createApiKey = apigwFails(2, "TooManyRequestsException", func(in *apigateway.CreateApiKeyInput) (*apigateway.CreateApiKeyOutput, error) {
			assert.Equal(t, o.Tags()[state.TagID], in.Tags[state.TagID])
			return &apigateway.CreateApiKeyOutput{Id: aws.String("k9"), Name: in.Name, Description: in.Description,
				Enabled: in.Enabled, Tags: in.Tags, Value: aws.String("SECRET-VALUE-0123456789")}, nil
		})
		d := desired(o, "key-dev", &spec.APIKey{Description: "d", Enabled: true})
		got, err := tk[spec.APIKey](unitAPIKey(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Equal(t, "k9", got.ID)
		assert.Equal(t, 3, f.calls.count("CreateApiKey"))
		assert.Empty(t, tk[spec.APIKey](&APIKey{}).Diff(d, got))
		assert.NotContains(t, fmt.Sprintf("%#v %#v", got, got.Props), "SECRET-VALUE")
	})
	t.Run("adopts ours and brings it to d", func(t *testing.T) {
		f := &fakeAPIGW{}
		f.getApiKeys = func(in *apigateway.GetApiKeysInput) (*apigateway.GetApiKeysOutput, error) {
			assert.Equal(t, "key-dev", aws.ToString(in.NameQuery))
			return &apigateway.GetApiKeysOutput{Items: []types.ApiKey{apikeyItem("x", "key-dev-2", &o), apikeyItem("k1", "key-dev", &o)}}, nil
		}
		var ops []types.PatchOperation
		f.updateApiKey = func(in *apigateway.UpdateApiKeyInput) (*apigateway.UpdateApiKeyOutput, error) {
			assert.Equal(t, "k1", aws.ToString(in.ApiKey))
			ops = in.PatchOperations
			return &apigateway.UpdateApiKeyOutput{}, nil
		}
		f.getApiKey = func(*apigateway.GetApiKeyInput) (*apigateway.GetApiKeyOutput, error) {
			key := apikeyItem("k1", "key-dev", &o)
			return &apigateway.GetApiKeyOutput{Id: key.Id, Name: key.Name, Description: aws.String("new"), Enabled: false, Tags: key.Tags}, nil
		}
		d := desired(o, "key-dev", &spec.APIKey{Description: "new", Enabled: false})
		got, err := tk[spec.APIKey](unitAPIKey(f)).Create(context.Background(), d)
		require.NoError(t, err)
		assert.Equal(t, "k1", got.ID)
		f.calls.none(t, "CreateApiKey", "TagResource", "UntagResource")
		assert.Equal(t, []types.PatchOperation{apigwReplace("/description", "new"), apigwReplace("/enabled", "false")}, ops)
	})
}

func TestAPIKeyUpdateRefusesForeignLive(t *testing.T) {
	f := &fakeAPIGW{}
	live := apikeyObserved(apikeyItem("k1", "key-dev", nil))
	_, err := tk[spec.APIKey](unitAPIKey(f)).Update(context.Background(), desired(miscOwner("key"), "key-dev", &spec.APIKey{}), live)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Empty(t, f.calls)
}

func TestAPIKeyDelete(t *testing.T) {
	o := miscOwner("key")
	live := apikeyObserved(apikeyItem("k1", "key-dev", &o))
	get := func(gone *bool) func(*apigateway.GetApiKeyInput) (*apigateway.GetApiKeyOutput, error) {
		return func(*apigateway.GetApiKeyInput) (*apigateway.GetApiKeyOutput, error) {
			if *gone {
				return nil, miscAPIErr("NotFoundException")
			}
			return &apigateway.GetApiKeyOutput{Id: aws.String("k1"), Tags: live.Tags}, nil
		}
	}
	t.Run("retries conflicts, then waits until gone", func(t *testing.T) {
		gone := false
		f := &fakeAPIGW{getApiKey: get(&gone)}
		f.deleteApiKey = apigwFails(1, "ConflictException", func(*apigateway.DeleteApiKeyInput) (*apigateway.DeleteApiKeyOutput, error) {
			gone = true
			return &apigateway.DeleteApiKeyOutput{}, nil
		})
		require.NoError(t, unitAPIKey(f).Delete(context.Background(), live))
		assert.Equal(t, 2, f.calls.count("DeleteApiKey"))
	})
	t.Run("already gone", func(t *testing.T) {
		gone := true
		f := &fakeAPIGW{getApiKey: get(&gone)}
		require.NoError(t, unitAPIKey(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteApiKey")
	})
	t.Run("refuses a key that is not ours", func(t *testing.T) {
		f := &fakeAPIGW{getApiKey: func(*apigateway.GetApiKeyInput) (*apigateway.GetApiKeyOutput, error) {
			return &apigateway.GetApiKeyOutput{Id: aws.String("k1"), Tags: map[string]string{"Team": "x"}}, nil
		}}
		require.ErrorIs(t, unitAPIKey(f).Delete(context.Background(), live), reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteApiKey")
	})
	t.Run("other errors surface, named", func(t *testing.T) {
		gone := false
		f := &fakeAPIGW{getApiKey: get(&gone), deleteApiKey: func(*apigateway.DeleteApiKeyInput) (*apigateway.DeleteApiKeyOutput, error) {
			return nil, miscAPIErr("BadRequestException")
		}}
		err := unitAPIKey(f).Delete(context.Background(), live)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "delete api gateway api key key-dev: ")
		assert.Equal(t, 1, f.calls.count("DeleteApiKey"), "not retried")
	})
}

// ---- integration tests against the emulator ----

func TestAPIKeyLifecycle(t *testing.T) {
	client, region, _ := integrationAPIGW(t)
	k := NewAPIKey(client, region)
	o := testOwner(t, "partner-key")
	d := desired(o, "kindtest-key-"+o.Suffix, &spec.APIKey{Description: "the provider's key", Enabled: true})
	checkLifecycle(t, tk[spec.APIKey](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = &spec.APIKey{Description: "revoked", Enabled: false}
		return d
	})
}

// TestAPIKeyValueNeverObserved reads the generated value with the client and looks for it in
// everything the kind returns.
func TestAPIKeyValueNeverObserved(t *testing.T) {
	client, region, _ := integrationAPIGW(t)
	ctx := context.Background()
	k := NewAPIKey(client, region)
	o := testOwner(t, "partner-key")
	d := desired(o, "kindtest-key-"+o.Suffix, &spec.APIKey{Description: "secret", Enabled: true})
	created, err := tk[spec.APIKey](k).Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), created) })
	out, err := client.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(created.ID), IncludeValue: aws.Bool(true)})
	require.NoError(t, err)
	value := aws.ToString(out.Value)
	require.NotEmpty(t, value)

	listed, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, listed, 1)
	d.Props = &spec.APIKey{Description: "secret, disabled"}
	updated, err := tk[spec.APIKey](k).Update(ctx, d, listed[0])
	require.NoError(t, err)
	for _, r := range []state.Resource{created, listed[0], updated} {
		assert.NotContains(t, fmt.Sprintf("%#v %#v", r, r.Props), value, "the key's value must never be observed")
	}
}

// API key names are not unique: an untagged namesake is left alone and ours is made beside it.
func TestAPIKeyLeavesUntaggedNamesakeAndListsBySuffix(t *testing.T) {
	client, region, _ := integrationAPIGW(t)
	ctx := context.Background()
	k := NewAPIKey(client, region)
	o := testOwner(t, "partner-key")
	name := "kindtest-key-" + o.Suffix
	foreign, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String(name), Description: aws.String("theirs")})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteApiKey(context.Background(), &apigateway.DeleteApiKeyInput{ApiKey: foreign.Id})
	})

	apigwCheckBesideNamesake(t, tk[spec.APIKey](k), desired(o, name, &spec.APIKey{Enabled: true}), aws.ToString(foreign.Id), func() {
		theirs, err := client.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: foreign.Id})
		require.NoError(t, err)
		assert.Equal(t, "theirs", aws.ToString(theirs.Description))
		assert.False(t, theirs.Enabled)
		assert.Empty(t, theirs.Tags)
	})
}
