package spec

import (
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// accountProbe stands in for ${account} when a name is checked: account ids are 12 digits.
const accountProbe = "123456789012"

// DefaultName is the physical-name template of a resource that sets no name:
// ${stack}-<logical>-${suffix}, with ${account} before the suffix for S3 buckets, whose
// names are global across accounts.
func DefaultName(kind, logical string) string {
	if kind == "s3.bucket" {
		return "${stack}-" + logical + "-${account}-${suffix}"
	}
	return "${stack}-" + logical + "-${suffix}"
}

// name sets the resource's physical name from its template and checks it against the
// service's rule once the suffix is expanded.
func (l *loader) name(r *loaded, common map[string]pair) {
	l.dec.reset(r.Logical, r.Kind, r.fields)
	p, explicit := common["name"]
	if !explicit {
		r.Name = l.dec.expand(DefaultName(r.Kind, r.Logical), r.Pos, "name")
		l.checkName(r, false, r.Pos)
		return
	}
	n := l.dec.follow(p.val)
	var name string
	if n == nil || !l.dec.decode(n, reflect.ValueOf(&name).Elem(), "name", l.dec.pos(p.keyNode)) {
		return
	}
	r.Name = name
	if l.nameTemplateOK(r, n.Value, r.fields["name"]) {
		l.checkName(r, true, r.fields["name"])
	}
}

// nameTemplateOK checks what a name template may refer to: names are known before anything
// is created, so no resource attributes; and ${suffix} must be there, or two environments of
// one stack would fight over one resource.
func (l *loader) nameTemplateOK(r *loaded, tmpl string, at Pos) bool {
	ok := true
	for _, u := range l.dec.refs {
		if u.ref.Resource != "" {
			l.probs.add(at, "%s.name: a name may use ${stack}, ${suffix}, ${region} and ${account} only, found %s", r.Logical, u.ref)
			ok = false
		}
	}
	if ok && !slices.Contains(Refs(tmpl), Ref{Attribute: BuiltinSuffix}) {
		l.probs.add(at, "%s.name: expected a name containing ${suffix}, so that environments of the stack do not collide, found %q", r.Logical, tmpl)
		ok = false
	}
	return ok
}

// checkName applies the kind's NameRule to the expanded name, ${account} counted as 12 digits.
func (l *loader) checkName(r *loaded, explicit bool, at Pos) {
	if !l.headerOK || !r.known {
		return
	}
	probe := strings.ReplaceAll(r.Name, "${"+BuiltinAccount+"}", accountProbe)
	msg := nameProblem(r.info.Name, probe)
	if msg == "" {
		msg = nameExtraProblem(r.Kind, probe)
	}
	if msg == "" {
		return
	}
	if strings.Contains(r.Name, "${"+BuiltinAccount+"}") {
		msg += " (counting ${account} as 12 digits)"
	}
	if explicit {
		l.probs.add(at, "%s.name: %q is not a valid %s name: %s", r.Logical, r.Name, r.Kind, msg)
		return
	}
	l.probs.add(at, "%s: the default name %q is not a valid %s name: %s; set name to choose another", r.Logical, r.Name, r.Kind, msg)
}

var nameRegexps sync.Map // pattern -> *regexp.Regexp; Load may run concurrently

// nameProblem checks name against rule and says what is wrong, or returns "".
func nameProblem(rule NameRule, name string) string {
	v, ok := nameRegexps.Load(rule.Pattern)
	if !ok {
		v, _ = nameRegexps.LoadOrStore(rule.Pattern, regexp.MustCompile(rule.Pattern))
	}
	re := v.(*regexp.Regexp)
	switch n := len(name); {
	case n < rule.Min || n > rule.Max:
		return "expected " + rule.Hint + ", found " + strconv.Itoa(n) + " characters"
	case !re.MatchString(name):
		return "expected " + rule.Hint
	}
	return ""
}

// nameExtraProblem holds the rules a single pattern cannot say.
func nameExtraProblem(kind, name string) string {
	switch kind {
	case "s3.bucket":
		return bucketNameProblem(name)
	case "ec2.security_group":
		if strings.HasPrefix(strings.ToLower(name), "sg-") {
			return "security group names cannot start with sg-"
		}
	}
	return ""
}

func bucketNameProblem(name string) string {
	if _, err := netip.ParseAddr(name); err == nil {
		return "bucket names cannot look like an IP address"
	}
	for _, bad := range []string{"..", ".-", "-."} {
		if strings.Contains(name, bad) {
			return "bucket names cannot contain " + strconv.Quote(bad)
		}
	}
	for _, prefix := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, prefix) {
			return "bucket names cannot start with " + prefix
		}
	}
	for _, suffix := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suffix) {
			return "bucket names cannot end with " + suffix
		}
	}
	return ""
}

// uniqueNames reports two resources of one kind with the same physical name. Lambda
// permission statement ids are per function, so they may repeat.
func (l *loader) uniqueNames() {
	first := map[[2]string]*loaded{}
	for _, r := range l.res {
		if !r.known || r.Kind == "lambda.permission" {
			continue
		}
		key := [2]string{r.Kind, r.Name}
		if prev, dup := first[key]; dup {
			l.probs.add(r.nameAt(), "%s: physical name %q is already the name of %s %q (line %d)", r.Logical, r.Name, r.Kind, prev.Logical, prev.Pos.Line)
			continue
		}
		first[key] = r
	}
}

// nameAt is where the resource's name is written, or the resource itself for a default name.
func (r *loaded) nameAt() Pos {
	if p, ok := r.fields["name"]; ok {
		return p
	}
	return r.Pos
}
