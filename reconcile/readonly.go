package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// readPrefixes are the operation-name prefixes AWS uses for calls that change nothing.
var readPrefixes = []string{"Describe", "List", "Get", "Head", "Lookup", "Search", "BatchGet", "Query", "Scan"}

// IsReadOnlyOperation reports whether an AWS operation only reads, by AWS's naming convention.
func IsReadOnlyOperation(op string) bool {
	for _, p := range readPrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// ErrMutationRefused is returned, before anything is sent, for a mutating call made through a
// read-only config.
type ErrMutationRefused struct{ Service, Operation string }

func (e *ErrMutationRefused) Error() string {
	return fmt.Sprintf("%s %s refused: this run is read-only", e.Service, e.Operation)
}

// ReadOnly makes every client built from cfg refuse mutating operations before they reach the
// network. Drift checks run under it, so that no code path can change the account.
func ReadOnly(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("provisionerReadOnly",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := awsmiddleware.GetOperationName(ctx)
				if !IsReadOnlyOperation(op) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &ErrMutationRefused{Service: awsmiddleware.GetServiceID(ctx), Operation: op}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}
