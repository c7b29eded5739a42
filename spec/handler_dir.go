package spec

import "strings"

// IsPackageDir says whether a lambda.function's handler names a Go main package by its
// directory relative to the spec file (./lambdas/fn, ../shared/fn) rather than one of the
// provisioner's own Handlers. The provisioner builds it the same reproducible way; the
// directory must be inside a Go module.
func IsPackageDir(handler string) bool {
	return strings.HasPrefix(handler, "./") || strings.HasPrefix(handler, "../")
}
