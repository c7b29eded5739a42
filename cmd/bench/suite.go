package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// suiteSpec is one stack to measure.
type suiteSpec struct {
	name, stack   string
	spec          string
	update        edit
	resources     int  // 0: count the cold apply's changes
	compareSerial bool // also a cold apply at --parallelism 1
	scale         bool // generated: validate and a no-op plan too, and fewer runs
	short         bool // only validate, cold apply, no-op plan and destroy (the smaller sizes, for growth)
}

// samples are the measured runs of each scenario, by name.
type samples map[string][]measured

// scenario names, in the order of the table.
const (
	scCold       = "cold apply"
	scColdSerial = "cold apply, parallelism 1"
	scNoop       = "no-op apply"
	scDrift      = "drift"
	scPlan       = "no-op plan"
	scUpdate     = "one-property update"
	scDestroy    = "destroy"
	scValidate   = "validate"
)

func (b *bench) suite(ctx context.Context, s suiteSpec) (suiteResult, error) {
	runs := b.o.runs
	if s.scale {
		runs = b.o.scaleRuns
	}
	spec, updated, err := b.writeSpecs(s)
	if err != nil {
		return suiteResult{}, err
	}
	got := samples{}
	for i := range runs {
		suffix := fmt.Sprintf("b%s%d", b.token, i)
		b.log("%s: run %d of %d (suffix %s)", s.name, i+1, runs, suffix)
		if err := b.once(ctx, s, spec, updated, suffix, got); err != nil {
			return suiteResult{}, fmt.Errorf("%s, run %d: %w", s.name, i+1, err)
		}
	}
	return summarise(s, got, b.o), nil
}

// once is one run of every scenario on a fresh suffix; each leaves the account as it found it.
func (b *bench) once(ctx context.Context, s suiteSpec, spec, updated, suffix string, got samples) error {
	for _, st := range s.steps(spec, updated, suffix, fmt.Sprint(b.o.parallelism)) {
		args := st.args
		if st.name != scValidate {
			args = append(args, "--stats", "-o", "json")
		}
		m, err := b.r.run(ctx, st.name != scValidate, args...)
		if err != nil {
			return err
		}
		if st.name != "" {
			got[st.name] = append(got[st.name], m)
		}
	}
	return nil
}

type step struct {
	name string // "" for a step that only restores the account
	args []string
}

// steps are the commands of one run, in order; the account ends as it began.
func (s suiteSpec) steps(spec, updated, suffix, par string) []step {
	var out []step
	add := func(ok bool, name string, args ...string) {
		if ok {
			out = append(out, step{name, args})
		}
	}
	full := !s.short
	add(s.scale, scValidate, "validate", spec, "--suffix", suffix)
	add(true, scCold, "apply", spec, "--suffix", suffix, "--parallelism", par)
	add(full, scNoop, "apply", spec, "--suffix", suffix, "--parallelism", par)
	add(full, scDrift, "drift", spec, "--suffix", suffix)
	add(s.scale, scPlan, "plan", spec, "--suffix", suffix)
	add(full, scUpdate, "apply", updated, "--suffix", suffix, "--parallelism", par)
	add(true, scDestroy, "destroy", "--suffix", suffix, "--stack", s.stack, "--yes", "--parallelism", par)
	add(s.compareSerial, scColdSerial, "apply", spec, "--suffix", suffix+"s", "--parallelism", "1")
	add(s.compareSerial, "", "destroy", "--suffix", suffix+"s", "--stack", s.stack, "--yes")
	return out
}

// writeSpecs writes the suite's spec and its one-property update where the provisioner can
// read them: the webhook spec's handlers are built from the repository (the working
// directory), so any directory will do.
func (b *bench) writeSpecs(s suiteSpec) (string, string, error) {
	upd, err := s.update.apply(s.spec)
	if err != nil {
		return "", "", err
	}
	base := filepath.Join(b.dir, strings.NewReplacer(" ", "-", ",", "", "(", "", ")", "", "+", "").Replace(s.name))
	spec, updated := base+".yaml", base+"-update.yaml"
	if err := os.WriteFile(spec, []byte(s.spec), 0o644); err != nil {
		return "", "", err
	}
	return spec, updated, os.WriteFile(updated, []byte(upd), 0o644)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
