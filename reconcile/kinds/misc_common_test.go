package kinds

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/provisioner-dev/provisioner/state"
)

// miscAPIErr is an AWS API error as the SDK returns it.
func miscAPIErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "fake " + code}
}

// miscCalls records which fake operations ran, in order.
type miscCalls []string

// miscCallsMu guards add: a listing reads its items concurrently (awscall.Gather).
var miscCallsMu sync.Mutex

func (c *miscCalls) add(op string) {
	miscCallsMu.Lock()
	defer miscCallsMu.Unlock()
	*c = append(*c, op)
}

func (c miscCalls) count(op string) int {
	n := 0
	for _, v := range c {
		if v == op {
			n++
		}
	}
	return n
}

// none asserts that none of ops ran.
func (c miscCalls) none(t *testing.T, ops ...string) {
	t.Helper()
	for _, op := range ops {
		assert.False(t, slices.Contains(c, op), "%s must not be called; calls: %v", op, c)
	}
}

// miscUnexpected is what a fake returns for an operation the test did not expect.
func miscUnexpected(op string) error { return fmt.Errorf("unexpected call %s", op) }

func miscOwner(id string) state.Owner { return state.Owner{Stack: "shop", Suffix: "dev", ID: id} }

// miscFakeCall records op and runs fn, failing the call when the test did not provide fn.
func miscFakeCall[I, O any](calls *miscCalls, op string, fn func(I) (O, error), in I) (O, error) {
	calls.add(op)
	if fn == nil {
		var zero O
		return zero, miscUnexpected(op)
	}
	return fn(in)
}
