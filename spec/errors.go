package spec

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a spec file. Msg says what was expected and what was found.
type Error struct {
	Pos Pos
	Msg string
}

// Error renders the problem as file:line:col: message, the form editors jump to.
func (e Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errors is every problem of one spec file, sorted by position. Load reports them all at
// once so that a person fixes a file in one pass rather than one error per run.
type Errors []Error

// Error prints one problem per line.
func (e *Errors) Error() string {
	lines := make([]string, len(*e))
	for i, err := range *e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.As and errors.Is.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(*e))
	for i, err := range *e {
		out[i] = err
	}
	return out
}

// problems collects errors while a file is loaded.
type problems struct {
	list Errors
}

func (p *problems) add(pos Pos, format string, args ...any) {
	p.list = append(p.list, Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) empty() bool { return len(p.list) == 0 }

// err returns the problems sorted by position (file order for ties) without duplicates, or
// nil when there are none.
func (p *problems) err() error {
	if p.empty() {
		return nil
	}
	list := append(Errors(nil), p.list...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Pos.before(list[j].Pos) })
	out := list[:1]
	for _, e := range list[1:] {
		if e != out[len(out)-1] {
			out = append(out, e)
		}
	}
	return &out
}

func (p Pos) before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}
