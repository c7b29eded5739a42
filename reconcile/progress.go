package reconcile

import (
	"context"
	"fmt"
)

// Noter is an optional ability of an Observer: it hears what a kind reports during a long wait
// of a change (a delete blocked by network interfaces, …), as the kind reports it, between
// Started and Finished.
type Noter interface {
	Note(c Change, msg string)
}

type reporterKey struct{}

// WithReporter returns ctx carrying fn, which Report calls. The executor gives every change
// one that delivers to the observer; tests give their own.
func WithReporter(ctx context.Context, fn func(msg string)) context.Context {
	return context.WithValue(ctx, reporterKey{}, fn)
}

// Report tells whoever runs the change under ctx how a long wait goes; without a reporter in
// ctx it does nothing.
func Report(ctx context.Context, format string, args ...any) {
	if fn, ok := ctx.Value(reporterKey{}).(func(string)); ok && fn != nil {
		fn(fmt.Sprintf(format, args...))
	}
}
