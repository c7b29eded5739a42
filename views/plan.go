package views

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Plan shows one plan: what apply would change, a drift report, or what destroy will delete.
type Plan interface {
	Plan(p *reconcile.Plan) error
}

// NewPlan is the view of `plan`.
func NewPlan(vt ViewType, v *View) Plan { return newPlanView(vt, v, planMode) }

// NewDrift is the view of `drift`: the same plan, worded as missing, drifted and unexpected.
func NewDrift(vt ViewType, v *View) Plan { return newPlanView(vt, v, driftMode) }

func newPlanView(vt ViewType, v *View, m mode) Plan {
	if vt == JSON {
		return &planJSON{v: v, m: m}
	}
	return &planText{v: v, m: m}
}

// mode is what a plan is shown as.
type mode int

const (
	planMode mode = iota
	driftMode
	destroyMode
)

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
)

type verb struct{ sign, word, color string }

var planVerbs = map[reconcile.Action]verb{
	reconcile.Create:  {"+", "create", ansiGreen},
	reconcile.Update:  {"~", "update", ansiYellow},
	reconcile.Replace: {"-/+", "replace", ansiRed},
	reconcile.Delete:  {"-", "delete", ansiRed},
}

var driftVerbs = map[reconcile.Action]verb{
	reconcile.Create:  {"+", "missing", ansiGreen},
	reconcile.Update:  {"~", "drifted", ansiYellow},
	reconcile.Replace: {"-/+", "drifted", ansiRed},
	reconcile.Delete:  {"-", "unexpected", ansiRed},
}

// planText writes the plan for people: one block per change with its field diffs, then a
// summary line.
type planText struct {
	v *View
	m mode
}

func (t *planText) Plan(p *reconcile.Plan) error {
	var b strings.Builder
	title, stack := "Plan", p.Stack
	switch t.m {
	case driftMode:
		title = "Drift check"
	case destroyMode:
		title = "Destroy plan"
	}
	if stack == "" {
		stack = "(every stack)"
	}
	fmt.Fprintf(&b, "%s for stack %s, suffix %s (%s):\n", title, stack, p.Suffix, p.Region)
	verbs := planVerbs
	if t.m == driftMode {
		b.WriteString("Fields read live -> spec.\n")
		verbs = driftVerbs
	}
	b.WriteString("\n")
	for _, c := range p.Changes {
		if c.Action != reconcile.NoOp {
			t.writeChange(&b, c, verbs[c.Action])
		}
	}
	if p.HasChanges() {
		b.WriteString("\n")
	}
	b.WriteString(summaryLine(p, t.m == driftMode))
	if p.Refused() != nil && t.m == planMode {
		b.WriteString("Apply refuses this plan: change the spec so that no field is marked \"cannot be applied\".\n")
	}
	_, err := io.WriteString(t.v.out, b.String())
	return err
}

func (t *planText) writeChange(b *strings.Builder, c reconcile.Change, v verb) {
	head := fmt.Sprintf("%3s %-10s %s", v.sign, v.word, c.Address)
	if t.v.color {
		head = v.color + head + ansiReset
	}
	fmt.Fprintf(b, "  %s  (%s)", head, c.Name)
	if c.Reason != "" && c.Action != reconcile.Update {
		fmt.Fprintf(b, "  # %s", c.Reason) // a replace's says in which order, and why
	}
	b.WriteString("\n")
	for _, d := range c.Diffs {
		fmt.Fprintf(b, "        %s: %s -> %s", d.Path, formatValue(d.Live), formatValue(d.Desired))
		switch {
		case d.Impossible != "":
			b.WriteString("  # cannot be applied: " + d.Impossible)
		case d.ForceNew:
			b.WriteString("  # forces replacement")
		}
		b.WriteString("\n")
	}
}

func summaryLine(p *reconcile.Plan, drift bool) string {
	s := p.Summary()
	if drift {
		if !p.HasChanges() {
			return fmt.Sprintf("No drift: %d resources match the spec.\n", s.NoOp)
		}
		return fmt.Sprintf("Drift: %d missing, %d drifted, %d unexpected, %d in sync.\n",
			s.Create, s.Update+s.Replace, s.Delete, s.NoOp)
	}
	if !p.HasChanges() {
		return fmt.Sprintf("No changes: %d resources match the spec.\n", s.NoOp)
	}
	return fmt.Sprintf("Plan: %d to create, %d to update, %d to replace, %d to delete, %d unchanged.\n",
		s.Create, s.Update, s.Replace, s.Delete, s.NoOp)
}

// formatValue shows a value as JSON, and an absent one as (none).
func formatValue(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok && s == reconcile.Unknown {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// PlanJSON is the documented JSON form of a plan (docs/plan-json.md).
type PlanJSON struct {
	FormatVersion int                  `json:"format_version"`
	Kind          string               `json:"kind"` // "plan" or "drift"
	Stack         string               `json:"stack"`
	Suffix        string               `json:"suffix"`
	Region        string               `json:"region"`
	HasChanges    bool                 `json:"has_changes"`
	Summary       reconcile.Summary    `json:"summary"`
	Changes       []reconcile.Change   `json:"changes"`
	Stats         *reconcile.CallStats `json:"stats,omitempty"` // only with --stats
}

// planJSON writes the plan as one JSON document; a destroy plan is a "plan".
type planJSON struct {
	v *View
	m mode
}

func (j *planJSON) Plan(p *reconcile.Plan) error {
	kind := "plan"
	if j.m == driftMode {
		kind = "drift"
	}
	changes := p.Changes
	if changes == nil {
		changes = []reconcile.Change{}
	}
	return writeJSON(j.v.out, PlanJSON{FormatVersion: 1, Kind: kind, Stack: p.Stack, Suffix: p.Suffix, Region: p.Region,
		HasChanges: p.HasChanges(), Summary: p.Summary(), Changes: changes, Stats: j.v.callStats()})
}

// writeJSON writes one indented JSON document, the form of every JSON view.
func writeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
