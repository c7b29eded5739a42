package emutest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/localstack"
)

// IAMServer is a moto server of one test's own that starts open, so the test can build what it
// needs with any credentials, and enforces IAM from Enforce on: every request must then be
// signed with an access key moto issued and be allowed by that identity's policies. (moto
// enforces once INITIAL_NO_AUTH_ACTION_COUNT requests have been served; Enforce sets that count
// to zero through /moto-api/reset-auth, the way moto's own server-mode tests do.)
//
// moto matches actions as "<signing name>:<operation>" (monitoring:DescribeAlarms for
// CloudWatch, apigateway:GetRestApis rather than apigateway:GET) and checks resources against
// the request's ARN for IAM roles, SQS queues and S3 buckets only, against "*" for every other
// service. Tests translate a policy with that in mind.
type IAMServer struct {
	Endpoint string
	srv      *localstack.MotoServer
}

// StartIAMServer starts the server and stops it when t ends. It needs moto itself, so it skips
// (fails under PROVISIONER_REQUIRE_EMULATOR=1) where none can be started, and skips against real
// AWS, where a test must not make IAM users.
func StartIAMServer(t testing.TB) *IAMServer {
	t.Helper()
	if realAWS {
		t.Skip("IAM enforcement is tested on a private moto server, not in a real account")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := localstack.StartMoto(ctx)
	if err != nil {
		msg := fmt.Sprintf("no moto server for the IAM enforcement test: %v", err)
		if os.Getenv("PROVISIONER_REQUIRE_EMULATOR") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(srv.Stop)
	return &IAMServer{Endpoint: srv.Endpoint, srv: srv}
}

// Enforce turns IAM enforcement on for every request from now on.
func (s *IAMServer) Enforce(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.Endpoint+"/moto-api/reset-auth", "text/plain", strings.NewReader("0"))
	if err != nil {
		t.Fatalf("enforce IAM on %s: %v", s.Endpoint, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enforce IAM on %s: %s", s.Endpoint, resp.Status)
	}
}

// Resent forgives the "already exists" a setup create meets when the SDK resent it after losing
// the answer to the first (seen on a loaded LocalStack): the setup only wants the thing to exist.
func Resent(err error, code string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == code {
		return nil
	}
	return err
}

// Role creates an IAM role the given services may assume, deletes it when t ends, and returns
// its ARN. A create the SDK resent is settled by reading the role back.
func Role(t testing.TB, c *iam.Client, name string, services ...string) string {
	t.Helper()
	ctx := context.Background()
	principals, _ := json.Marshal(services)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":` +
		string(principals) + `},"Action":"sts:AssumeRole"}]}`
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err = Resent(err, "EntityAlreadyExists"); err != nil {
		t.Fatalf("create the test role %s: %v", name, err)
	}
	t.Cleanup(func() { _, _ = c.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(name)}) })
	if out != nil {
		return aws.ToString(out.Role.Arn)
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("read the resent test role %s: %v", name, err)
	}
	return aws.ToString(got.Role.Arn)
}
