//go:build unix

package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/handlers/build"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
	"github.com/provisioner-dev/provisioner/handlers/internal/webhooktest"
	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// rieInstall is how to get the AWS Lambda Runtime Interface Emulator (its tagged releases are
// not served by the module proxy).
const rieInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// TestBootstrapUnderRIE runs the real receiver binary, built and zipped as it is deployed, under
// the Lambda Runtime Interface Emulator, invokes it over HTTP with an API Gateway event, and
// finds the event stored in the emulator's DynamoDB.
func TestBootstrapUnderRIE(t *testing.T) {
	rie, cfg := rieSetup(t)
	table := webhooktest.Name("events", emutest.Suffix(t))
	webhooktest.CreateEventsTable(t, cfg, table)
	param := "/" + table + "/stripe-secret"
	webhooktest.PutSecureString(t, cfg, param, "whsec_rie_test")
	sink := &webhooktest.OTLPSink{}
	collector := httptest.NewServer(sink)
	defer collector.Close()

	bootstrap := buildBootstrap(t)
	url, output := startRIE(t, rie, bootstrap, append(emulatorEnv(cfg),
		"EVENTS_TABLE="+table,
		`WEBHOOK_PROVIDERS={"stripe":{"scheme":"stripe","secret_param":"`+param+`"}}`,
		"OTEL_EXPORTER_OTLP_ENDPOINT="+collector.URL,
		"LOG_LEVEL=debug",
	))

	event := stripeEvent(t, "whsec_rie_test")
	for i, want := range []int{202, 200} {
		resp := invoke(t, url, event)
		assert.Equal(t, want, resp.StatusCode, "invocation %d: %s\nemulator output:\n%s", i+1, resp.Body, output)
		assert.JSONEq(t, fmt.Sprintf(`{"event_id":"evt_1NG8Du2eZvKYlo2CUI79vXWy"%s}`, map[int]string{202: "", 200: `,"duplicate":true`}[want]), resp.Body)
	}

	ev, ok := webhooktest.GetEvent(t, cfg, table, "evt_1NG8Du2eZvKYlo2CUI79vXWy")
	require.True(t, ok, "event not stored; emulator output:\n%s", output)
	assert.Equal(t, webhook.StatusReceived, ev.Status)
	assert.Equal(t, "stripe", ev.Provider)
	assert.EqualValues(t, 1, webhooktest.CountItems(t, cfg, table))
	assert.Contains(t, output.String(), `"msg":"webhook stored"`, "the bootstrap's JSON log line")
	// The SDK calls are spans, exported by OTLP before each invocation returned.
	assert.NotNil(t, sink.ByName("SSM.GetParameter"), "the secret's fetch was traced")
	assert.NotNil(t, sink.ByName("DynamoDB.PutItem"), "the write was traced")
	assert.NotContains(t, output.String(), "whsec_rie_test", "the secret is never logged")
	t.Logf("emulator output:\n%s", output)
}

// stripeEvent is the recorded API Gateway event of a delivery to POST /webhook/stripe, signed
// now by stripe-go's test helper with secret.
func stripeEvent(t *testing.T, secret string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/post-webhook.json")
	require.NoError(t, err)
	var req events.APIGatewayProxyRequest
	require.NoError(t, json.Unmarshal(b, &req))
	req.Resource, req.Path = "/webhook/{provider}", "/webhook/stripe"
	req.PathParameters = map[string]string{"provider": "stripe"}
	req.Headers["Stripe-Signature"] = stripeSignedBody(req.Body, secret)
	out, err := json.Marshal(req)
	require.NoError(t, err)
	return out
}

// rieSetup finds the runtime interface emulator and the AWS emulator's configuration, or
// skips: the test builds handlers (not with -short), and the bootstraps get static test
// credentials, so it runs against an emulator only.
func rieSetup(t *testing.T) (string, aws.Config) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds handlers")
	}
	rie := findRIE(t)
	cfg := emutest.Config(t)
	if emutest.Endpoint() == "" {
		t.Skip("runs against an emulator only: the bootstrap gets static test credentials")
	}
	return rie, cfg
}

// emulatorEnv is the environment that points a bootstrap at the emulator, with test
// credentials and nothing of the developer's.
func emulatorEnv(cfg aws.Config) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + emutest.Endpoint(), "AWS_REGION=" + cfg.Region,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
	}
}

// findRIE looks for aws-lambda-rie in AWS_LAMBDA_RIE, PATH, then GOPATH/bin.
func findRIE(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("AWS_LAMBDA_RIE"); p != "" {
		return p
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "aws-lambda-rie")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	msg := "aws-lambda-rie not found (set AWS_LAMBDA_RIE, or: " + rieInstall + ")"
	if os.Getenv("PROVISIONER_REQUIRE_EMULATOR") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// buildBootstrap builds the receiver for this machine's architecture with the same build as a
// deployment, and unpacks bootstrap from the zip with the zip's file mode.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	return buildHandler(t, "receiver")
}

// buildHandler is buildBootstrap for any of the handlers.
func buildHandler(t *testing.T, handler string) string {
	t.Helper()
	arch := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[runtime.GOARCH]
	if arch == "" || runtime.GOOS != "linux" {
		t.Skipf("the bootstrap is a Linux amd64 or arm64 binary; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a, err := build.Build(ctx, build.Options{Handler: handler, Arch: arch, OutDir: t.TempDir()})
	require.NoError(t, err)
	zr, err := zip.OpenReader(a.ZipPath)
	require.NoError(t, err)
	defer zr.Close()
	require.Len(t, zr.File, 1)
	f := zr.File[0]
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	path := filepath.Join(t.TempDir(), f.Name)
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, f.Mode())
	require.NoError(t, err)
	_, err = io.Copy(out, rc)
	require.NoError(t, err)
	require.NoError(t, out.Close())
	return path
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startRIE runs the emulator with bootstrap on a free loopback port and only env (nothing of
// the developer's environment, so no real credentials reach it), and returns the invocation
// URL. The emulator and the bootstrap it starts share a process group, ended with the test.
func startRIE(t *testing.T, rie, bootstrap string, env []string) (string, *lockedBuffer) {
	t.Helper()
	addr := freeAddr(t)
	output := &lockedBuffer{}
	// The runtime API gets a free port too: its default, 9001, would collide between runs.
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", freeAddr(t), bootstrap)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdout, cmd.Stderr = output, output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})

	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("aws-lambda-rie did not listen on %s: %v\n%s", addr, err, output)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr + "/2015-03-31/functions/function/invocations", output
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func invoke(t *testing.T, url string, event []byte) events.APIGatewayProxyResponse {
	t.Helper()
	body := invokeRaw(t, url, event)
	var out events.APIGatewayProxyResponse
	require.NoError(t, json.Unmarshal(body, &out), "invoke answered: %s", body)
	return out
}

// invokeRaw posts event to the emulator's invocation URL and returns the function's answer.
func invokeRaw(t *testing.T, url string, event []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "invoke: %s", body)
	return body
}
