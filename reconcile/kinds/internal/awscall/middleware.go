package awscall

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// AttemptTimeout bounds one attempt of one AWS call, inside the SDK's retry loop: a hung
// connection costs one attempt, which the SDK retries, and a throttled call's backoff is never
// cut off (Timeout, around the whole loop, is large enough for every attempt and backoff).
var AttemptTimeout = 60 * time.Second

// Install puts the call path's per-attempt rules into every client built from cfg: each
// attempt under AttemptTimeout, paced by p (nil: not paced), and a call marked Once is sent a
// single time when its outcome is unknown. It goes after the SDK's Retry step, so it sees (and
// paces) every attempt.
//
// Installing again on a config that has it (the CLI puts its own clients on the path, then
// hands the config to kinds.Registry) changes nothing: the first one, and its pacer, stays, so
// one process has one pacer per operation.
func Install(cfg *aws.Config, p *Pacer) {
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), func(s *middleware.Stack) error {
		if _, ok := s.Finalize.Get(attempt{}.ID()); ok {
			return nil
		}
		return s.Finalize.Insert(attempt{pacer: p}, "Retry", middleware.After)
	})
}

// attempt is the Finalize middleware of Install.
type attempt struct{ pacer *Pacer }

func (attempt) ID() string { return "provisioner.Attempt" }

func (a attempt) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if err := a.pacer.Wait(ctx, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	actx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	defer cancel()
	out, md, err := next.HandleFinalize(actx, in)
	if err == nil || ctx.Err() != nil {
		return out, md, err
	}
	if actx.Err() != nil {
		err = &attemptTimeout{err: err}
	}
	if once(ctx) && UnknownOutcome(err) {
		err = &unknownOutcome{err: err}
	}
	return out, md, err
}

// attemptTimeout is one attempt cut off by AttemptTimeout. The SDK treats a cancelled context
// as final; this one is not (the call's own context is live), so it says it may be retried.
// It has no Unwrap on purpose: the SDK's retryer would find the cancellation inside and stop.
type attemptTimeout struct{ err error }

func (e *attemptTimeout) Error() string {
	return fmt.Sprintf("attempt timed out after %s: %v", AttemptTimeout, e.err)
}
func (e *attemptTimeout) Timeout() bool        { return true }
func (e *attemptTimeout) CanceledError() bool  { return false }
func (e *attemptTimeout) RetryableError() bool { return true }

// unknownOutcome is an attempt of a Once call that may have done its work: the SDK must not
// send it again, and the kind settles it by looking the resource up.
type unknownOutcome struct{ err error }

func (e *unknownOutcome) Error() string        { return e.err.Error() }
func (e *unknownOutcome) Unwrap() error        { return e.err }
func (e *unknownOutcome) CanceledError() bool  { return false }
func (e *unknownOutcome) RetryableError() bool { return false }

// ErrUnknownOutcome marks a create that may or may not have happened.
var ErrUnknownOutcome = errors.New("outcome unknown")

func (e *unknownOutcome) Is(target error) bool { return target == ErrUnknownOutcome }

// LostAnswer is the error a Once call returns when err left its outcome unknown; the kinds'
// fakes use it to produce a create that happened while the client heard nothing.
func LostAnswer(err error) error { return &unknownOutcome{err: err} }

type onceKey struct{}

// Once marks ctx's calls as creates that must not be sent twice: the SDK retries them only
// when AWS answered that it did nothing (throttling, a refusal below 500); a timeout, a lost
// connection or a 5xx comes back as ErrUnknownOutcome for Settle.
func Once(ctx context.Context) context.Context { return context.WithValue(ctx, onceKey{}, true) }

func once(ctx context.Context) bool { v, _ := ctx.Value(onceKey{}).(bool); return v }

// throttleOnWire are throttling codes as they travel, including those AWS sends with a 5xx
// status (EC2's RequestLimitExceeded and S3's SlowDown are 503s): a throttled request did
// nothing.
var throttleOnWire = append([]string{RequestLimitExceeded, SlowDown}, ThrottleCodes...)

// UnknownOutcome reports whether err leaves open whether the service did the work: anything
// but an AWS answer below 500 or a throttle (a connection reset, a timeout, a 5xx, an answer
// that could not be read).
func UnknownOutcome(err error) bool {
	if err == nil || Is(err, throttleOnWire...) {
		return false
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 {
		code := re.HTTPStatusCode()
		return code >= 500 || code < 300 // a success whose answer could not be read is unknown too
	}
	var ae smithy.APIError
	return !errors.As(err, &ae) || ae.ErrorFault() == smithy.FaultServer
}
