package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// EnvProviders names the environment variable holding the providers, as JSON: an object from
// provider name (the {provider} of POST /webhook/{provider}) to providerConfig. The spec side
// generates it; docs/handlers.md gives the contract.
const EnvProviders = "WEBHOOK_PROVIDERS"

// Signature schemes.
const (
	schemeStripe  = "stripe"          // Stripe-Signature: t=…,v1=… over "t.body"
	schemeHexHMAC = "hmac-sha256-hex" // <header>: <prefix><hex HMAC-SHA256 of the body>
	schemeSquare  = "square"          // base64 HMAC-SHA256 of notification URL + body
	schemeAdyen   = "adyen"           // base64 HMAC-SHA256 per notification item, hex key
	schemeNone    = "none"            // no signature: only for providers authenticated otherwise
)

// Payload formats: where a provider puts an event's id, type and time.
const (
	formatStripe  = "stripe"
	formatGitHub  = "github"
	formatSquare  = "square"
	formatPayPal  = "paypal"
	formatAdyen   = "adyen"
	formatGeneric = "generic"
)

// DefaultStripeTolerance is the age beyond which a Stripe signature is refused, as Stripe's own
// libraries do.
const DefaultStripeTolerance = 300 * time.Second

// providerConfig is one provider's entry in WEBHOOK_PROVIDERS.
type providerConfig struct {
	name             string // the key in WEBHOOK_PROVIDERS; "" on the legacy route
	Scheme           string `json:"scheme"`
	Format           string `json:"format,omitempty"`           // default by scheme: stripe, square, adyen; else generic
	SecretParam      string `json:"secret_param,omitempty"`     // SSM SecureString holding the signing secret
	Header           string `json:"header,omitempty"`           // hmac-sha256-hex: the signature header
	Prefix           string `json:"prefix,omitempty"`           // hmac-sha256-hex: text before the hex digits, e.g. "sha256="
	NotificationURL  string `json:"notification_url,omitempty"` // square: the URL as entered in Square's dashboard
	ToleranceSeconds int    `json:"tolerance_seconds,omitempty"`
}

// parseProviders decodes WEBHOOK_PROVIDERS strictly: an unknown field, scheme or format, or a
// setting its scheme needs left out, is an error naming the provider, so that a mistyped
// configuration stops the cold start instead of refusing or, worse, accepting deliveries.
func parseProviders(raw string) (map[string]providerConfig, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	var m map[string]providerConfig
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvProviders, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", EnvProviders)
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(m)) {
		c := m[name]
		if !webhook.ValidID(name) {
			errs = append(errs, fmt.Errorf("%s: provider name %q must be 1 to %d characters of A-Z a-z 0-9 . _ : -", EnvProviders, name, webhook.MaxIDLength))
			continue
		}
		c.name, c.Format = name, defaultFormat(c)
		if err := c.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: provider %s: %w", EnvProviders, name, err))
		}
		m[name] = c
	}
	return m, errors.Join(errs...)
}

func defaultFormat(c providerConfig) string {
	if c.Format != "" {
		return c.Format
	}
	switch c.Scheme {
	case schemeStripe, schemeSquare, schemeAdyen:
		return c.Scheme
	}
	return formatGeneric
}

func (c providerConfig) validate() error {
	var errs []error
	need := func(ok bool, msg string) {
		if !ok {
			errs = append(errs, errors.New(msg))
		}
	}
	switch c.Scheme {
	case schemeStripe, schemeAdyen:
	case schemeHexHMAC:
		need(c.Header != "", `scheme hmac-sha256-hex needs "header"`)
	case schemeSquare:
		need(c.NotificationURL != "", `scheme square needs "notification_url"`)
	case schemeNone:
		need(c.SecretParam == "", `scheme none takes no "secret_param"`)
	default:
		errs = append(errs, fmt.Errorf("unknown scheme %q; want stripe, hmac-sha256-hex, square, adyen or none", c.Scheme))
	}
	if c.Scheme != schemeNone && c.Scheme != "" {
		need(c.SecretParam != "", `"secret_param" is required`)
	}
	need(c.ToleranceSeconds >= 0, `"tolerance_seconds" must not be negative`)
	switch c.Format {
	case formatStripe, formatGitHub, formatSquare, formatPayPal, formatGeneric:
		need(c.Scheme != schemeAdyen, "scheme adyen needs format adyen")
	case formatAdyen:
		need(c.Scheme == schemeAdyen || c.Scheme == schemeNone, "format adyen needs scheme adyen")
	default:
		errs = append(errs, fmt.Errorf("unknown format %q; want stripe, github, square, paypal, adyen or generic", c.Format))
	}
	return errors.Join(errs...)
}

func (c providerConfig) tolerance() time.Duration {
	if c.ToleranceSeconds > 0 {
		return time.Duration(c.ToleranceSeconds) * time.Second
	}
	return DefaultStripeTolerance
}
