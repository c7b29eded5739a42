package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds"
)

// TestDriftPolicyIsEnoughForDriftOnly applies the webhook stack on a moto server of its own,
// makes an IAM user per command holding only the policy `provisioner policy --for <command>`
// prints, turns IAM enforcement on, and runs with those users' keys: with the drift user's,
// drift succeeds and an apply that would change something (a role description) is refused,
// changing nothing; the apply user's then apply the change, and the destroy user's destroy all.
func TestDriftPolicyIsEnoughForDriftOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("applies the webhook stack")
	}
	srv := emutest.StartIAMServer(t)
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	// moto checks a signature over the request's data, which for a GET without query or body
	// it takes to be the headers; with X-Amz-Content-Sha256 sent (as S3 clients always do) it
	// uses that header instead, and REST services' signatures (Lambda, API Gateway) verify.
	configHook = func(cfg *aws.Config) { cfg.APIOptions = append(cfg.APIOptions, v4.AddContentSHA256HeaderMiddleware) }
	t.Cleanup(func() { configHook = nil })
	sfx := emutest.Suffix(t)
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "webhook.yaml"))
	require.NoError(t, err)
	spec := filepath.Join(t.TempDir(), "webhook.yaml")
	require.NoError(t, os.WriteFile(spec, example, 0o644))
	must := func(code int, args ...string) string {
		t.Helper()
		got, out, errOut := runCLI(t, append([]string{"--log-format", "json", "--log-level", "warn"}, args...)...)
		require.Equal(t, code, got, "provisioner %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out, errOut)
		return out + errOut
	}

	must(0, "apply", spec, "--suffix", sfx)
	keys := map[string][2]string{} // command → the access key of a user holding its policy
	for _, command := range kinds.PolicyCommands {
		var doc kinds.PolicyDocument
		policy := must(0, "policy", spec, "--for", command, "--suffix", sfx, "--account", "123456789012")
		require.NoError(t, json.Unmarshal([]byte(policy), &doc))
		keys[command] = policyUser(t, srv.Endpoint, command+"-job", motoDialect(doc))
	}
	srv.Enforce(t)
	as := func(command string) {
		t.Setenv("AWS_ACCESS_KEY_ID", keys[command][0])
		t.Setenv("AWS_SECRET_ACCESS_KEY", keys[command][1])
	}

	as("drift")
	_, err = iamClient(t, srv.Endpoint, keys["drift"][0], keys["drift"][1]).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("escalate")})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "enforcement is on: a call outside the policy is refused, got %v", err)
	assert.Equal(t, "AccessDenied", api.ErrorCode())

	out := must(0, "drift", spec, "--suffix", sfx)
	assert.Contains(t, out, "No drift: 59 resources match the spec.")

	changed := strings.Replace(string(example), "    description: webhook receiver\n", "    description: webhook receiver, changed\n", 1)
	require.NoError(t, os.WriteFile(spec, []byte(changed), 0o644))
	out = must(1, "apply", spec, "--suffix", sfx)
	// Its first write is the stack lock, which the drift policy does not grant (moto answers
	// SSM's refusal with an XML body the JSON client cannot decode, hence no error code here).
	assert.Contains(t, out, "acquire lock /provisioner/lock/"+sfx+"/webhook/holder")
	assert.Contains(t, out, "StatusCode: 403", "the refused call is the lock, before any resource")
	out = must(2, "drift", spec, "--suffix", sfx)
	assert.Contains(t, out, "webhook receiver, changed", "the refused apply changed nothing: the edit is still drift")

	// The other two policies are enough for their commands.
	as("apply")
	out = must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "1 updated")
	as("destroy")
	out = must(0, "destroy", spec, "--suffix", sfx, "--yes")
	assert.Contains(t, out, "59 deleted")
}

// policyUser makes an IAM user holding exactly policy and returns its access key and secret.
func policyUser(t *testing.T, endpoint, name string, policy kinds.PolicyDocument) [2]string {
	t.Helper()
	ctx := context.Background()
	c := iamClient(t, endpoint, "test", "test")
	b, err := json.Marshal(policy)
	require.NoError(t, err)
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	require.NoError(t, err)
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("provisioner"), PolicyDocument: aws.String(string(b))})
	require.NoError(t, err)
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	require.NoError(t, err)
	return [2]string{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)}
}

func iamClient(t *testing.T, endpoint, key, secret string) *iam.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, secret, "")))
	require.NoError(t, err)
	return iam.NewFromConfig(cfg)
}

// motoDialect rewrites a policy into the terms moto checks (see emutest.IAMServer): the same
// grants, with CloudWatch under its signing name, API Gateway's HTTP methods as operation
// names, moto's names for two S3 calls, and "*" as the resource of every service whose request
// ARN moto does not work out (all but IAM, SQS and S3, which keep the generated ARNs; see
// readsOfMissing for the one exception).
func motoDialect(doc kinds.PolicyDocument) kinds.PolicyDocument {
	apigw := map[string]string{"GET": "Get*", "POST": "Create*", "PUT": "Put*", "PATCH": "Update*", "DELETE": "Delete*"}
	s3 := map[string][]string{"s3:ListBucket": {"s3:ListBucket", "s3:HeadBucket"}, "s3:GetBucketPublicAccessBlock": {"s3:GetPublicAccessBlock"}}
	out := kinds.PolicyDocument{Version: doc.Version}
	for _, s := range doc.Statement {
		var actions []string
		checked := true
		for _, a := range s.Action {
			svc, op, _ := strings.Cut(a, ":")
			switch {
			case svc == "cloudwatch":
				a = "monitoring:" + op
			case svc == "apigateway":
				a = "apigateway:" + apigw[op]
			}
			if as, ok := s3[a]; ok {
				actions = append(actions, as...)
			} else {
				actions = append(actions, a)
			}
			checked = checked && (svc == "iam" || svc == "sqs" || svc == "s3")
		}
		s.Action = actions
		if !checked {
			s.Resource = []string{"*"}
		}
		out.Statement = append(out.Statement, s)
		if gone := readsOfMissing(s); len(gone) > 0 {
			out.Statement = append(out.Statement, kinds.Statement{Sid: s.Sid + "Gone", Effect: "Allow", Action: gone, Resource: []string{"*"}})
		}
	}
	return out
}

// readsOfMissing are the IAM and SQS reads of a resource-scoped statement. moto checks a call
// on a role or queue that does not exist (a wait for a delete to finish) against "*", where
// AWS checks the ARN the call names; so for moto these reads are also granted on "*". Writes
// stay scoped to the generated ARNs.
func readsOfMissing(s kinds.Statement) []string {
	if slices.Contains(s.Resource, "*") {
		return nil
	}
	var reads []string
	for _, a := range s.Action {
		svc, op, _ := strings.Cut(a, ":")
		if (svc == "iam" || svc == "sqs") && reconcile.IsReadOnlyOperation(op) {
			reads = append(reads, a)
		}
	}
	return reads
}
