package awscall

import (
	"context"
	"sync"
	"time"
)

// Rate is a token bucket: Burst calls at once, then one every Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// ControlPlaneRates are AWS's fixed control-plane quotas per account and region that an apply
// or destroy of one stack can reach, keyed "Service:Operation" ("Service:*" for the rest of a
// service; an operation with its own entry also counts against the service's). From the API
// Gateway quotas page ("quotas for creating, deploying and managing an API", none can be
// raised) and Lambda's control-plane quota (15 requests per second for the control-plane APIs).
var ControlPlaneRates = map[string]Rate{
	"API Gateway:CreateRestApi":    {Every: 3 * time.Second, Burst: 1}, // regional and private APIs
	"API Gateway:CreateDeployment": {Every: 5 * time.Second, Burst: 1},
	"API Gateway:DeleteRestApi":    {Every: 30 * time.Second, Burst: 1},
	"API Gateway:UpdateUsagePlan":  {Every: 20 * time.Second, Burst: 1},
	"API Gateway:CreateApiKey":     {Every: time.Second / 5, Burst: 5},
	"API Gateway:DeleteApiKey":     {Every: time.Second / 5, Burst: 5},
	"API Gateway:CreateResource":   {Every: time.Second / 5, Burst: 5},
	"API Gateway:DeleteResource":   {Every: time.Second / 5, Burst: 5},
	"API Gateway:*":                {Every: time.Second / 10, Burst: 40}, // "total operations"
	"Lambda:*":                     {Every: time.Second / 15, Burst: 15},
}

// Pacer spaces this process's calls to the rates it knows. Several processes in one account
// are not paced against each other: their calls meet AWS's TooManyRequestsException, which
// the SDK's retryer and the kinds' throttle retries absorb with jittered backoff.
type Pacer struct {
	rates map[string]Rate
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	rate   Rate
	tokens float64
	at     time.Time
}

// NewPacer returns a pacer for rates (keyed as ControlPlaneRates).
func NewPacer(rates map[string]Rate) *Pacer {
	return &Pacer{rates: rates, now: time.Now, sleep: sleepCtx, buckets: map[string]*bucket{}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait blocks until service's operation may be sent, or ctx ends. A nil pacer never waits.
func (p *Pacer) Wait(ctx context.Context, service, operation string) error {
	if p == nil {
		return nil
	}
	for _, key := range []string{service + ":" + operation, service + ":*"} {
		if err := p.take(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// take removes one token from key's bucket, sleeping until there is one.
func (p *Pacer) take(ctx context.Context, key string) error {
	r, ok := p.rates[key]
	if !ok {
		return nil
	}
	for {
		p.mu.Lock()
		now := p.now()
		b := p.buckets[key]
		if b == nil {
			b = &bucket{rate: r, tokens: float64(r.Burst), at: now}
			p.buckets[key] = b
		}
		b.tokens = min(float64(r.Burst), b.tokens+float64(now.Sub(b.at))/float64(r.Every))
		b.at = now
		if b.tokens >= 1 {
			b.tokens--
			p.mu.Unlock()
			return nil
		}
		wait := time.Duration((1 - b.tokens) * float64(r.Every))
		p.mu.Unlock()
		if err := p.sleep(ctx, wait); err != nil {
			return err
		}
	}
}
