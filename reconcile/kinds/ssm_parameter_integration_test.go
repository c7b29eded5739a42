package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
)

func integrationSSM(t *testing.T) (*SSMParameter, *ssm.Client) {
	t.Helper()
	cfg := emuConfig(t)
	client := ssm.NewFromConfig(cfg)
	_, _, account := integrationAPIGW(t)
	return NewSSMParameter(client, apigateway.NewFromConfig(cfg), cfg.Region, account), client
}

func TestSSMParameterLifecycle(t *testing.T) {
	k, _ := integrationSSM(t)
	o := testOwner(t, "stripe-secret")
	d := desired(o, "/kindtest/"+o.Suffix+"/stripe/secret", ssmDefaults())
	checkLifecycle(t, tk[spec.SSMParameter](k), d, func(d reconcile.Desired) reconcile.Desired {
		d.Props = &spec.SSMParameter{Type: "SecureString", InitialValue: "generate", Description: "rotated"}
		return d
	})
}

// On the emulator too: a value set by a person survives a second create and an update.
func TestSSMParameterKeepsValueOnEmulator(t *testing.T) {
	k, client := integrationSSM(t)
	ctx := context.Background()
	o := testOwner(t, "github-secret")
	name := "/kindtest/" + o.Suffix + "/github/secret"
	d := desired(o, name, ssmDefaults())
	created, err := tk[spec.SSMParameter](k).Create(ctx, d)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), created) })
	_, err = client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("set-by-a-person"),
		Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(true)})
	require.NoError(t, err)

	_, err = tk[spec.SSMParameter](k).Create(ctx, d)
	require.NoError(t, err)
	d.Props = &spec.SSMParameter{Type: "SecureString", InitialValue: "generate", Description: "new words"}
	updated, err := tk[spec.SSMParameter](k).Update(ctx, d, created)
	require.NoError(t, err)
	assert.Empty(t, tk[spec.SSMParameter](k).Diff(d, updated))

	got, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, "set-by-a-person", aws.ToString(got.Parameter.Value))
	assert.Equal(t, types.ParameterTypeSecureString, got.Parameter.Type)
	assert.Equal(t, aws.ToString(got.Parameter.ARN), updated.Attrs["arn"], "the ARN, made when DescribeParameters has none")
}
