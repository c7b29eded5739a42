package reconcile

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// CallStats is the account of a run's AWS calls (--stats): a call is one SDK operation, however
// many HTTP attempts the SDK's retryer made for it; a retry is each attempt after the first; a
// throttle is an attempt AWS answered with a throttling error code.
type CallStats struct {
	Calls      int              `json:"calls"`
	Reads      int              `json:"reads"`
	Writes     int              `json:"writes"`
	Retries    int              `json:"retries"`
	Throttles  int              `json:"throttles"`
	Operations []OperationStats `json:"operations"`       // by service, then operation
	Phases     []PhaseStats     `json:"phases,omitempty"` // in the order the run entered them
}

// OperationStats counts one operation of one service.
type OperationStats struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Read      bool   `json:"read"`
	Calls     int    `json:"calls"`
	Retries   int    `json:"retries"`
	Throttles int    `json:"throttles"`
}

// PhaseStats counts the calls made during one phase of a command (plan, apply, verify).
type PhaseStats struct {
	Name   string `json:"name"`
	Calls  int    `json:"calls"`
	Reads  int    `json:"reads"`
	Writes int    `json:"writes"`
}

// CallCounter counts the calls of every client built from the configs it is attached to. It is
// safe for concurrent use.
type CallCounter struct {
	mu     sync.Mutex
	ops    map[[2]string]*OperationStats
	phases []PhaseStats
}

// NewCallCounter returns an empty counter.
func NewCallCounter() *CallCounter { return &CallCounter{ops: map[[2]string]*OperationStats{}} }

// throttles recognises throttling answers the way the SDK's standard retryer does.
var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

// Attach adds the counting middleware to cfg. It sits at the end of the Initialize step, so it
// sees one operation once, after ReadOnly (a refused call never reaches the network and is not
// counted), and reads the retryer's attempt results from the metadata on the way back.
func (c *CallCounter) Attach(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("provisionerCallStats",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				c.record(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), md)
				return out, md, err
			}), middleware.After)
	})
}

func (c *CallCounter) record(service, op string, md middleware.Metadata) {
	retries, throttled := 0, 0
	if ar, ok := retry.GetAttemptResults(md); ok {
		retries = max(len(ar.Results)-1, 0)
		for _, a := range ar.Results {
			if a.Err != nil && throttles.IsErrorThrottle(a.Err) == aws.TrueTernary {
				throttled++
			}
		}
	}
	read := IsReadOnlyOperation(op)
	c.mu.Lock()
	defer c.mu.Unlock()
	key := [2]string{service, op}
	s, ok := c.ops[key]
	if !ok {
		s = &OperationStats{Service: service, Operation: op, Read: read}
		c.ops[key] = s
	}
	s.Calls++
	s.Retries += retries
	s.Throttles += throttled
	if len(c.phases) > 0 {
		p := &c.phases[len(c.phases)-1]
		p.Calls++
		if read {
			p.Reads++
		} else {
			p.Writes++
		}
	}
}

// Phase starts a named phase: calls from now on are counted in it too.
func (c *CallCounter) Phase(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.phases = append(c.phases, PhaseStats{Name: name})
}

// Stats returns what was counted so far.
func (c *CallCounter) Stats() CallStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := CallStats{Operations: make([]OperationStats, 0, len(c.ops)), Phases: slices.Clone(c.phases)}
	for _, o := range c.ops {
		st.Operations = append(st.Operations, *o)
		st.Calls += o.Calls
		st.Retries += o.Retries
		st.Throttles += o.Throttles
		if o.Read {
			st.Reads += o.Calls
		} else {
			st.Writes += o.Calls
		}
	}
	slices.SortFunc(st.Operations, func(a, b OperationStats) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Operation, b.Operation))
	})
	return st
}
