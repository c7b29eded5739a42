// Command bench is the end-to-end benchmark behind `make bench`: it runs the provisioner
// binary against an AWS emulator with latency added to every call (as AWS answers in tens of
// milliseconds, an emulator in one), and reports medians of several runs of a cold apply, a
// no-op apply, drift, a one-property update and destroy, by wall time and by the calls
// --stats counts. See README.md's performance section for the model and the figures.
//
//	go run ./cmd/bench [-runs 5] [-latency 50ms] [-jitter 10ms] [-sizes 250,500,1000] [-quick]
//
// It starts a private moto server unless AWS_ENDPOINT_URL names an emulator.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// options are the benchmark's settings; every one is a flag, and the usual ones also an
// environment variable for make.
type options struct {
	bin         string
	runs        int
	scaleRuns   int
	latency     time.Duration
	jitter      time.Duration
	sizes       []int
	crowd       int
	parallelism int
	out, readme string
	gen         int
	render      bool
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if o.gen > 0 { // print a generated spec, for trying one by hand
		fmt.Print(scaleSpec(o.gen))
		return
	}
	if o.render {
		if err := render(o); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o options
	var sizes string
	quick := fs.Bool("quick", envBool("BENCH_QUICK"), "one run, 50 and 100 resources, a smaller crowd (also BENCH_QUICK=1)")
	fs.StringVar(&o.bin, "bin", "bin/provisioner", "the provisioner binary to measure")
	fs.IntVar(&o.runs, "runs", envInt("BENCH_RUNS", 5), "runs per scenario; figures are medians (also BENCH_RUNS)")
	fs.IntVar(&o.scaleRuns, "scale-runs", envInt("BENCH_SCALE_RUNS", 1), "runs per scenario of the generated specs (also BENCH_SCALE_RUNS)")
	fs.DurationVar(&o.latency, "latency", envDuration("BENCH_LATENCY", 50*time.Millisecond), "latency added to every call (also BENCH_LATENCY)")
	fs.DurationVar(&o.jitter, "jitter", envDuration("BENCH_JITTER", 10*time.Millisecond), "uniform ± jitter of the latency (also BENCH_JITTER)")
	fs.StringVar(&sizes, "sizes", envString("BENCH_SIZES", "250,500,1000"), "sizes of the generated specs (also BENCH_SIZES)")
	fs.IntVar(&o.crowd, "crowd", envInt("BENCH_CROWD", 240), "resources not ours in the crowded account (also BENCH_CROWD)")
	fs.IntVar(&o.parallelism, "parallelism", 10, "the default parallelism measured against 1")
	fs.StringVar(&o.out, "out", "bench/results.json", "where the results go as JSON")
	fs.StringVar(&o.readme, "readme", "README.md", "the README whose performance table is rewritten (\"\" for none)")
	fs.IntVar(&o.gen, "gen", 0, "print a generated spec of this many resources and exit")
	fs.BoolVar(&o.render, "render", false, "measure nothing: rewrite the README's tables from -out")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *quick {
		o.runs, o.scaleRuns, sizes, o.crowd = 1, 1, "50,100", 48
	}
	for _, s := range strings.Split(sizes, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			return o, fmt.Errorf("flag -sizes: want counts of at least 2, got %q", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.runs < 1 || o.scaleRuns < 1 {
		return o, fmt.Errorf("flags -runs and -scale-runs: want at least 1")
	}
	return o, nil
}

func envString(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}

func envBool(k string) bool { b, _ := strconv.ParseBool(os.Getenv(k)); return b }

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

// token makes this invocation's suffixes and crowd names unique, so that benchmarks sharing
// one emulator never meet.
func token() string {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
