package webhook

import (
	"context"
	"errors"
	"time"
)

// SafetyMargin is the part of an invocation's time kept back from AWS calls, for answering
// Lambda (the batch item failures, the API response) and writing the last log lines.
const SafetyMargin = 2 * time.Second

// ErrOutOfTime is the error of work not started, or cut short, because the invocation was about
// to end.
var ErrOutOfTime = errors.New("invocation nearly out of time")

// WithinInvocation returns a context whose deadline is ctx's deadline less margin, so that
// every AWS call made with it gives up while the handler still has time to answer. Without a
// deadline on ctx (a test, a local run) it returns ctx as it is.
func WithinInvocation(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, d.Add(-margin))
}

// TimeLeft reports whether ctx still has at least need before its deadline.
func TimeLeft(ctx context.Context, need time.Duration) error {
	if err := ctx.Err(); err != nil {
		return errors.Join(ErrOutOfTime, err)
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < need {
		return ErrOutOfTime
	}
	return nil
}

// MinRecordTime is the time a batch record needs to be worth starting: an S3 put and a
// DynamoDB update take tens of milliseconds, and a throttled one retried by the SDK a few
// hundred.
const MinRecordTime = 500 * time.Millisecond

// Timing is a handler's time budget; the zero value means SafetyMargin and MinRecordTime.
// Tests shrink it to exercise deadlines without waiting for them.
type Timing struct {
	SafetyMargin, MinRecordTime time.Duration
}

// Margin is the time kept back from AWS calls.
func (t Timing) Margin() time.Duration { return cmpOr(t.SafetyMargin, SafetyMargin) }

// MinRecord is the time a record needs to be started.
func (t Timing) MinRecord() time.Duration { return cmpOr(t.MinRecordTime, MinRecordTime) }

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
