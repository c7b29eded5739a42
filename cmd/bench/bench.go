package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/provisioner-dev/provisioner/localstack"
)

// bench is one benchmark invocation.
type bench struct {
	o     options
	r     *runner
	token string
	dir   string // generated specs
	log   func(format string, args ...any)
}

func run(ctx context.Context, o options) error {
	started := time.Now()
	root, err := localstack.RepoRoot()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	endpoint, emuCPU, stopEmu, err := emulator(ctx)
	if err != nil {
		return err
	}
	defer stopEmu()
	proxy, stopProxy, err := latencyProxy(endpoint, o.latency, o.jitter)
	if err != nil {
		return err
	}
	defer stopProxy()
	dir, err := os.MkdirTemp("", "provisioner-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bench{o: o, r: &runner{bin: bin, env: childEnv(proxy), emuCPU: emuCPU}, token: token(), dir: dir,
		log: func(f string, a ...any) {
			fmt.Fprintf(os.Stderr, "%s "+f+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, a...)...)
		}}
	b.log("emulator %s behind %s with %s ± %s a call; %d runs (%d for generated specs)", endpoint, proxy, o.latency, o.jitter, o.runs, o.scaleRuns)
	res, err := b.all(ctx, endpoint)
	if err != nil {
		return err
	}
	res.Duration = time.Since(started).Round(time.Second).String()
	res.Command = reproduce(o)
	return b.report(res)
}

// all runs every suite: the webhook stack in a clean account, the same in a crowded one, and
// the generated specs.
func (b *bench) all(ctx context.Context, endpoint string) (*results, error) {
	res := &results{Latency: b.o.latency.String(), Jitter: b.o.jitter.String(), Runs: b.o.runs, ScaleRuns: b.o.scaleRuns,
		Parallelism: b.o.parallelism, Date: time.Now().UTC().Format(time.RFC3339), Crowd: b.o.crowd}
	webhook, err := os.ReadFile("examples/webhook.yaml")
	if err != nil {
		return nil, err
	}
	webhookSuite := suiteSpec{name: "webhook", stack: "webhook", spec: string(webhook), update: webhookUpdate, compareSerial: true}
	if err := b.warm(ctx, webhookSuite); err != nil {
		return nil, err
	}
	clean, err := b.suite(ctx, webhookSuite)
	if err != nil {
		return nil, err
	}
	res.Suites = append(res.Suites, clean)
	b.log("crowding the account with %d resources that are not ours", b.o.crowd)
	n, err := crowd(ctx, emulatorConfig(endpoint), b.o.crowd, b.token)
	if err != nil {
		return nil, err
	}
	crowded, err := b.suite(ctx, suiteSpec{name: fmt.Sprintf("webhook, crowded (+%d not ours)", n), stack: "webhook", spec: string(webhook), update: webhookUpdate, compareSerial: true})
	if err != nil {
		return nil, err
	}
	res.Suites = append(res.Suites, crowded)
	largest := slices.Max(b.o.sizes)
	for _, size := range b.o.sizes {
		s, err := b.suite(ctx, suiteSpec{name: fmt.Sprintf("generated %d", size), stack: "scale", spec: scaleSpec(size), update: scaleUpdate,
			resources: size, scale: true, short: size < largest})
		if err != nil {
			return nil, err
		}
		res.Suites = append(res.Suites, s)
	}
	return res, nil
}

// warm runs one cold apply and destroy of s, not counted: an emulator's first calls to each
// service are slow (moto loads a service's backend on its first request), and that is the
// emulator starting, not the tool.
func (b *bench) warm(ctx context.Context, s suiteSpec) error {
	spec, _, err := b.writeSpecs(s)
	if err != nil {
		return err
	}
	suffix := "w" + b.token
	b.log("warming the emulator up: one cold apply and destroy, not counted (suffix %s)", suffix)
	if _, err := b.r.run(ctx, false, "apply", spec, "--suffix", suffix); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if _, err := b.r.run(ctx, false, "destroy", "--suffix", suffix, "--stack", s.stack, "--yes"); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	return nil
}

// emulator is AWS_ENDPOINT_URL when set, else a private moto server, whose processor time
// cpu reads (nil for an endpoint of its own).
func emulator(ctx context.Context) (endpoint string, cpu func() (time.Duration, error), stop func(), err error) {
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
		return strings.TrimRight(ep, "/"), nil, func() {}, nil
	}
	srv, err := localstack.StartMoto(ctx)
	if err != nil {
		return "", nil, nil, fmt.Errorf("start moto (or set AWS_ENDPOINT_URL): %w", err)
	}
	return srv.Endpoint, srv.CPU, srv.Stop, nil
}

// latencyProxy serves on a free loopback port and forwards every request to endpoint after
// the latency: the provisioner under test is an unmodified binary.
func latencyProxy(endpoint string, latency, jitter time.Duration) (string, func(), error) {
	target, err := url.Parse(endpoint)
	if err != nil {
		return "", nil, fmt.Errorf("endpoint %s: %w", endpoint, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	next := http.DefaultTransport.(*http.Transport).Clone()
	next.MaxIdleConnsPerHost = 64
	rp.Transport = &localstack.Latency{Base: latency, Jitter: jitter, Next: next}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// childEnv is the provisioner's environment: the proxy as its only endpoint and test
// credentials, never a developer's. The handlers' code is the binary's embedded zips (make
// bench builds them in), as an installed provisioner deploys: built from the source tree, each
// cold apply would also time four Go builds on this machine's cores, which is the toolchain's
// speed, not the tool's (BENCH_HANDLER_CODE=source measures that too).
func childEnv(proxy string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "PROVISIONER_SUFFIX=") && !strings.HasPrefix(kv, "PROVISIONER_HANDLER_CODE=") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_ENDPOINT_URL="+proxy, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"PROVISIONER_HANDLER_CODE="+envString("BENCH_HANDLER_CODE", "embedded"))
}

// emulatorConfig talks to the emulator directly, for making the crowd.
func emulatorConfig(endpoint string) aws.Config {
	cfg, _ := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	return cfg
}

// reproduce is the command line that reproduces the results.
func reproduce(o options) string {
	return fmt.Sprintf("make bench BENCH_RUNS=%d BENCH_SCALE_RUNS=%d BENCH_LATENCY=%s BENCH_JITTER=%s BENCH_SIZES=%s BENCH_CROWD=%d",
		o.runs, o.scaleRuns, o.latency, o.jitter, joinInts(o.sizes), o.crowd)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}
