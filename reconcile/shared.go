package reconcile

import (
	"context"
	"sync"
)

type sharedKey struct{}

// shared holds the reads of one discovery that more than one kind makes.
type shared struct {
	mu sync.Mutex
	m  map[string]*sharedRead
}

type sharedRead struct {
	once sync.Once
	v    any
	err  error
}

// Shared returns read's result, made once per key within one discovery: kinds that need the
// same read (lambda.function and lambda.permission both list the functions and read their
// tags) make its calls once, the later callers waiting for the first. Every discovery starts
// afresh, so the verifying pass after an apply reads again; outside a discovery read is simply
// called. The key names the read and every input that changes its answer.
func Shared[T any](ctx context.Context, key string, read func(context.Context) (T, error)) (T, error) {
	s, ok := ctx.Value(sharedKey{}).(*shared)
	if !ok {
		return read(ctx)
	}
	s.mu.Lock()
	r, ok := s.m[key]
	if !ok {
		r = &sharedRead{}
		s.m[key] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { r.v, r.err = read(ctx) })
	v, _ := r.v.(T)
	return v, r.err
}

func withShared(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedKey{}, &shared{m: map[string]*sharedRead{}})
}
