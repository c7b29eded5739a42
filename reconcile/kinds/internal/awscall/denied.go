package awscall

import (
	"context"
	"errors"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// DeniedCodes are the services' answers to a caller without permission.
var DeniedCodes = []string{AccessDenied, AccessDeniedException, UnauthorizedOperation, "AuthorizationError"}

// Denied reports whether err is AWS refusing the caller permission.
func Denied(err error) bool { return Is(err, DeniedCodes...) }

// Skippable decides what discovery does with an error reading one listed candidate: not
// found (deleted since the listing) and AccessDenied (not ours, in an account where our role
// may read only our names; counted through reconcile.Unreadable) skip it. Any other error is
// the caller's.
func Skippable(ctx context.Context, kind, name string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, reconcile.ErrNotFound):
		return true
	case Denied(err):
		reconcile.Unreadable(ctx, kind, name, err)
		return true
	}
	return false
}
