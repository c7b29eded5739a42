package localstack

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"
)

// Latency is an http.RoundTripper that holds every request for Base ± Jitter (uniform) before
// passing it on, so that a local emulator, which answers in a millisecond, costs what AWS
// costs: tens of milliseconds a call. The benchmark puts it in front of the emulator; speed
// then follows the number of calls and how many run at once, as it does on AWS.
type Latency struct {
	Base   time.Duration
	Jitter time.Duration
	Next   http.RoundTripper // default http.DefaultTransport

	sleep func(time.Duration) // time.Sleep; tests record instead
}

// Delay draws one request's added latency: uniform in [Base-Jitter, Base+Jitter], never
// negative.
func (l *Latency) Delay() time.Duration {
	d := l.Base
	if l.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(2*l.Jitter)+1)) - l.Jitter
	}
	return max(d, 0)
}

// RoundTrip waits, unless the request is cancelled first, then sends r on.
func (l *Latency) RoundTrip(r *http.Request) (*http.Response, error) {
	if d := l.Delay(); d > 0 {
		if l.sleep != nil {
			l.sleep(d)
		} else if err := Sleep(r.Context(), d); err != nil {
			return nil, err
		}
	}
	next := l.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// Sleep waits for d, or until ctx ends, for whatever stands in for AWS's service time: this
// transport, and the handlers' benchmark fakes. (The kinds keep their own in awscall: the
// provisioner's code does not import the emulator package.)
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
