// Package views is the CLI's output: a text view for people and a JSON view for machines of
// each command's plan, progress and result. A command chooses its view once, from -o, with
// NewPlan, NewDrift, NewApply, NewDestroy or NewList (Terraform's views.NewPlan(viewType)
// shape); the engine hands over data only.
package views

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// ViewType is the form of a command's output.
type ViewType int

const (
	Text ViewType = iota // for people
	JSON                 // one JSON document per result (docs/plan-json.md); progress goes to the log
)

// ParseViewType reads the -o flag.
func ParseViewType(s string) (ViewType, error) {
	switch s {
	case "text":
		return Text, nil
	case "json":
		return JSON, nil
	}
	return Text, fmt.Errorf("flag --output: want text or json, got %q", s)
}

// View is where a command writes: its output stream, whether that may carry colour, and the
// logger that reports progress when the output is JSON.
type View struct {
	out   io.Writer
	color bool
	log   *zap.Logger
	stats func() reconcile.CallStats // nil without --stats
}

// NewView writes to out. Colour is used only when out is a terminal and noColor (--no-color,
// NO_COLOR) is false: files and pipes never get escape codes.
func NewView(out io.Writer, noColor bool, log *zap.Logger) *View {
	if log == nil {
		log = zap.NewNop()
	}
	return &View{out: out, color: !noColor && IsTerminal(out), log: log}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
