package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// RenderOptions chooses how a plan reads.
type RenderOptions struct {
	Color   bool
	Drift   bool // word the plan as a drift report: missing, drifted, unexpected
	Destroy bool // title the plan as a destroy
}

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiBold   = "\x1b[1m"
)

type verb struct{ sign, word, color string }

var planVerbs = map[Action]verb{
	Create:  {"+", "create", ansiGreen},
	Update:  {"~", "update", ansiYellow},
	Replace: {"-/+", "replace", ansiRed},
	Delete:  {"-", "delete", ansiRed},
}

var driftVerbs = map[Action]verb{
	Create:  {"+", "missing", ansiGreen},
	Update:  {"~", "drifted", ansiYellow},
	Replace: {"-/+", "drifted", ansiRed},
	Delete:  {"-", "unexpected", ansiRed},
}

// RenderText writes the plan for people: one block per change with its field diffs, then a
// summary line.
func RenderText(w io.Writer, p *Plan, o RenderOptions) error {
	var b strings.Builder
	title, stack := "Plan", p.Stack
	switch {
	case o.Drift:
		title = "Drift check"
	case o.Destroy:
		title = "Destroy plan"
	}
	if stack == "" {
		stack = "(every stack)"
	}
	fmt.Fprintf(&b, "%s for stack %s, suffix %s (%s):\n", title, stack, p.Suffix, p.Region)
	if o.Drift {
		b.WriteString("Fields read live -> spec.\n")
	}
	b.WriteString("\n")
	verbs := planVerbs
	if o.Drift {
		verbs = driftVerbs
	}
	for _, c := range p.Changes {
		if c.Action != NoOp {
			writeChange(&b, c, verbs[c.Action], o)
		}
	}
	if p.HasChanges() {
		b.WriteString("\n")
	}
	b.WriteString(summaryLine(p, o.Drift))
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChange(b *strings.Builder, c Change, v verb, o RenderOptions) {
	head := fmt.Sprintf("%3s %-10s %s", v.sign, v.word, c.Address)
	if o.Color {
		head = v.color + head + ansiReset
	}
	fmt.Fprintf(b, "  %s  (%s)", head, c.Name)
	if c.Action == Delete || c.Action == Create {
		fmt.Fprintf(b, "  # %s", c.Reason)
	}
	b.WriteString("\n")
	for _, d := range c.Diffs {
		fmt.Fprintf(b, "        %s: %s -> %s", d.Path, formatValue(d.Live), formatValue(d.Desired))
		if d.ForceNew {
			b.WriteString("  # forces replacement")
		}
		b.WriteString("\n")
	}
}

func summaryLine(p *Plan, drift bool) string {
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
	if s, ok := v.(string); ok && s == Unknown {
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
	FormatVersion int      `json:"format_version"`
	Kind          string   `json:"kind"` // "plan" or "drift"
	Stack         string   `json:"stack"`
	Suffix        string   `json:"suffix"`
	Region        string   `json:"region"`
	HasChanges    bool     `json:"has_changes"`
	Summary       Summary  `json:"summary"`
	Changes       []Change `json:"changes"`
}

// RenderJSON writes the plan as one JSON document.
func RenderJSON(w io.Writer, p *Plan, o RenderOptions) error {
	kind := "plan"
	if o.Drift {
		kind = "drift"
	}
	changes := p.Changes
	if changes == nil {
		changes = []Change{}
	}
	doc := PlanJSON{FormatVersion: 1, Kind: kind, Stack: p.Stack, Suffix: p.Suffix, Region: p.Region,
		HasChanges: p.HasChanges(), Summary: p.Summary(), Changes: changes}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
