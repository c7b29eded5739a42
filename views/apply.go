package views

import (
	"fmt"
	"io"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Operation shows a run that changes the account, apply or destroy: the plan it runs, its
// progress while the executor runs it, and what it did.
type Operation interface {
	Plan(p *reconcile.Plan) error
	Observer() reconcile.Observer
	Result(p *reconcile.Plan, res *reconcile.Result) error
}

// NewApply is the view of `apply`. Its JSON view prints only the result, as one document.
func NewApply(vt ViewType, v *View) Operation {
	if vt == JSON {
		return &operationJSON{v: v}
	}
	return &operationText{v: v, plan: &planText{v: v, m: planMode}, what: "Apply"}
}

// NewDestroy is the view of `destroy`. Its JSON view prints the destroy plan, then (unless it
// is a dry run) the result: two documents.
func NewDestroy(vt ViewType, v *View) Operation {
	if vt == JSON {
		return &operationJSON{v: v, plan: &planJSON{v: v, m: destroyMode}}
	}
	return &operationText{v: v, plan: &planText{v: v, m: destroyMode}, what: "Destroy"}
}

type operationText struct {
	v    *View
	plan Plan
	what string // "Apply" or "Destroy", the word of the summary line
}

func (o *operationText) Plan(p *reconcile.Plan) error { return o.plan.Plan(p) }

func (o *operationText) Observer() reconcile.Observer { return &textObserver{w: o.v.out} }

func (o *operationText) Result(_ *reconcile.Plan, res *reconcile.Result) error {
	return writeCounts(o.v.out, o.what, res.Counts())
}

func writeCounts(w io.Writer, what string, c reconcile.Counts) error {
	line := fmt.Sprintf("\n%s complete: %d created, %d updated, %d replaced, %d deleted, %d unchanged, %d failed",
		what, c.Created, c.Updated, c.Replaced, c.Deleted, c.Unchanged, c.Failed)
	if c.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	_, err := io.WriteString(w, line+".\n")
	return err
}

type operationJSON struct {
	v    *View
	plan Plan // nil: the plan is not printed
}

func (o *operationJSON) Plan(p *reconcile.Plan) error {
	if o.plan == nil {
		return nil
	}
	return o.plan.Plan(p)
}

// Observer reports progress through the logger (stderr): stdout carries the JSON.
func (o *operationJSON) Observer() reconcile.Observer { return &logObserver{log: o.v.log} }

// ApplyJSON is the documented JSON form of an apply's or a destroy's result (docs/plan-json.md).
type ApplyJSON struct {
	FormatVersion int                      `json:"format_version"`
	Stack         string                   `json:"stack"`
	Suffix        string                   `json:"suffix"`
	Results       []reconcile.ChangeResult `json:"results"`
	Counts        reconcile.Counts         `json:"counts"`
	Stats         *reconcile.CallStats     `json:"stats,omitempty"` // only with --stats
}

func (o *operationJSON) Result(p *reconcile.Plan, res *reconcile.Result) error {
	return writeJSON(o.v.out, ApplyJSON{FormatVersion: 1, Stack: p.Stack, Suffix: p.Suffix, Results: res.Results, Counts: res.Counts(), Stats: o.v.callStats()})
}
