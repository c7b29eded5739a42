package emutest

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Recorder counts the AWS operations made through a config, by "service:Operation". Tests use
// it to assert that a run made no mutating call.
type Recorder struct {
	mu    sync.Mutex
	calls []string
}

// Attach makes every client built from cfg report its operations to r.
func (r *Recorder) Attach(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("emutestRecorder",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				r.mu.Lock()
				r.calls = append(r.calls, awsmiddleware.GetServiceID(ctx)+":"+awsmiddleware.GetOperationName(ctx))
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

// Calls returns the operations recorded so far, in order.
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Mutating returns the recorded operations that can change something, sorted.
func (r *Recorder) Mutating() []string {
	var out []string
	for _, c := range r.Calls() {
		if !ReadOnly(c[strings.IndexByte(c, ':')+1:]) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

// ReadOnly reports whether an AWS operation name only reads, by the naming convention every
// AWS service follows.
func ReadOnly(op string) bool {
	for _, p := range []string{"Describe", "List", "Get", "Head", "Lookup", "Search", "BatchGet"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}
