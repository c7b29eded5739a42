// Package faults makes an AWS emulator behave the way AWS does under load, for tests: an
// http.RoundTripper for the SDK clients that throttles in each protocol's own error shape,
// loses answers after the request reached the service, and answers "not found" to the first
// reads of something just created. Every fault is drawn from a seeded generator at a
// configurable rate, and counted.
//
// Install it on an aws.Config (Install) before the clients are made. It reads the service and
// operation from the request's context, where the SDK puts them, so it needs no parsing of
// the wire to know what a call is.
//
// With several goroutines calling at once the order in which they draw from the generator
// varies, so a seed fixes the rates and the mix, not which call gets which fault.
package faults

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
)

// Options say which faults to inject and how often.
type Options struct {
	Throttle float64 // share of calls answered with the service's throttling error, never forwarded
	Drop     float64 // share of calls forwarded whose answer is then lost
	// DropTimeout makes a lost answer look like a read timeout; by default it is a
	// connection reset.
	DropTimeout bool
	// NotFound is how many reads of a resource just created are answered "not found", as
	// eventually consistent services do (DescribeTable after CreateTable, GetFunction after
	// CreateFunction, …); see notFoundRules for the calls covered.
	NotFound int
	// StaleIndex makes the Resource Groups Tagging API answer every GetResources request with
	// the answer it first gave to that request, as an index lagging behind every tag change
	// since (see stale.go).
	StaleIndex bool
	Seed       uint64
	// Match limits the faults to some calls (nil: every call).
	Match func(Call) bool
	// OnFault, when set, hears of each fault as it is injected ("throttle", "drop",
	// "notfound").
	OnFault func(fault string, c Call)
}

// Call is one AWS operation, as the SDK names it.
type Call struct{ Service, Operation string }

func (c Call) String() string { return c.Service + ":" + c.Operation }

// Parse reads options written as "throttle=0.2,drop=0.05,notfound=2,seed=1" (also
// drop_timeout=true), the form of PROVISIONER_FAULTS.
func Parse(s string) (Options, error) {
	var o Options
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "throttle":
			o.Throttle, err = rate(v)
		case "drop":
			o.Drop, err = rate(v)
		case "drop_timeout":
			o.DropTimeout, err = strconv.ParseBool(v)
		case "notfound":
			o.NotFound, err = strconv.Atoi(v)
		case "stale_index":
			o.StaleIndex, err = strconv.ParseBool(v)
		case "seed":
			o.Seed, err = strconv.ParseUint(v, 10, 64)
		default:
			err = fmt.Errorf("unknown fault (want throttle, drop, drop_timeout, notfound, stale_index or seed)")
		}
		if err != nil {
			return Options{}, fmt.Errorf("faults %q: %w", kv, err)
		}
	}
	return o, nil
}

func rate(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && (f < 0 || f > 1) {
		err = fmt.Errorf("a rate is from 0 to 1, found %v", f)
	}
	return f, err
}

// Counts is what a Transport did.
type Counts struct {
	Calls     int `json:"calls"`
	Throttled int `json:"throttled"`
	Dropped   int `json:"dropped"`
	NotFound  int `json:"not_found"`
	Stale     int `json:"stale,omitempty"` // GetResources answered from the stale index
}

func (c Counts) String() string {
	s := fmt.Sprintf("%d calls: %d throttled, %d answers dropped, %d answered not found", c.Calls, c.Throttled, c.Dropped, c.NotFound)
	if c.Stale > 0 {
		s += fmt.Sprintf(", %d answered from a stale tag index", c.Stale)
	}
	return s
}

// Transport injects the faults into the calls it carries to Base.
type Transport struct {
	Base http.RoundTripper
	o    Options

	mu      sync.Mutex
	rng     *rand.Rand
	total   Counts
	byCall  map[Call]Counts
	pending map[string]int         // "service\x00id" of a fresh resource → reads still to answer not found
	index   map[string]staleAnswer // GetResources request body → its first answer (StaleIndex)
}

// New returns a Transport over base (nil: a clone of http.DefaultTransport).
func New(base http.RoundTripper, o Options) *Transport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &Transport{Base: base, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		byCall: map[Call]Counts{}, pending: map[string]int{}, index: map[string]staleAnswer{}}
}

// Install makes every client built from cfg go through t.
func (t *Transport) Install(cfg *aws.Config) { cfg.HTTPClient = &http.Client{Transport: t} }

// Counts returns the totals so far.
func (t *Transport) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// ByCall returns the counts per operation, keyed "Service:Operation", for the calls that
// met a fault.
func (t *Transport) ByCall() map[string]Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]Counts{}
	for c, n := range t.byCall {
		if n.Throttled+n.Dropped+n.NotFound+n.Stale > 0 {
			out[c.String()] = n
		}
	}
	return out
}

// Report lists ByCall one line each, sorted, for logs.
func (t *Transport) Report() string {
	var lines []string
	for c, n := range t.ByCall() {
		lines = append(lines, fmt.Sprintf("%s: %d throttled, %d dropped, %d not found", c, n.Throttled, n.Dropped, n.NotFound))
	}
	sort.Strings(lines)
	return t.Counts().String() + "\n" + strings.Join(lines, "\n")
}

func (t *Transport) injected(fault string, c Call, f func(*Counts)) {
	t.count(c, f)
	if t.o.OnFault != nil {
		t.o.OnFault(fault, c)
	}
}

func (t *Transport) count(c Call, f func(*Counts)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.byCall[c]
	f(&n)
	f(&t.total)
	t.byCall[c] = n
}

// roll draws whether a fault of rate p happens.
func (t *Transport) roll(p float64) bool {
	if p <= 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rng.Float64() < p
}

// RoundTrip carries one call, with a fault or without.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := Call{awsmiddleware.GetServiceID(req.Context()), awsmiddleware.GetOperationName(req.Context())}
	t.count(c, func(n *Counts) { n.Calls++ })
	if t.o.Match != nil && !t.o.Match(c) {
		return t.Base.RoundTrip(req)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	if resp := t.staleIndex(c, req, body); resp != nil {
		t.injected("stale", c, func(n *Counts) { n.Stale++ })
		return resp, nil
	}
	if resp := t.notFound(c, req, body); resp != nil {
		t.injected("notfound", c, func(n *Counts) { n.NotFound++ })
		return resp, nil
	}
	if shape, ok := shapeOf(c.Service, req); ok && t.roll(t.o.Throttle) {
		t.injected("throttle", c, func(n *Counts) { n.Throttled++ })
		return shape.throttle(req), nil
	}
	resp, err := t.Base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp, err = t.noteCreate(c, req, body, resp); err != nil {
		return nil, err
	}
	if resp, err = t.noteIndex(c, body, resp); err != nil {
		return nil, err
	}
	if t.roll(t.o.Drop) {
		t.injected("drop", c, func(n *Counts) { n.Dropped++ })
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, t.lostAnswer()
	}
	return resp, nil
}

// lostAnswer is the error a client sees when the service's answer never arrives.
func (t *Transport) lostAnswer() error {
	if t.o.DropTimeout {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

// readBody reads the request body and puts it back, so it can be looked at and still sent.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("faults: read request body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}
