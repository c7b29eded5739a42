package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	beginMarker = "<!-- bench:begin (written by make bench; edit cmd/bench instead) -->"
	endMarker   = "<!-- bench:end -->"
)

// report writes the results as JSON and as the README's performance tables.
func (b *bench) report(res *results) error {
	if err := os.MkdirAll(filepath.Dir(b.o.out), 0o755); err != nil {
		return err
	}
	j, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(b.o.out, append(j, '\n'), 0o644); err != nil {
		return err
	}
	b.log("results in %s (took %s)", b.o.out, res.Duration)
	table := markdown(res)
	fmt.Print(table)
	if b.o.readme == "" {
		return nil
	}
	return rewriteBetweenMarkers(b.o.readme, table)
}

func markdown(res *results) string {
	var w strings.Builder
	fmt.Fprintf(&w, "Measured with `%s` on %s: %s ± %s added to every call, medians of %d runs (%d for the generated specs), parallelism %d; the whole benchmark took %s.\n\n",
		res.Command, res.Date[:10], res.Latency, res.Jitter, res.Runs, res.ScaleRuns, res.Parallelism, res.Duration)
	w.WriteString("| stack | scenario | wall | emulator CPU | calls | reads | writes | retries | throttled |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range res.Suites {
		for _, sc := range s.Scenarios {
			cpu := "—"
			if sc.EmulatorCPUMS > 0 {
				cpu = seconds(sc.EmulatorCPUMS)
			}
			fmt.Fprintf(&w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.Name, sc.Name, seconds(sc.WallMS), cpu,
				num(sc.Calls), num(sc.Reads), num(sc.Writes), num(sc.Retries), num(sc.Throttles))
		}
	}
	w.WriteString("\n| stack | resources | cold apply speedup, parallelism " + fmt.Sprint(res.Parallelism) + " vs 1 | critical-path bound (model) | cold apply / model | longest chain (changes × calls each) | measured chain | graph bound (serial changes) | cold apply / graph bound | no-op plan reads per resource | plan peak RSS | validate |\n")
	w.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range res.Suites {
		speed, validate := "—", "—"
		if s.Speedup > 0 {
			speed = fmt.Sprintf("%.2f×", s.Speedup)
		}
		if s.ValidateMS > 0 {
			validate = seconds(s.ValidateMS)
		}
		c := s.Critical
		graph, graphRatio := "—", "—"
		if c.GraphBoundMS > 0 {
			graph, graphRatio = seconds(c.GraphBoundMS), fmt.Sprintf("%.2f×", c.RatioToGraphBound)
		}
		fmt.Fprintf(&w, "| %s | %d | %s | %s | %.2f× | %d × %.1f | %s | %s | %s | %.2f | %.0f MiB | %s |\n", s.Name, s.Resources, speed,
			seconds(c.BoundMS), c.RatioToBound, c.ChainLength, c.CallsPerChange, seconds(c.MeasuredChainMS), graph, graphRatio,
			s.ReadsPerResource, s.PlanPeakRSSMiB, validate)
	}
	return w.String()
}

func seconds(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}

func num(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprintf("%.1f", f)
}

// rewriteBetweenMarkers replaces what lies between the markers in path; the markers must be
// there, so that the benchmark never writes into prose.
func rewriteBetweenMarkers(path, body string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q … %q markers to write the table between", path, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + body + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}

// render rewrites the README's tables from a results file, with the bound worked out again
// from the figures it keeps (for a change of the model, without measuring again).
func render(o options) error {
	b, err := os.ReadFile(o.out)
	if err != nil {
		return err
	}
	var res results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("read %s: %w", o.out, err)
	}
	latency, err := time.ParseDuration(res.Latency)
	if err != nil {
		return fmt.Errorf("read %s: latency: %w", o.out, err)
	}
	for i := range res.Suites {
		c := &res.Suites[i].Critical
		c.BoundMS = round2(ms(bound(c.ChainLength, res.Suites[i].Resources, res.Parallelism, c.CallsPerChange, latency)))
		if c.BoundMS > 0 {
			c.RatioToBound = round2(c.ColdApplyMS / c.BoundMS)
		}
		if c.GraphBoundMS > 0 {
			c.RatioToGraphBound = round2(c.ColdApplyMS / c.GraphBoundMS)
		}
	}
	bn := &bench{o: o, log: func(string, ...any) {}}
	return bn.report(&res)
}
