package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// runner runs the provisioner binary against the latency proxy.
type runner struct {
	bin    string
	env    []string
	emuCPU func() (time.Duration, error) // the emulator's processor time so far; nil when not known
}

// measured is one command run: its wall time, peak memory and the --stats account.
type measured struct {
	Wall    time.Duration
	EmuCPU  time.Duration // the emulator's processor time during the command (0: not known)
	MaxRSS  int64         // KiB
	Stats   reconcile.CallStats
	Results []reconcile.ChangeResult // apply and destroy
}

// doc is what the JSON outputs with --stats hold that the benchmark reads.
type doc struct {
	Stats   *reconcile.CallStats     `json:"stats"`
	Results []reconcile.ChangeResult `json:"results"`
}

// run executes one command and wants exit code 0; with wantJSON it reads the last JSON
// document on stdout.
func (r *runner) run(ctx context.Context, wantJSON bool, args ...string) (measured, error) {
	cmd := exec.CommandContext(ctx, r.bin, append([]string{"--log-level", "warn", "--log-format", "json"}, args...)...)
	cmd.Env = r.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cpu0 := r.cpu()
	start := time.Now()
	err := cmd.Run()
	m := measured{Wall: time.Since(start)}
	if cpu0 > 0 {
		m.EmuCPU = max(r.cpu()-cpu0, 0)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.MaxRSS = ru.Maxrss // KiB on Linux
	}
	if err != nil {
		return m, fmt.Errorf("provisioner %s: %w\n%s", strings.Join(args, " "), err, tail(errb.String()))
	}
	if !wantJSON {
		return m, nil
	}
	last, err := lastDoc(out.Bytes())
	if err != nil {
		return m, fmt.Errorf("provisioner %s: read output: %w", strings.Join(args, " "), err)
	}
	if last.Stats != nil {
		m.Stats = *last.Stats
	}
	m.Results = last.Results
	return m, nil
}

// cpu is the emulator's processor time so far, 0 when it cannot be read.
func (r *runner) cpu() time.Duration {
	if r.emuCPU == nil {
		return 0
	}
	d, err := r.emuCPU()
	if err != nil {
		return 0
	}
	return d
}

// lastDoc decodes a stream of JSON documents (destroy prints two) and returns the last; an
// empty output (validate) is no document.
func lastDoc(b []byte) (doc, error) {
	var last doc
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var d doc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return last, nil
		}
		if err != nil {
			return last, err
		}
		last = d
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
