package main

import (
	"slices"
	"time"
)

// results is bench/results.json.
type results struct {
	Date        string        `json:"date"`
	Command     string        `json:"command"`
	Duration    string        `json:"duration"`
	Latency     string        `json:"latency"`
	Jitter      string        `json:"jitter"`
	Runs        int           `json:"runs"`
	ScaleRuns   int           `json:"scale_runs"`
	Parallelism int           `json:"parallelism"`
	Crowd       int           `json:"crowd"`
	Suites      []suiteResult `json:"suites"`
}

// suiteResult is one stack's figures, every one a median over the runs.
type suiteResult struct {
	Name             string           `json:"name"`
	Resources        int              `json:"resources"`
	Scenarios        []scenarioResult `json:"scenarios"`
	Speedup          float64          `json:"cold_apply_speedup,omitempty"` // wall at parallelism 1 / at the default
	Critical         criticalPath     `json:"critical_path"`
	ReadsPerResource float64          `json:"noop_plan_reads_per_resource"`
	PlanPeakRSSMiB   float64          `json:"plan_peak_rss_mib"`
	ValidateMS       float64          `json:"validate_ms,omitempty"`
}

// scenarioResult is one command's medians.
type scenarioResult struct {
	Name      string    `json:"name"`
	WallMS    float64   `json:"wall_ms"`
	WallRuns  []float64 `json:"wall_ms_runs"`
	Calls     float64   `json:"calls"`
	Reads     float64   `json:"reads"`
	Writes    float64   `json:"writes"`
	Retries   float64   `json:"retries"`
	Throttles float64   `json:"throttles"`
	MaxRSSMiB float64   `json:"max_rss_mib"`
	// EmulatorCPUMS is the emulator's processor time during the command: near the wall time,
	// the command waited for the emulator more than for the latency.
	EmulatorCPUMS float64 `json:"emulator_cpu_ms,omitempty"`
}

// criticalPath compares the cold apply with the model in bound() and with graphBound().
type criticalPath struct {
	ChainLength     int     `json:"chain_length"`
	CallsPerChange  float64 `json:"calls_per_change"`
	BoundMS         float64 `json:"bound_ms"`
	MeasuredChainMS float64 `json:"measured_chain_ms"`
	ColdApplyMS     float64 `json:"cold_apply_ms"`
	RatioToBound    float64 `json:"ratio_to_bound"`

	GraphBoundMS      float64 `json:"graph_bound_ms,omitempty"`
	SerialChainMS     float64 `json:"serial_chain_ms,omitempty"`
	SerialFixedMS     float64 `json:"serial_fixed_ms,omitempty"`
	RatioToGraphBound float64 `json:"ratio_to_graph_bound,omitempty"`
}

func summarise(s suiteSpec, got samples, o options) suiteResult {
	out := suiteResult{Name: s.name, Resources: s.resources}
	for _, name := range []string{scValidate, scCold, scColdSerial, scNoop, scDrift, scPlan, scUpdate, scDestroy} {
		if ms, ok := got[name]; ok {
			out.Scenarios = append(out.Scenarios, scenarioOf(name, ms))
		}
	}
	cold := got[scCold]
	if out.Resources == 0 && len(cold) > 0 {
		out.Resources = countedChanges(cold[0].Results)
	}
	out.Critical = criticalOf(cold, o.parallelism, o.latency)
	if serial, ok := got[scColdSerial]; ok {
		out.Speedup = round2(median(wallsOf(serial)) / median(wallsOf(cold)))
		out.Critical.withGraphBound(serial, o.parallelism)
	}
	plan, ok := got[scPlan]
	if !ok { // the webhook suites measure drift, the same read-only discovery and plan
		plan, ok = got[scDrift]
	}
	if ok && out.Resources > 0 {
		sc := scenarioOf(scPlan, plan)
		out.ReadsPerResource = round2(sc.Reads / float64(out.Resources))
		out.PlanPeakRSSMiB = sc.MaxRSSMiB
	}
	if v, ok := got[scValidate]; ok {
		out.ValidateMS = round2(median(wallsOf(v)))
	}
	return out
}

func scenarioOf(name string, ms []measured) scenarioResult {
	pick := func(f func(m measured) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = f(m)
		}
		return round2(median(v))
	}
	walls := wallsOf(ms)
	return scenarioResult{Name: name, WallMS: round2(median(walls)), WallRuns: walls,
		Calls:         pick(func(m measured) float64 { return float64(m.Stats.Calls) }),
		Reads:         pick(func(m measured) float64 { return float64(m.Stats.Reads) }),
		Writes:        pick(func(m measured) float64 { return float64(m.Stats.Writes) }),
		Retries:       pick(func(m measured) float64 { return float64(m.Stats.Retries) }),
		Throttles:     pick(func(m measured) float64 { return float64(m.Stats.Throttles) }),
		MaxRSSMiB:     pick(func(m measured) float64 { return float64(m.MaxRSS) / 1024 }),
		EmulatorCPUMS: pick(func(m measured) float64 { return float64(m.EmuCPU) / float64(time.Millisecond) }),
	}
}

// criticalOf applies the model to each cold apply and takes medians.
func criticalOf(cold []measured, parallelism int, latency time.Duration) criticalPath {
	if len(cold) == 0 {
		return criticalPath{}
	}
	var bounds, chains, cpcs []float64
	length := 0
	for _, m := range cold {
		c := longestChain(m.Results)
		n := countedChanges(m.Results)
		cpc := 0.0
		if n > 0 {
			cpc = float64(phaseCalls(m.Stats, "apply")) / float64(n)
		}
		length = max(length, c.Length)
		cpcs = append(cpcs, cpc)
		bounds = append(bounds, ms(bound(c.Length, n, parallelism, cpc, latency)))
		chains = append(chains, ms(c.Measured))
	}
	cp := criticalPath{ChainLength: length, CallsPerChange: round2(median(cpcs)), BoundMS: round2(median(bounds)),
		MeasuredChainMS: round2(median(chains)), ColdApplyMS: round2(median(wallsOf(cold)))}
	if cp.BoundMS > 0 {
		cp.RatioToBound = round2(cp.ColdApplyMS / cp.BoundMS)
	}
	return cp
}

// withGraphBound adds the graph's own bound (graphBound), median over the serial runs.
func (cp *criticalPath) withGraphBound(serial []measured, parallelism int) {
	var bounds, chains, fixed []float64
	for _, m := range serial {
		b, chain, fix := graphBound(m, parallelism)
		bounds, chains, fixed = append(bounds, ms(b)), append(chains, ms(chain)), append(fixed, ms(fix))
	}
	if len(bounds) == 0 {
		return
	}
	cp.GraphBoundMS, cp.SerialChainMS, cp.SerialFixedMS = round2(median(bounds)), round2(median(chains)), round2(median(fixed))
	if cp.GraphBoundMS > 0 {
		cp.RatioToGraphBound = round2(cp.ColdApplyMS / cp.GraphBoundMS)
	}
}

func wallsOf(ms_ []measured) []float64 {
	out := make([]float64, len(ms_))
	for i, m := range ms_ {
		out[i] = round2(ms(m.Wall))
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
