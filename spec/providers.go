package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Provider is one payment provider of a webhook function (lambda.function `providers`): how
// its deliveries are signed, where its secrets are, and (for the authorizer) its URL token and
// API key. The receiver's WEBHOOK_PROVIDERS and the authorizer's AUTHORIZER_PROVIDERS are
// generated from it (docs/handlers.md has both contracts); one block, shared by a YAML anchor,
// serves both functions.
type Provider struct {
	Scheme           string `yaml:"scheme" json:"scheme,omitempty" jsonschema:"enum=stripe,enum=hmac-sha256-hex,enum=square,enum=adyen,enum=none,description=how deliveries are signed (receiver)"`
	Format           string `yaml:"format" json:"format,omitempty" jsonschema:"enum=stripe,enum=github,enum=square,enum=paypal,enum=adyen,enum=generic,description=where the event's id and type are; default from the scheme"`
	Secret           string `yaml:"secret" json:"secret,omitempty" jsonschema:"description=the SecureString with the signing secret\\, e.g. ${stripe-secret.name}; every scheme but none"`
	Header           string `yaml:"header" json:"header,omitempty" jsonschema:"description=hmac-sha256-hex: the signature header\\, e.g. X-Hub-Signature-256"`
	Prefix           string `yaml:"prefix" json:"prefix,omitempty" jsonschema:"description=hmac-sha256-hex: the text before the hex digits\\, e.g. sha256="`
	NotificationURL  string `yaml:"notification_url" json:"notification_url,omitempty" jsonschema:"description=square: the notification URL exactly as entered in Square's dashboard"`
	ToleranceSeconds int    `yaml:"tolerance_seconds" json:"tolerance_seconds,omitempty" jsonschema:"minimum=0,description=stripe: largest age of a signature; 0: the receiver's default (300)"`
	Token            string `yaml:"token" json:"token,omitempty" jsonschema:"description=the SecureString with the URL token\\, e.g. ${stripe-token.name} (authorizer)"`
	APIKey           string `yaml:"api_key" json:"api_key,omitempty" jsonschema:"description=the SecureString with the provider's API key value\\, e.g. ${stripe-api-key.name} (authorizer)"`
}

// providersEnv is the variable each handler reads its providers from.
var providersEnv = map[string]string{"receiver": "WEBHOOK_PROVIDERS", "authorizer": "AUTHORIZER_PROVIDERS"}

var providerNamePattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// checkProviders applies the handlers' rules to a function's providers, so that what a cold
// start would refuse is refused here, at its line and column.
func (c *checker) checkProviders(r *loaded, p *LambdaFunction) {
	if len(p.Providers) == 0 {
		return
	}
	env, ok := providersEnv[p.Handler]
	if !ok {
		c.errAt(r, "providers", "expected providers only on a function with handler receiver or authorizer, found handler %q", p.Handler)
		return
	}
	if _, set := p.Environment[env]; set {
		c.errAt(r, "environment."+env, "expected %s to come from providers alone, found it in environment too", env)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Providers)) {
		path, pr := "providers."+name, p.Providers[name]
		if !providerNamePattern.MatchString(name) {
			c.errAt(r, path, "expected a provider name of 1-128 letters, digits and ._:- (it is the {provider} of the URL), found %q", name)
		}
		if p.Handler == "authorizer" {
			c.checkAuthorizerProvider(r, path, pr)
		} else {
			c.checkReceiverProvider(r, path, pr)
		}
	}
}

// checkReceiverProvider is the receiver's rule for one provider (WEBHOOK_PROVIDERS).
func (c *checker) checkReceiverProvider(r *loaded, path string, pr Provider) {
	if pr.Scheme == "" {
		c.errAt(r, path+".scheme", "expected a signature scheme: stripe, hmac-sha256-hex, square, adyen or none")
		return
	}
	if pr.Scheme == "none" && pr.Secret != "" {
		c.errAt(r, path+".secret", "expected no secret for scheme none")
	}
	if pr.Scheme != "none" && pr.Secret == "" {
		c.errAt(r, path+".secret", "expected the SecureString holding the %s signing secret, e.g. ${%s-secret.name}", pr.Scheme, path[len("providers."):])
	}
	c.expectRef(r, path+".secret", pr.Secret, "ssm.parameter", "name")
	c.onlyFor(r, path, pr.Scheme, "hmac-sha256-hex", map[string]bool{"header": pr.Header != "", "prefix": pr.Prefix != ""})
	c.onlyFor(r, path, pr.Scheme, "square", map[string]bool{"notification_url": pr.NotificationURL != ""})
	c.onlyFor(r, path, pr.Scheme, "stripe", map[string]bool{"tolerance_seconds": pr.ToleranceSeconds != 0})
	switch {
	case pr.Scheme == "hmac-sha256-hex" && pr.Header == "":
		c.errAt(r, path+".header", "expected the signature header for scheme hmac-sha256-hex, e.g. X-Hub-Signature-256")
	case pr.Scheme == "square" && pr.NotificationURL == "":
		c.errAt(r, path+".notification_url", "expected the notification URL as entered in Square's dashboard (Square signs it) for scheme square")
	case pr.Scheme == "square" && !strings.HasPrefix(pr.NotificationURL, "https://"):
		c.errAt(r, path+".notification_url", "expected an https:// URL, found %q", pr.NotificationURL)
	}
}

// onlyFor reports each set field of fields when scheme is not the one they belong to.
func (c *checker) onlyFor(r *loaded, path, scheme, owner string, fields map[string]bool) {
	if scheme == owner {
		return
	}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		if fields[f] {
			c.errAt(r, path+"."+f, "expected %s only with scheme %s, found scheme %s", f, owner, scheme)
		}
	}
}

// checkAuthorizerProvider is the authorizer's rule for one provider (AUTHORIZER_PROVIDERS).
func (c *checker) checkAuthorizerProvider(r *loaded, path string, pr Provider) {
	for _, f := range []struct{ key, value, what string }{
		{"token", pr.Token, "URL token"}, {"api_key", pr.APIKey, "API key value"},
	} {
		if f.value == "" {
			c.errAt(r, path+"."+f.key, "expected the SecureString holding the provider's %s, e.g. ${%s-%s.name}",
				f.what, path[len("providers."):], strings.ReplaceAll(f.key, "_", "-"))
			continue
		}
		c.expectRef(r, path+"."+f.key, f.value, "ssm.parameter", "name")
	}
}

// expandProviders writes each function's providers into its environment as the JSON its
// handler reads. References stay in the JSON and are resolved with the rest of the
// environment (parameter names need no JSON escaping).
func (l *loader) expandProviders() {
	for _, r := range l.res {
		p, ok := r.Props.(*LambdaFunction)
		if !ok || len(p.Providers) == 0 {
			continue
		}
		env := maps.Clone(p.Environment)
		if env == nil {
			env = map[string]string{}
		}
		env[providersEnv[p.Handler]] = providersJSON(p.Handler, p.Providers)
		p.Environment = env
	}
}

// receiverProvider and authorizerProvider are the handlers' JSON, field for field.
type receiverProvider struct {
	Scheme           string `json:"scheme"`
	Format           string `json:"format,omitempty"`
	SecretParam      string `json:"secret_param,omitempty"`
	Header           string `json:"header,omitempty"`
	Prefix           string `json:"prefix,omitempty"`
	NotificationURL  string `json:"notification_url,omitempty"`
	ToleranceSeconds int    `json:"tolerance_seconds,omitempty"`
}

type authorizerProvider struct {
	TokenParam  string `json:"token_param"`
	APIKeyParam string `json:"api_key_param"`
}

// providersJSON is the providers as handler reads them, keys sorted, no HTML escaping.
func providersJSON(handler string, providers map[string]Provider) string {
	out := map[string]any{}
	for name, pr := range providers {
		if handler == "authorizer" {
			out[name] = authorizerProvider{TokenParam: pr.Token, APIKeyParam: pr.APIKey}
			continue
		}
		out[name] = receiverProvider{Scheme: pr.Scheme, Format: pr.Format, SecretParam: pr.Secret, Header: pr.Header,
			Prefix: pr.Prefix, NotificationURL: pr.NotificationURL, ToleranceSeconds: pr.ToleranceSeconds}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(fmt.Sprintf("encode providers: %v", err)) // strings and ints only: cannot fail
	}
	return strings.TrimSuffix(b.String(), "\n")
}
