// Package emutest gives integration tests an aws.Config pointed at an AWS emulator over HTTP.
//
// Each test package calls Main from TestMain. When AWS_ENDPOINT_URL is set, tests use that
// endpoint (LocalStack, moto, or anything else speaking the AWS APIs); otherwise the package gets
// a private moto server on a free port, so no package can wipe another's state. With
// PROVISIONER_TEST_REAL_AWS=1 tests use the SDK's default chain and no endpoint at all. Tests
// stay independent of each other through unique names (Suffix), never through a reset.
//
// When no emulator can be had, tests skip with the reason, unless PROVISIONER_REQUIRE_EMULATOR=1
// (set by CI), which turns the skip into a failure.
package emutest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/provisioner-dev/provisioner/localstack"
)

var (
	endpoint   string // empty with real AWS
	flavor     localstack.Flavor
	unusable   error // why no emulator could be had
	realAWS    bool
	testRegion = "us-east-1"
)

// Main resolves or starts the emulator for this package, runs the tests, and stops what it
// started. Use it as `func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }`.
func Main(m *testing.M) int {
	if r := os.Getenv("AWS_REGION"); r != "" {
		testRegion = r
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	stop := setup(ctx)
	cancel()
	defer stop()
	return m.Run()
}

func setup(ctx context.Context) (stop func()) {
	stop = func() {}
	if os.Getenv("PROVISIONER_TEST_REAL_AWS") == "1" {
		realAWS = true
		return stop
	}
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
		endpoint = strings.TrimRight(ep, "/")
		flavor, unusable = localstack.Detect(ctx, endpoint)
		if unusable != nil {
			// Not an emulator we recognise; it may still be a real endpoint, so let tests try it.
			unusable, flavor = nil, ""
		}
		return stop
	}
	srv, err := localstack.StartMoto(ctx)
	if err != nil {
		unusable = err
		return stop
	}
	endpoint, flavor = srv.Endpoint, localstack.Moto
	return srv.Stop
}

// Require skips (or, under PROVISIONER_REQUIRE_EMULATOR=1, fails) t when no endpoint is usable.
func Require(t testing.TB) {
	t.Helper()
	if unusable == nil {
		return
	}
	msg := fmt.Sprintf("no AWS emulator available: %v (install Python 3 and run localstack/emulator.sh venv, or set AWS_ENDPOINT_URL)", unusable)
	if os.Getenv("PROVISIONER_REQUIRE_EMULATOR") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// SkipOnLocalStack skips t when the package's emulator is LocalStack, naming the LocalStack
// behaviour that the test meets and AWS does not have. Use it only for divergences no user of
// the tool meets; those that users meet are handled by the tool.
func SkipOnLocalStack(t testing.TB, behaviour string) {
	t.Helper()
	if flavor == localstack.LocalStack {
		t.Skipf("LocalStack divergence: %s", behaviour)
	}
}

// SkipOnMoto skips t when the package's emulator is moto, with the reason.
func SkipOnMoto(t testing.TB, reason string) {
	t.Helper()
	if flavor == localstack.Moto {
		t.Skipf("moto: %s", reason)
	}
}

// Endpoint is the emulator endpoint the package uses ("" against real AWS).
func Endpoint() string { return endpoint }

// Flavor says which emulator answers ("" when unknown or real AWS).
func Flavor() localstack.Flavor { return flavor }

// Config returns an aws.Config for the package's endpoint. Against an emulator it carries
// static test credentials, so no developer credentials are ever read or sent.
func Config(t testing.TB) aws.Config {
	t.Helper()
	Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := []func(*config.LoadOptions) error{config.WithRegion(testRegion)}
	if !realAWS {
		opts = append(opts,
			config.WithBaseEndpoint(endpoint),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		)
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	return cfg
}

// Suffix returns a short environment suffix unique to this test run, so that tests sharing
// one endpoint never see each other's resources.
func Suffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random suffix: %v", err)
	}
	return "t" + hex.EncodeToString(b)
}
