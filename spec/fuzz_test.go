package spec

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load. A spec either loads into a stack that keeps the
// package's promises, or fails with *Errors whose every entry has a position and a message;
// nothing panics or hangs.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.yaml"))
	seeds = append(seeds, webhookExample)
	for _, path := range seeds {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("stack: a\nsuffix: b\nresources:\n  q: {kind: sqs.queue, redrive: {dead_letter_queue_arn: \"${r.arn}\", max_receive_count: 2}}\n  r: {kind: sqs.queue}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "spec.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Load(path, Options{})
		if err != nil {
			checkFuzzErrors(t, err)
			return
		}
		checkFuzzStack(t, st)
	})
}

func checkFuzzErrors(t *testing.T, err error) {
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want *Errors, got %T: %v", err, err)
	}
	if len(*errs) == 0 {
		t.Fatal("empty *Errors")
	}
	for _, e := range *errs {
		if e.Msg == "" || e.Pos.File == "" {
			t.Fatalf("error without message or file: %#v", e)
		}
	}
}

// checkFuzzStack checks what the engine relies on in a loaded stack.
func checkFuzzStack(t *testing.T, st *Stack) {
	order := st.Order()
	if len(order) != len(st.Resources) {
		t.Fatalf("Order returned %d of %d resources", len(order), len(st.Resources))
	}
	done := map[string]bool{}
	for _, r := range order {
		if _, ok := Info(r.Kind); !ok || r.Props == nil || r.Props.Kind() != r.Kind || r.Name == "" {
			t.Fatalf("resource %q is incomplete: kind %q, props %T, name %q", r.Logical, r.Kind, r.Props, r.Name)
		}
		if !slices.IsSorted(r.DependsOn) {
			t.Fatalf("%s: DependsOn not sorted: %v", r.Logical, r.DependsOn)
		}
		for _, dep := range r.DependsOn {
			if !done[dep] {
				t.Fatalf("%s comes before its dependency %s", r.Logical, dep)
			}
		}
		done[r.Logical] = true
		if _, err := Resolve(r.Props, func(Ref) (string, bool) { return "v", true }); err != nil {
			t.Fatalf("%s: a loaded resource does not resolve: %v", r.Logical, err)
		}
	}
}
