package spec

import "testing"

func TestIsPackageDir(t *testing.T) {
	tests := map[string]bool{
		"receiver": false, "./lambdas/fn": true, "../shared/fn": true, "./": true,
		"lambdas/fn": false, "/abs/fn": false, "": false,
	}
	for in, want := range tests {
		if got := IsPackageDir(in); got != want {
			t.Errorf("IsPackageDir(%q) = %v, want %v", in, got, want)
		}
	}
}
