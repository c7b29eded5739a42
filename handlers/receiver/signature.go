package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Signature headers of the providers whose header names are fixed.
const (
	headerStripeSignature = "Stripe-Signature"
	headerSquareSignature = "X-Square-Hmacsha256-Signature"
)

// errBadSignature is every signature refusal: the answer says no more than that it failed, so
// that it teaches a forger nothing.
var errBadSignature = errors.New("signature does not match")

// verifyHeader checks the signature of the schemes that sign the whole body and carry it in a
// header. Adyen signs inside the body and is checked by verifyAdyen after parsing.
func verifyHeader(c providerConfig, key []byte, req events.APIGatewayProxyRequest, body []byte, now time.Time) error {
	switch c.Scheme {
	case schemeStripe:
		return verifyStripe(key, header(req, headerStripeSignature), body, now, c.tolerance())
	case schemeHexHMAC:
		return verifyHex(key, c.Header, header(req, c.Header), c.Prefix, body)
	case schemeSquare:
		return verifySquare(key, header(req, headerSquareSignature), c.NotificationURL, body)
	}
	return nil
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	mac := hmac.New(sha256.New, key)
	for _, p := range parts {
		mac.Write(p)
	}
	return mac.Sum(nil)
}

// verifyStripe checks Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]. Any v1 that
// matches HMAC-SHA256("<t>.<body>") is enough (while an endpoint secret is rolled, Stripe
// signs with the old and the new one); other schemes (v0) are ignored, as Stripe's libraries
// do. A timestamp further than tolerance from now, in either direction, is refused: a replayed
// delivery is old.
func verifyStripe(key []byte, h string, body []byte, now time.Time, tolerance time.Duration) error {
	if h == "" {
		return errors.New("missing " + headerStripeSignature)
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
		case k == "t":
			ts = v
		case k == "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New(headerStripeSignature + " has no timestamp or no v1 signature")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New(headerStripeSignature + " timestamp outside the tolerance")
	}
	want := hmacSHA256(key, []byte(ts), []byte("."), body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return errBadSignature
}

// verifyHex checks <prefix><hex HMAC-SHA256 of the body>: GitHub's X-Hub-Signature-256 with
// prefix "sha256=", and the generic X-Webhook-Signature.
func verifyHex(key []byte, name, h, prefix string, body []byte) error {
	if h == "" {
		return errors.New("missing " + name)
	}
	hexSig, ok := strings.CutPrefix(h, prefix)
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || !hmac.Equal(got, hmacSHA256(key, body)) {
		return errBadSignature
	}
	return nil
}

// verifySquare checks x-square-hmacsha256-signature: base64 HMAC-SHA256 of the notification
// URL, exactly as configured in Square, followed by the body.
func verifySquare(key []byte, h, url string, body []byte) error {
	if h == "" {
		return errors.New("missing " + headerSquareSignature)
	}
	got, err := base64.StdEncoding.DecodeString(h)
	if err != nil || !hmac.Equal(got, hmacSHA256(key, []byte(url), body)) {
		return errBadSignature
	}
	return nil
}

// adyenSigningString is the colon-joined field list Adyen signs for one notification item.
func adyenSigningString(it adyenItem) string {
	return strings.Join([]string{
		it.PspReference, it.OriginalReference, it.MerchantAccountCode, it.MerchantReference,
		strconv.FormatInt(it.Amount.Value, 10), it.Amount.Currency, it.EventCode, it.Success,
	}, ":")
}

// verifyAdyen checks every item's additionalData.hmacSignature (base64) against the HMAC of
// its signing string with the hex-encoded key. One bad item refuses the whole delivery: Adyen
// sends it again as a whole.
func verifyAdyen(hexKey []byte, items []adyenItem) error {
	key, err := hex.DecodeString(strings.TrimSpace(string(hexKey)))
	if err != nil {
		return fmt.Errorf("%w: the Adyen HMAC key is not hex", errKeyUnusable)
	}
	for _, it := range items {
		got, err := base64.StdEncoding.DecodeString(it.AdditionalData.HMACSignature)
		if err != nil || it.AdditionalData.HMACSignature == "" || !hmac.Equal(got, hmacSHA256(key, []byte(adyenSigningString(it)))) {
			return errBadSignature
		}
	}
	return nil
}
