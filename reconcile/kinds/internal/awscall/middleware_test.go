package awscall

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wire is a fake network under an SDK client: each request gets the next answer of the
// script ("ok", "throttle", "500", "400", "reset": the service did the work and the
// connection broke, "hang": no answer until the attempt's context ends).
type wire struct {
	mu     sync.Mutex
	script []string
	sent   int
}

func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	a := "ok"
	if w.sent < len(w.script) {
		a = w.script[w.sent]
	}
	w.sent++
	w.mu.Unlock()
	answer := func(status int, errType, body string) *http.Response {
		h := http.Header{"Content-Type": {"application/json"}}
		if errType != "" {
			h.Set("X-Amzn-Errortype", errType)
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: req}
	}
	switch a {
	case "throttle":
		return answer(429, "TooManyRequestsException", `{"message":"Too Many Requests"}`), nil
	case "500":
		return answer(500, "InternalFailure", `{"message":"internal"}`), nil
	case "400":
		return answer(400, "BadRequestException", `{"message":"bad"}`), nil
	case "reset":
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	case "hang":
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return answer(201, "", `{"id":"k1","name":"key"}`), nil
}

func (w *wire) count() int { w.mu.Lock(); defer w.mu.Unlock(); return w.sent }

// client is an API Gateway client over w with the call path installed and a retryer like
// cmd's (backoff shortened to b).
func client(w *wire, b time.Duration) *apigateway.Client {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:  &http.Client{Transport: w},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 6
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return b, nil })
				o.RateLimiter = ratelimit.None
			})
		}}
	Install(&cfg, nil)
	return apigateway.NewFromConfig(cfg)
}

func createKey(ctx context.Context, c *apigateway.Client) error {
	_, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("key")})
	return err
}

func TestOnceSendsACreateOneTimeWhenItsOutcomeIsUnknown(t *testing.T) {
	for name, tc := range map[string]struct {
		script  []string
		once    bool
		sent    int
		unknown bool // the call fails with ErrUnknownOutcome
		fails   bool
	}{
		"lost answer, once":        {script: []string{"reset"}, once: true, sent: 1, unknown: true, fails: true},
		"lost answer, not once":    {script: []string{"reset"}, sent: 2},
		"5xx, once":                {script: []string{"500"}, once: true, sent: 1, unknown: true, fails: true},
		"5xx, not once":            {script: []string{"500"}, sent: 2},
		"throttled, once":          {script: []string{"throttle", "throttle"}, once: true, sent: 3},
		"refused, once":            {script: []string{"400"}, once: true, sent: 1, fails: true},
		"throttled then lost":      {script: []string{"throttle", "reset"}, once: true, sent: 2, unknown: true, fails: true},
		"answered at once, once":   {once: true, sent: 1},
		"answered at once, plain":  {sent: 1},
		"refused, not once either": {script: []string{"400"}, sent: 1, fails: true},
	} {
		t.Run(name, func(t *testing.T) {
			w := &wire{script: tc.script}
			ctx := context.Background()
			if tc.once {
				ctx = Once(ctx)
			}
			err := createKey(ctx, client(w, time.Millisecond))
			assert.Equal(t, tc.sent, w.count(), "requests sent")
			assert.Equal(t, tc.fails, err != nil, "%v", err)
			assert.Equal(t, tc.unknown, errors.Is(err, ErrUnknownOutcome), "%v", err)
		})
	}
}

func TestAttemptTimeoutIsPerAttempt(t *testing.T) {
	defer func(d time.Duration) { AttemptTimeout = d }(AttemptTimeout)
	AttemptTimeout = 50 * time.Millisecond

	// A hung attempt is cut off and retried: the call's own context is still live.
	w := &wire{script: []string{"hang"}}
	require.NoError(t, createKey(context.Background(), client(w, time.Millisecond)))
	assert.Equal(t, 2, w.count())

	// A hung create is not: nobody knows whether it happened.
	w = &wire{script: []string{"hang"}}
	err := createKey(Once(context.Background()), client(w, time.Millisecond))
	assert.ErrorIs(t, err, ErrUnknownOutcome)
	assert.Equal(t, 1, w.count())

	// Throttled attempts with backoff longer than an attempt's timeout between them still get
	// through: the backoff is outside every attempt.
	w = &wire{script: []string{"throttle", "throttle", "throttle"}}
	require.NoError(t, createKey(context.Background(), client(w, 3*AttemptTimeout)))
	assert.Equal(t, 4, w.count())
}

func TestCallBudgetOutlastsTheRetryer(t *testing.T) {
	// cmd's retryer: 10 attempts, at most 20 s of backoff between them.
	const attempts, maxBackoff = 10, 20 * time.Second
	assert.Greater(t, Timeout, attempts*AttemptTimeout+(attempts-1)*maxBackoff)
}

func TestUnknownOutcome(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"nil":          {nil, false},
		"reset":        {&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		"throttle":     {apiErr(TooManyRequestsException), false},
		"ec2 throttle": {apiErr(RequestLimitExceeded), false},
		"refusal":      {apiErr(ConflictException), false},
		"timeout":      {&attemptTimeout{err: context.DeadlineExceeded}, true},
	} {
		assert.Equal(t, tc.want, UnknownOutcome(tc.err), name)
	}
}

func TestSettleLooksAgainWithOneToken(t *testing.T) {
	defer func(d time.Duration) { SettlePause = d }(SettlePause)
	SettlePause = time.Microsecond
	var tokens []string
	runs := 0
	got, err := Settle(context.Background(), func(ctx context.Context) (string, error) {
		runs++
		tokens = append(tokens, ClientToken(ctx, "shop", "dev", "s3-endpoint"))
		if runs < 3 {
			return "", LostAnswer(errors.New("connection reset"))
		}
		return "vpce-1", nil
	})
	require.NoError(t, err)
	assert.Equal(t, "vpce-1", got)
	assert.Equal(t, 3, runs)
	assert.Equal(t, tokens[0], tokens[2], "every resend within one Settle carries the same client token")
	assert.Len(t, tokens[0], 64)

	var later string
	_, _ = Settle(context.Background(), func(ctx context.Context) (string, error) {
		later = ClientToken(ctx, "shop", "dev", "s3-endpoint")
		return "", nil
	})
	assert.NotEqual(t, tokens[0], later, "a later create (after a delete) gets a new token")

	runs = 0
	_, err = Settle(context.Background(), func(ctx context.Context) (string, error) {
		runs++
		return "", LostAnswer(errors.New("connection reset"))
	})
	assert.ErrorIs(t, err, ErrUnknownOutcome)
	assert.Equal(t, SettleAttempts, runs, "bounded")

	runs = 0
	_, err = Settle(context.Background(), func(ctx context.Context) (string, error) {
		runs++
		return "", apiErr(ConflictException)
	})
	assert.Error(t, err)
	assert.Equal(t, 1, runs, "a known failure is not retried here")
}

func TestPacer(t *testing.T) {
	now := time.Unix(0, 0)
	var slept []time.Duration
	p := NewPacer(map[string]Rate{
		"API Gateway:CreateRestApi": {Every: 3 * time.Second, Burst: 1},
		"API Gateway:*":             {Every: 100 * time.Millisecond, Burst: 2},
	})
	p.now = func() time.Time { return now }
	p.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil }
	ctx := context.Background()

	for range 3 {
		require.NoError(t, p.Wait(ctx, "API Gateway", "CreateRestApi"))
	}
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, slept, "one CreateRestApi every 3 s")

	slept = nil
	now = now.Add(time.Minute)
	for range 4 {
		require.NoError(t, p.Wait(ctx, "API Gateway", "GetRestApis"))
	}
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 100 * time.Millisecond}, slept, "a burst of 2, then 10 a second")

	slept = nil
	require.NoError(t, p.Wait(ctx, "EC2", "CreateVpc"))
	assert.Empty(t, slept, "no rate known, no wait")

	var nilPacer *Pacer
	assert.NoError(t, nilPacer.Wait(ctx, "API Gateway", "CreateRestApi"))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	p.sleep = sleepCtx
	assert.ErrorIs(t, p.Wait(cancelled, "API Gateway", "CreateRestApi"), context.Canceled)
}

func TestControlPlaneRatesAreTheDocumentedQuotas(t *testing.T) {
	assert.Equal(t, Rate{Every: 3 * time.Second, Burst: 1}, ControlPlaneRates["API Gateway:CreateRestApi"])
	assert.Equal(t, Rate{Every: 5 * time.Second, Burst: 1}, ControlPlaneRates["API Gateway:CreateDeployment"])
	assert.Equal(t, Rate{Every: 30 * time.Second, Burst: 1}, ControlPlaneRates["API Gateway:DeleteRestApi"])
}
