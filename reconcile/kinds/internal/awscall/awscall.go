// Package awscall is the one path every kind's AWS calls take: each call under its own
// budget and each attempt under its own timeout (Install, Timeout, AttemptTimeout), pacing to
// AWS's control-plane quotas (Pacer), creates that must not happen twice sent once and settled
// by a look-up when their outcome is unknown (Once, Settle, ClientToken), the retry predicates
// (throttling, "wait and retry" answers), the mapping of services' not-found and ownership
// answers to the engine's sentinels, tag sync and tag-list conversion, paging (Pages), and the
// AWS error codes by name.
//
// It is internal to reconcile/kinds because only kinds call AWS: the engine stays free of SDK
// details, and the rules of calling AWS have this one place.
package awscall

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// Timeout bounds one AWS call with all its SDK attempts, so that a call that never ends fails
// one call, not the run. Each attempt has its own AttemptTimeout (Install); this budget is
// larger than the SDK retryer's attempts and backoff together (cmd builds it with 10 attempts
// and at most 20 s between them: 10 × 60 s + 9 × 20 s), so it never cuts off a throttled
// call's retries and the throttling code reaches the kinds' retry rules.
const Timeout = 15 * time.Minute

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

// ---- creates that must not happen twice ----

// SettleAttempts bounds how often Settle runs a create whose outcome stays unknown.
const SettleAttempts = 5

// SettlePause is the wait before looking again after an unknown outcome, doubled each time:
// a listing may take a moment to show what the lost answer made.
var SettlePause = time.Second

type generationKey struct{}

// Settle runs create, a kind's whole Create: look for an earlier attempt by ownership tags or
// name, adopt it if found, else send the create call once (under Once). While that fails with
// ErrUnknownOutcome it runs create again, whose look-up then finds what the lost answer made,
// or sends the call again when nothing was made. Every run shares one generation for
// ClientToken.
func Settle[T any](ctx context.Context, create func(ctx context.Context) (T, error)) (T, error) {
	ctx = context.WithValue(ctx, generationKey{}, strconv.FormatInt(time.Now().UnixNano(), 36))
	pause := SettlePause
	for i := 1; ; i++ {
		out, err := create(ctx)
		if !errors.Is(err, ErrUnknownOutcome) || i == SettleAttempts {
			return out, err
		}
		if err := sleepCtx(ctx, pause); err != nil {
			return out, err
		}
		pause *= 2
	}
}

// ClientToken is the idempotency token of a create for the resource named by parts (stack,
// suffix, logical name): the same for every resend within one Settle, and new for a later
// Settle, so that a deliberate recreate after a delete is not answered with the deleted one.
// It is 64 hex characters (EC2 takes up to 64 ASCII characters).
func ClientToken(ctx context.Context, parts ...string) string {
	gen, _ := ctx.Value(generationKey{}).(string)
	h := sha256.New()
	for _, p := range append(parts, gen) {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
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
