package kinds

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
)

// hangOnce is a network whose first request never gets an answer (until its attempt's context
// ends) and whose others get body.
type hangOnce struct {
	sent atomic.Int32
	body string
}

func (h *hangOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.sent.Add(1) == 1 {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(strings.NewReader(h.body)), Request: req}, nil
}

func hangingConfig(h *hangOnce) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:  &http.Client{Transport: h}, RetryMaxAttempts: 3}
}

// The CLI's own clients (the account lookup, the stack lock) are on the kinds' call path: a
// hung attempt is cut off by the per-attempt timeout and retried, not left to hang the run.
// Installing it again (Registry does, on the CLI's config) changes nothing.
func TestCallPathCoversTheCLIsOwnClients(t *testing.T) {
	defer func(d time.Duration) { awscall.AttemptTimeout = d }(awscall.AttemptTimeout)
	awscall.AttemptTimeout = 50 * time.Millisecond
	ctx := context.Background()

	h := &hangOnce{body: `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`}
	cfg := hangingConfig(h)
	CallPath(&cfg)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "111122223333", aws.ToString(id.Account))
	assert.Equal(t, int32(2), h.sent.Load(), "the hung attempt was cut off and sent again")

	h = &hangOnce{body: `{"Parameter":{"Name":"/provisioner/lock/dev/app/holder","Value":"{}"}}`}
	cfg = hangingConfig(h)
	CallPath(&cfg)
	CallPath(&cfg) // what Registry does on its copy of the CLI's config
	_, err = ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/provisioner/lock/dev/app/holder")})
	require.NoError(t, err)
	assert.Equal(t, int32(2), h.sent.Load())
}
