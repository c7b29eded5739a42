package kinds

// IAM policy documents for the iam.role kind: rendering the trust policy and inline policies
// from the spec, and reading them back into the spec's language.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
)

const iamPolicyVersion = "2012-10-17"

// iamStrings is a policy element that AWS accepts and returns as either a string or a list.
type iamStrings []string

func (s *iamStrings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = iamStrings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// iamRawStatements is a document's Statement: one object or a list of them.
type iamRawStatements []map[string]json.RawMessage

func (s *iamRawStatements) UnmarshalJSON(b []byte) error {
	var one map[string]json.RawMessage
	if err := json.Unmarshal(b, &one); err == nil {
		*s = iamRawStatements{one}
		return nil
	}
	var many []map[string]json.RawMessage
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// iamDecodeDocument parses a policy document as IAM returns it: URL-encoded JSON (RFC 3986,
// so a literal + arrives as %2B). A document that already is JSON is taken as is, since a
// literal + in raw JSON must not turn into a space.
func iamDecodeDocument(doc string) (iamRawStatements, error) {
	text := strings.TrimSpace(doc)
	if !strings.HasPrefix(text, "{") {
		dec, err := url.QueryUnescape(text)
		if err != nil {
			return nil, fmt.Errorf("url-decode policy document: %w", err)
		}
		text = dec
	}
	var d struct {
		Statement iamRawStatements `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return nil, fmt.Errorf("parse policy document: %w", err)
	}
	return d.Statement, nil
}

// ---- trust policy ----

// iamTrustDocument renders assumed_by as one statement letting those service principals
// assume the role.
func iamTrustDocument(services []string) string {
	doc := map[string]any{
		"Version": iamPolicyVersion,
		"Statement": []map[string]any{{
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": reconcile.SortedSet(services)},
			"Action":    "sts:AssumeRole",
		}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// iamAssumedBy reads a trust policy back into assumed_by. A statement of another shape (other
// principals, conditions, a Deny) cannot be said in the spec's language; it is kept as its
// compact JSON, so that the diff shows it and an update replaces the document.
func iamAssumedBy(doc string) ([]string, error) {
	stmts, err := iamDecodeDocument(doc)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range stmts {
		if services, ok := iamServiceTrust(st); ok {
			out = append(out, services...)
			continue
		}
		out = append(out, iamCompact(st))
	}
	return reconcile.SortedSet(out), nil
}

// iamServiceTrust returns the services of a statement exactly of the shape iamTrustDocument
// writes (a Sid is tolerated).
func iamServiceTrust(st map[string]json.RawMessage) ([]string, bool) {
	for k := range st {
		if k != "Effect" && k != "Principal" && k != "Action" && k != "Sid" {
			return nil, false
		}
	}
	var effect string
	var action iamStrings
	var principal map[string]iamStrings
	if json.Unmarshal(st["Effect"], &effect) != nil || effect != "Allow" ||
		json.Unmarshal(st["Action"], &action) != nil || len(action) != 1 || action[0] != "sts:AssumeRole" ||
		json.Unmarshal(st["Principal"], &principal) != nil || len(principal) != 1 || len(principal["Service"]) == 0 {
		return nil, false
	}
	return principal["Service"], true
}

func iamCompact(st map[string]json.RawMessage) string {
	b, _ := json.Marshal(st) // map keys come out sorted: a stable rendering
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// ---- inline policies ----

// iamStatementJSON is one statement as this kind writes it.
type iamStatementJSON struct {
	Sid       string                         `json:"Sid,omitempty"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// iamPolicyDocument renders an inline policy's statements (Effect defaults to Allow).
func iamPolicyDocument(stmts []spec.Statement) string {
	out := make([]iamStatementJSON, len(stmts))
	for i, s := range stmts {
		out[i] = iamStatementJSON{Sid: s.Sid, Effect: iamEffect(s.Effect), Action: s.Actions, Resource: s.Resources, Condition: s.Condition}
	}
	b, _ := json.Marshal(map[string]any{"Version": iamPolicyVersion, "Statement": out})
	return string(b)
}

func iamEffect(e string) string {
	if e == "" {
		return "Allow"
	}
	return e
}

// iamStatements reads an inline policy document back into statements. Action, Resource and
// condition values come back as a string or a list. Keys the spec cannot say (NotAction,
// NotResource, Principal, …) are kept visible by naming them in the Sid, so that the diff shows
// the document differs and an update rewrites it.
func iamStatements(doc string) ([]spec.Statement, error) {
	raw, err := iamDecodeDocument(doc)
	if err != nil {
		return nil, err
	}
	out := make([]spec.Statement, 0, len(raw))
	for _, st := range raw {
		s, err := iamStatement(st)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func iamStatement(st map[string]json.RawMessage) (spec.Statement, error) {
	var s spec.Statement
	var actions, resources iamStrings
	var cond map[string]map[string]iamStrings
	var unknown []string
	for k, v := range st {
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &s.Sid)
		case "Effect":
			err = json.Unmarshal(v, &s.Effect)
		case "Action":
			err = json.Unmarshal(v, &actions)
		case "Resource":
			err = json.Unmarshal(v, &resources)
		case "Condition":
			err = json.Unmarshal(v, &cond)
		default:
			unknown = append(unknown, k)
		}
		if err != nil {
			return spec.Statement{}, fmt.Errorf("parse statement %s: %w", k, err)
		}
	}
	s.Actions, s.Resources = actions, resources
	if len(cond) > 0 {
		s.Condition = map[string]map[string][]string{}
		for op, kv := range cond {
			s.Condition[op] = map[string][]string{}
			for key, vals := range kv {
				s.Condition[op][key] = vals
			}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		s.Sid = strings.TrimSpace(s.Sid + " (unmodelled: " + strings.Join(unknown, ",") + ")")
	}
	return s, nil
}

// iamNormPolicies is the comparable form of inline policies: by name, each statement with
// its default Effect and its set-like lists sorted.
func iamNormPolicies(ps []spec.InlinePolicy) map[string][]spec.Statement {
	out := make(map[string][]spec.Statement, len(ps))
	for _, p := range ps {
		out[p.Name] = iamNormStatements(p.Statements)
	}
	return out
}

func iamNormStatements(stmts []spec.Statement) []spec.Statement {
	out := make([]spec.Statement, len(stmts))
	for i, s := range stmts {
		n := spec.Statement{Sid: s.Sid, Effect: iamEffect(s.Effect), Actions: reconcile.SortedSet(s.Actions), Resources: reconcile.SortedSet(s.Resources)}
		if len(s.Condition) > 0 {
			n.Condition = map[string]map[string][]string{}
			for op, kv := range s.Condition {
				n.Condition[op] = map[string][]string{}
				for key, vals := range kv {
					n.Condition[op][key] = reconcile.SortedSet(vals)
				}
			}
		}
		out[i] = n
	}
	return out
}
