package reconcile

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// fakeKind is an in-memory kind over log groups: retention changes in place, the KMS key
// forces a replacement. It records every mutating call.
type fakeKind struct {
	kind string
	mu   sync.Mutex
	live map[string]state.Resource // by id: a create-first replacement has two at once
	fail map[string]error          // logical name → error from Create/Update
	log  *[]string                 // shared across kinds, to check global order
	seq  int
	seen map[string]Changes // logical name → the changes its last Update was given
	// raiseOnly makes retention a raise-only setting, as DynamoDB warm throughput is.
	raiseOnly bool
	// kmsInPlace makes the KMS key an in-place change, so that a field can reference another
	// resource without being replaced with it.
	kmsInPlace bool
	// arnByID gives every resource its own ARN (a new one after a replacement), as AWS does
	// for most kinds.
	arnByID bool
}

func newFakeKind(kind string, log *[]string) *fakeKind {
	return &fakeKind{kind: kind, live: map[string]state.Resource{}, fail: map[string]error{}, log: log, seen: map[string]Changes{}}
}

func (f *fakeKind) Kind() string { return f.kind }

// fakeLogMu guards the log the kinds share: each kind's mu guards only its own state.
var fakeLogMu sync.Mutex

func (f *fakeKind) record(op, logical string) {
	fakeLogMu.Lock()
	defer fakeLogMu.Unlock()
	*f.log = append(*f.log, op+" "+f.kind+"/"+logical)
}

func (f *fakeKind) List(_ context.Context, sel state.Selector) ([]state.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []state.Resource
	for _, r := range f.live {
		if sel.Matches(r.Tags) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner.ID < out[j].Owner.ID })
	return out, nil
}

func (f *fakeKind) Create(_ context.Context, d Desired) (state.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("create", d.Owner.ID)
	if err := f.fail[d.Owner.ID]; err != nil {
		return state.Resource{}, err
	}
	f.seq++
	r := state.Resource{Kind: f.kind, Owner: d.Owner, ID: fmt.Sprintf("%s-%d", d.Name, f.seq), Name: d.Name,
		Tags: d.Tags, Props: d.Props, Attrs: map[string]string{"arn": "arn:fake:" + d.Name, "name": d.Name}}
	if f.arnByID {
		r.Attrs["arn"] = "arn:fake:" + r.ID
	}
	f.live[r.ID] = r
	return r, nil
}

func (f *fakeKind) Update(_ context.Context, d Desired, live state.Resource, changes Changes) (state.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("update", d.Owner.ID)
	f.seen[d.Owner.ID] = changes
	if err := f.fail[d.Owner.ID]; err != nil {
		return state.Resource{}, err
	}
	// An update changes an attribute, as a DynamoDB stream change changes the stream ARN.
	live.Props, live.Tags = d.Props, d.Tags
	live.Attrs = map[string]string{"arn": "arn:fake:" + d.Name + ":updated", "name": d.Name}
	f.live[live.ID] = live
	return live, nil
}

func (f *fakeKind) Delete(_ context.Context, live state.Resource) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("delete", live.Owner.ID)
	delete(f.live, live.ID)
	return nil
}

func (f *fakeKind) Diff(d Desired, live state.Resource) ([]FieldDiff, error) {
	want, got := d.Props.(*spec.LogGroup), live.Props.(*spec.LogGroup)
	var diffs Diffs
	if f.raiseOnly && want.RetentionDays < got.RetentionDays {
		diffs.Impossible("retention_days", got.RetentionDays, want.RetentionDays, "can be raised, never lowered")
	} else {
		diffs.Field("retention_days", got.RetentionDays, want.RetentionDays)
	}
	if f.kmsInPlace {
		diffs.Field("kms_key_id", got.KMSKeyID, want.KMSKeyID)
	} else {
		diffs.ForceNew("kms_key_id", got.KMSKeyID, want.KMSKeyID)
	}
	return diffs, nil
}

// byLogical returns the live resource of one logical name in stack app, suffix dev.
func (f *fakeKind) byLogical(logical string) state.Resource {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.live {
		if r.Owner == (state.Owner{Stack: "app", Suffix: "dev", ID: logical}) {
			return r
		}
	}
	return state.Resource{}
}
