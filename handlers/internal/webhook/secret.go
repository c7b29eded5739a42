package webhook

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// ParameterGetter is what the handlers need of SSM.
type ParameterGetter interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// DefaultSecretTTL is how long a fetched secret is used before it is fetched again: short
// enough that a rotated secret is picked up within minutes, long enough that SSM's
// GetParameter quota (40 a second by default) is never near at thousands of requests a second.
const DefaultSecretTTL = 5 * time.Minute

// SecretCache fetches SecureString parameters (decrypted) and keeps each for TTL. A failed
// fetch is not cached, so the next request tries again; one lock per parameter makes
// concurrent requests share one fetch. Values are never logged, and errors name the parameter
// only.
type SecretCache struct {
	Client ParameterGetter
	TTL    time.Duration // DefaultSecretTTL when zero
	Now    func() time.Time

	mu      sync.Mutex
	entries map[string]*secretEntry
}

type secretEntry struct {
	mu      sync.Mutex
	value   []byte
	fetched time.Time
}

// Get returns the value of the parameter called name.
func (c *SecretCache) Get(ctx context.Context, name string) ([]byte, error) {
	e := c.entry(name)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	if e.value != nil && now.Sub(e.fetched) < c.ttl() {
		return e.value, nil
	}
	out, err := c.Client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get parameter %s: %w", name, err)
	}
	if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
		return nil, fmt.Errorf("get parameter %s: empty value", name)
	}
	e.value, e.fetched = []byte(aws.ToString(out.Parameter.Value)), now
	return e.value, nil
}

func (c *SecretCache) entry(name string) *secretEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*secretEntry{}
	}
	e, ok := c.entries[name]
	if !ok {
		e = &secretEntry{}
		c.entries[name] = e
	}
	return e
}

func (c *SecretCache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultSecretTTL
}

func (c *SecretCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
