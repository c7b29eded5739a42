package kinds

// Machinery the fakes share. Each kind's fake still implements only that kind's narrow SDK
// interface (one function field per call); what repeats across services lives here once: the
// record of calls, a call that fails when the test gave no function, the lookup of a resource
// the fake keeps by id with the service's not-found error, and the tag store of that resource.

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/provisioner-dev/provisioner/spec"
)

// specDefaults is the spec's defaults of kind (what a spec that sets nothing optional gets),
// as the kind's property type P.
func specDefaults[P spec.Properties](kind string) P {
	for _, ki := range spec.Kinds {
		if ki.Kind == kind {
			return ki.New().(P)
		}
	}
	panic(kind + " not in spec.Kinds")
}

// memPageSize is how many items a fake's listing answers a page: few, so that the kinds'
// tests exercise paging.
const memPageSize = 2

// memPage is the page of items that starts at token (the index as text; nil for the first
// page), and the next page's token (nil after the last).
func memPage[T any](items []T, token *string) ([]T, *string) {
	start := 0
	if token != nil {
		fmt.Sscan(aws.ToString(token), &start)
	}
	end := min(start+memPageSize, len(items))
	if end == len(items) {
		return items[start:end], nil
	}
	return items[start:end], aws.String(fmt.Sprint(end))
}

// fakeCalls records which fake operations ran, in order.
type fakeCalls []string

// fakeCallsMu guards add: a listing reads its items concurrently (awscall.Gather).
var fakeCallsMu sync.Mutex

func (c *fakeCalls) add(op string) {
	fakeCallsMu.Lock()
	defer fakeCallsMu.Unlock()
	*c = append(*c, op)
}

func (c fakeCalls) count(op string) int {
	n := 0
	for _, v := range c {
		if v == op {
			n++
		}
	}
	return n
}

// none asserts that none of ops ran.
func (c fakeCalls) none(t *testing.T, ops ...string) {
	t.Helper()
	for _, op := range ops {
		assert.False(t, slices.Contains(c, op), "%s must not be called; calls: %v", op, c)
	}
}

// fakeUnexpected is what a fake returns for an operation the test did not expect.
func fakeUnexpected(op string) error { return fmt.Errorf("unexpected call %s", op) }

// fakeCall records op and runs fn, failing the call when the test did not provide fn.
func fakeCall[I, O any](calls *fakeCalls, op string, fn func(I) (O, error), in I) (O, error) {
	calls.add(op)
	if fn == nil {
		var zero O
		return zero, fakeUnexpected(op)
	}
	return fn(in)
}

// memStore is a fake's resources by id. key turns the name a call carries (an ARN, a URL)
// into the map's key (nil: as it is); missing is the service's not-found error for a name.
type memStore[R any] struct {
	items   map[string]R
	key     func(string) string
	missing func(name string) error
}

func memStoreOf[R any](items map[string]R, key func(string) string, missing func(name string) error) memStore[R] {
	return memStore[R]{items: items, key: key, missing: missing}
}

func (s memStore[R]) keyOf(name *string) string {
	if s.key == nil {
		return aws.ToString(name)
	}
	return s.key(aws.ToString(name))
}

// get finds the resource a call names, or answers as the service does when there is none.
func (s memStore[R]) get(name *string) (R, error) {
	r, ok := s.items[s.keyOf(name)]
	if !ok {
		var zero R
		return zero, s.missing(aws.ToString(name))
	}
	return r, nil
}

// remove deletes the resource a call names, with get's answer when there is none.
func (s memStore[R]) remove(name *string) error {
	if _, err := s.get(name); err != nil {
		return err
	}
	delete(s.items, s.keyOf(name))
	return nil
}

// memMissing is a memStore's missing that answers the API error code whatever the name.
func memMissing(code string) func(string) error {
	return func(string) error { return miscAPIErr(code) }
}

// memTags is a fake's tag store: tagsOf finds the tag map of the resource a call names (and
// fails as the service would when there is none). Its methods build the service's three tag
// calls from how that service spells them.
type memTags func(id *string) (map[string]string, error)

// memListTags serves a list-tags call: out wraps a copy of the tags.
func memListTags[In, Out any](s memTags, id func(In) *string, out func(tags map[string]string) Out) func(In) (Out, error) {
	return func(in In) (Out, error) {
		tags, err := s(id(in))
		if err != nil {
			var zero Out
			return zero, err
		}
		cp := make(map[string]string, len(tags))
		for k, v := range tags {
			cp[k] = v
		}
		return out(cp), nil
	}
}

// memTag serves a tag call: set says which resource and which tags it sets.
func memTag[In, Out any](s memTags, set func(In) (*string, map[string]string), out Out) func(In) (Out, error) {
	return func(in In) (Out, error) {
		id, add := set(in)
		tags, err := s(id)
		if err != nil {
			var zero Out
			return zero, err
		}
		for k, v := range add {
			tags[k] = v
		}
		return out, nil
	}
}

// memUntag serves an untag call: keys says which resource and which keys it removes.
func memUntag[In, Out any](s memTags, keys func(In) (*string, []string), out Out) func(In) (Out, error) {
	return func(in In) (Out, error) {
		id, remove := keys(in)
		tags, err := s(id)
		if err != nil {
			var zero Out
			return zero, err
		}
		for _, k := range remove {
			delete(tags, k)
		}
		return out, nil
	}
}

// memTagsOf is the tag store of the resources get finds, whose tags tagsOf returns.
func memTagsOf[R any](get func(id *string) (R, error), tagsOf func(R) map[string]string) memTags {
	return func(id *string) (map[string]string, error) {
		r, err := get(id)
		if err != nil {
			return nil, err
		}
		return tagsOf(r), nil
	}
}
