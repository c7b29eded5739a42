package awscall

import (
	"context"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Pages reads every page of a listing, whatever the service calls its token (NextToken,
// Marker, position): call is the SDK client method, in its input, and token points at the
// input's token field, which Pages sets (nil for the first page). page returns a page's items
// and the next token; an empty or nil one ends the listing. Each page is one Do: its own
// timeout, and the errors retry accepts retried with b (Never: one attempt a page).
func Pages[In, Out, O, T any](ctx context.Context, b reconcile.Backoff, retry func(error) bool, in *In, token **string,
	call func(context.Context, *In, ...func(*O)) (*Out, error), page func(*Out) ([]T, *string)) ([]T, error) {
	var all []T
	*token = nil
	for {
		var out *Out
		err := Do(ctx, b, retry, func(ctx context.Context) (err error) {
			out, err = call(ctx, in)
			return err
		})
		if err != nil {
			return nil, err
		}
		items, next := page(out)
		all = append(all, items...)
		if next == nil || *next == "" {
			return all, nil
		}
		*token = next
	}
}

// Truncated is the next token of an IAM-style page, which says IsTruncated instead of leaving
// the marker empty at the end.
func Truncated(isTruncated bool, marker *string) *string {
	if !isTruncated {
		return nil
	}
	return marker
}
