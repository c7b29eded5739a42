// Package webhook is the code the three webhook handlers share: configuration from the
// environment, AWS clients, logging, the event model and its DynamoDB item and S3 layouts, and
// the narrow DynamoDB and S3 interfaces the handlers are written against.
//
// It imports nothing else of the provisioner: the handlers are built and shipped on their own.
package webhook

import (
	"errors"
	"fmt"
	"strconv"
)

// Environment variables the handlers read.
const (
	EnvEventsTable        = "EVENTS_TABLE"
	EnvArchiveBucket      = "ARCHIVE_BUCKET"
	EnvWebhookSecret      = "WEBHOOK_SECRET"
	EnvWebhookSecretParam = "WEBHOOK_SECRET_PARAM"
	EnvLogLevel           = "LOG_LEVEL"
	EnvBatchConcurrency   = "BATCH_CONCURRENCY"   // records of a batch handled at once (processor, deadletter)
	EnvEventTTLDays       = "EVENT_TTL_DAYS"      // days an archived event stays in the table; 0 keeps it
	EnvEventTTLAttribute  = "EVENT_TTL_ATTRIBUTE" // the table's TTL attribute
)

// Defaults of the expiry of archived events.
const (
	DefaultEventTTLDays      = 30
	DefaultEventTTLAttribute = "expires_at"
)

// Config is the handlers' configuration, read once at cold start.
type Config struct {
	EventsTable        string
	ArchiveBucket      string
	WebhookSecret      string // never logged
	WebhookSecretParam string // SSM parameter name (SecureString) holding the secret
	LogLevel           string
}

// FromEnv reads the configuration through getenv (os.Getenv in production).
func FromEnv(getenv func(string) string) Config {
	return Config{
		EventsTable:        getenv(EnvEventsTable),
		ArchiveBucket:      getenv(EnvArchiveBucket),
		WebhookSecret:      getenv(EnvWebhookSecret),
		WebhookSecretParam: getenv(EnvWebhookSecretParam),
		LogLevel:           getenv(EnvLogLevel),
	}
}

// Require reports every one of the named environment variables that is empty, so that a
// function missing its configuration fails at cold start with one clear message instead of
// failing each event.
func (c Config) Require(names ...string) error {
	values := map[string]string{
		EnvEventsTable:        c.EventsTable,
		EnvArchiveBucket:      c.ArchiveBucket,
		EnvWebhookSecret:      c.WebhookSecret,
		EnvWebhookSecretParam: c.WebhookSecretParam,
		EnvLogLevel:           c.LogLevel,
	}
	var errs []error
	for _, n := range names {
		if values[n] == "" {
			errs = append(errs, fmt.Errorf("environment variable %s is not set", n))
		}
	}
	return errors.Join(errs...)
}

// IntEnv reads a whole number between lo and hi from the environment variable name, def when
// it is unset.
func IntEnv(getenv func(string) string, name string, def, lo, hi int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("environment variable %s=%q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
