// Package awscall is the one path every kind's AWS calls take: each call under its own
// timeout, the retry predicates (throttling, "wait and retry" answers), the mapping of
// services' not-found and ownership answers to the engine's sentinels, tag sync and tag-list
// conversion, and the AWS error codes by name.
//
// It is internal to reconcile/kinds because only kinds call AWS: the engine stays free of SDK
// details, and the rules of calling AWS (settling an unknown create outcome by looking the
// resource up before resending, per-attempt timeouts that never cut off a throttled call's
// SDK retries, pacing of API Gateway writes) have this one place to land.
package awscall

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Timeout bounds one AWS call, so that a hung connection fails one call, not the run.
const Timeout = 60 * time.Second

// Call runs one AWS call under its own timeout.
func Call[T any](ctx context.Context, fn func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	return fn(ctx)
}

// Get makes one call of an SDK client method (any service: O is its Options) under its own
// timeout.
func Get[In, Out, O any](ctx context.Context, call func(context.Context, In, ...func(*O)) (Out, error), in In) (Out, error) {
	return Call(ctx, func(ctx context.Context) (Out, error) { return call(ctx, in) })
}

// Send is Get keeping only the error.
func Send[In, Out, O any](ctx context.Context, call func(context.Context, In, ...func(*O)) (Out, error), in In) error {
	_, err := Get(ctx, call, in)
	return err
}

// Do runs one AWS call under its own timeout, retrying the errors retry accepts with b. op
// makes the call and keeps whatever output it needs.
func Do(ctx context.Context, b reconcile.Backoff, retry func(error) bool, op func(context.Context) error) error {
	return b.Retry(ctx, retry, func(ctx context.Context) error {
		_, err := Call(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, op(ctx) })
		return err
	})
}

// Retry sends in with Send until the call succeeds, fails with an error retry does not
// accept, or b runs out.
func Retry[In, Out, O any](ctx context.Context, b reconcile.Backoff, retry func(error) bool, call func(context.Context, In, ...func(*O)) (Out, error), in In) error {
	return b.Retry(ctx, retry, func(ctx context.Context) error { return Send(ctx, call, in) })
}

// ---- errors ----

// Code returns the AWS error code of err, or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Is reports whether err is an AWS API error with one of the codes.
func Is(err error, codes ...string) bool {
	code := Code(err)
	for _, c := range codes {
		if code != "" && code == c {
			return true
		}
	}
	return false
}

// NotFound maps a service's not-found codes to reconcile.ErrNotFound, keeping the cause.
func NotFound(err error, codes ...string) error {
	if err != nil && Is(err, codes...) {
		return fmt.Errorf("%w: %w", reconcile.ErrNotFound, err)
	}
	return err
}

// ---- retry predicates ----

// ThrottleCodes are throttling answers across the services. The SDK retryer retries them a
// few times; a large apply can outlast that, so our writes retry them with the kind's backoff
// as well.
var ThrottleCodes = []string{Throttling, ThrottlingException, RequestThrottled, TooManyRequestsException}

// Codes accepts API errors with one of the codes.
func Codes(codes ...string) func(error) bool {
	return func(err error) bool { return Is(err, codes...) }
}

// RetryCodes accepts throttling and the codes given.
func RetryCodes(codes ...string) func(error) bool {
	return Codes(append(append([]string{}, ThrottleCodes...), codes...)...)
}

// Throttled accepts throttling only.
func Throttled(err error) bool { return Is(err, ThrottleCodes...) }

// Never is a retry predicate that retries nothing.
func Never(error) bool { return false }
