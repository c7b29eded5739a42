package reconcile

import (
	"context"
	"sync"

	"github.com/provisioner-dev/provisioner/state"
)

type unreadableKey struct{}

// unreadables collects what one discovery could not read.
type unreadables struct {
	mu   sync.Mutex
	list []state.Unreadable
}

// Unreadable tells discovery that a listed candidate could not be read (AccessDenied on its
// tags or describe) and was skipped: in a shared account a role limited to our names cannot
// read what is not ours, and that must not fail the run. Discover counts them in the
// inventory; outside a discovery it does nothing.
func Unreadable(ctx context.Context, kind, name string, err error) {
	if u, ok := ctx.Value(unreadableKey{}).(*unreadables); ok {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.list = append(u.list, state.Unreadable{Kind: kind, Name: name, Reason: err.Error()})
	}
}

func withUnreadables(ctx context.Context) (context.Context, *unreadables) {
	u := &unreadables{}
	return context.WithValue(ctx, unreadableKey{}, u), u
}
