package views

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkGolden compares got with testdata/<name>.golden (rewritten with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./views -update")
	assert.Equal(t, string(want), string(got))
}

// textView is a view into a buffer; color forces colour on, as on a terminal.
func textView(color bool) (*View, *bytes.Buffer) {
	var b bytes.Buffer
	return &View{out: &b, color: color, log: zap.NewNop()}, &b
}

// goldenPlan has one change of every action.
func goldenPlan() *reconcile.Plan {
	return &reconcile.Plan{Stack: "webhook", Suffix: "dev", Region: "us-east-1", Changes: []reconcile.Change{
		{Action: reconcile.Create, Address: "dynamodb.table/events", Kind: "dynamodb.table", Logical: "events", Name: "webhook-events-dev", Reason: "not found"},
		{Action: reconcile.Update, Address: "s3.bucket/archive", Kind: "s3.bucket", Logical: "archive", Name: "webhook-archive-123456789012-dev", ID: "webhook-archive-123456789012-dev",
			Diffs: []reconcile.FieldDiff{{Path: "versioning", Live: false, Desired: true}, {Path: "tags.Owner", Live: nil, Desired: "payments"}}},
		{Action: reconcile.Replace, Address: "ec2.subnet/private-a", Kind: "ec2.subnet", Logical: "private-a", Name: "webhook-private-a-dev", ID: "subnet-1",
			Order: reconcile.CreateFirst, Reason: "created first, then the old one is deleted once what references it has moved",
			Diffs: []reconcile.FieldDiff{{Path: "cidr", Live: "10.0.1.0/24", Desired: "10.0.3.0/24", ForceNew: true}}},
		{Action: reconcile.NoOp, Address: "ec2.vpc/vpc", Kind: "ec2.vpc", Logical: "vpc", Name: "webhook-vpc-dev", ID: "vpc-1"},
		{Action: reconcile.Delete, Address: "sqs.queue/old", Kind: "sqs.queue", Logical: "old", Name: "webhook-old-dev", ID: "https://q/old", Reason: "not in the spec"},
	}}
}

// destroyPlan is what DestroyPlan makes of an environment spanning every stack.
func destroyPlan() *reconcile.Plan {
	return &reconcile.Plan{Suffix: "dev", Region: "us-east-1", Changes: []reconcile.Change{
		{Action: reconcile.Delete, Address: "lambda.function/receiver", Kind: "lambda.function", Logical: "receiver", Name: "webhook-receiver-dev", ID: "webhook-receiver-dev", Reason: "stack webhook"},
		{Action: reconcile.Delete, Address: "iam.role/receiver-role", Kind: "iam.role", Logical: "receiver-role", Name: "webhook-receiver-role-dev", ID: "webhook-receiver-role-dev", Reason: "stack webhook"},
		{Action: reconcile.Delete, Address: "ec2.vpc/vpc", Kind: "ec2.vpc", Logical: "vpc", Name: "netstore-vpc-dev", ID: "vpc-1", Reason: "stack netstore"},
	}}
}

// refusedPlan lowers a raise-only setting, which plan shows and apply refuses.
func refusedPlan() *reconcile.Plan {
	return &reconcile.Plan{Stack: "webhook", Suffix: "dev", Region: "us-east-1", Changes: []reconcile.Change{
		{Action: reconcile.Update, Address: "dynamodb.table/events", Kind: "dynamodb.table", Logical: "events", Name: "webhook-events-dev", ID: "webhook-events-dev",
			Diffs: []reconcile.FieldDiff{{Path: "warm_throughput.write_units_per_second", Live: 70000, Desired: 60000,
				Impossible: "warm throughput can be raised, never lowered: the table already takes 70000; set at least that"}}},
	}}
}

func TestPlanGolden(t *testing.T) {
	empty := &reconcile.Plan{Stack: "webhook", Suffix: "dev", Region: "us-east-1", Changes: []reconcile.Change{{Action: reconcile.NoOp, Address: "ec2.vpc/vpc"}}}
	destroyText := func(v *View) Plan { return &planText{v: v, m: destroyMode} }
	tests := []struct {
		file  string
		plan  *reconcile.Plan
		color bool
		view  func(*View) Plan
	}{
		{"plan.txt", goldenPlan(), false, func(v *View) Plan { return NewPlan(Text, v) }},
		{"plan-color.txt", goldenPlan(), true, func(v *View) Plan { return NewPlan(Text, v) }},
		{"drift.txt", goldenPlan(), false, func(v *View) Plan { return NewDrift(Text, v) }},
		{"drift-color.txt", goldenPlan(), true, func(v *View) Plan { return NewDrift(Text, v) }},
		{"nochange.txt", empty, false, func(v *View) Plan { return NewPlan(Text, v) }},
		{"refused.txt", refusedPlan(), false, func(v *View) Plan { return NewPlan(Text, v) }},
		{"refused-drift.txt", refusedPlan(), false, func(v *View) Plan { return NewDrift(Text, v) }},
		{"refused.json", refusedPlan(), false, func(v *View) Plan { return NewPlan(JSON, v) }},
		{"nodrift.txt", empty, false, func(v *View) Plan { return NewDrift(Text, v) }},
		{"destroy.txt", destroyPlan(), false, destroyText},
		{"plan.json", goldenPlan(), false, func(v *View) Plan { return NewPlan(JSON, v) }},
		{"drift.json", goldenPlan(), false, func(v *View) Plan { return NewDrift(JSON, v) }},
		{"destroy.json", destroyPlan(), false, func(v *View) Plan { return &planJSON{v: v, m: destroyMode} }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			v, b := textView(tt.color)
			require.NoError(t, tt.view(v).Plan(tt.plan))
			checkGolden(t, tt.file, b.Bytes())
		})
	}
}

// playResult replays the observer events that led to res, as the executor sends them: every
// change that ran starts, one still running reports every 10 s, then each finishes.
func playResult(o reconcile.Observer, res *reconcile.Result) {
	ran := slices.DeleteFunc(slices.Clone(res.Results), func(cr reconcile.ChangeResult) bool {
		return cr.Skipped || cr.Change.Action == reconcile.NoOp
	})
	for _, cr := range ran {
		o.Started(cr.Change)
	}
	for _, cr := range ran {
		for at := 10 * time.Second; at <= cr.Elapsed; at += 10 * time.Second {
			o.Progress(cr.Change, at+300*time.Millisecond)
			if n, ok := o.(reconcile.Noter); ok && at == 10*time.Second {
				n.Note(cr.Change, "DependencyViolation: waiting for 2 network interfaces [10s elapsed]")
			}
		}
		o.Finished(cr.Change, cr.Err, cr.Elapsed)
	}
}

// applyResult is an apply of goldenPlan with one of each outcome: done, failed, unchanged,
// skipped because of the failure.
func applyResult() *reconcile.Result {
	p := goldenPlan()
	fail := errors.New("create subnet webhook-private-a-dev: InvalidSubnet.Conflict: overlaps")
	skip := &reconcile.ErrSkipped{Dep: "webhook/ec2.subnet/private-a"}
	return &reconcile.Result{Results: []reconcile.ChangeResult{
		{Change: p.Changes[0], Elapsed: 1234567 * time.Microsecond},
		{Change: p.Changes[1], Elapsed: 42400 * time.Microsecond},
		{Change: p.Changes[2], Err: fail, Error: fail.Error(), Elapsed: 21049 * time.Millisecond},
		{Change: p.Changes[3]},
		{Change: p.Changes[4], Err: skip, Error: skip.Error(), Skipped: true},
	}}
}

// destroyResult is a destroy of destroyPlan in which the VPC's delete waits long.
func destroyResult() *reconcile.Result {
	p := destroyPlan()
	return &reconcile.Result{Results: []reconcile.ChangeResult{
		{Change: p.Changes[0], Elapsed: 2500 * time.Millisecond},
		{Change: p.Changes[1], Elapsed: 800 * time.Millisecond},
		{Change: p.Changes[2], Elapsed: 12345 * time.Millisecond},
	}}
}

func TestApplyGolden(t *testing.T) {
	tests := []struct {
		file string
		view func(*View) Operation
		plan *reconcile.Plan
		res  *reconcile.Result
	}{
		{"apply.txt", func(v *View) Operation { return NewApply(Text, v) }, goldenPlan(), applyResult()},
		{"apply.json", func(v *View) Operation { return NewApply(JSON, v) }, goldenPlan(), applyResult()},
		{"destroy-run.txt", func(v *View) Operation { return NewDestroy(Text, v) }, destroyPlan(), destroyResult()},
		{"destroy-run.json", func(v *View) Operation { return NewDestroy(JSON, v) }, destroyPlan(), destroyResult()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			v, b := textView(false)
			var logs bytes.Buffer
			v.log = jsonLogger(&logs)
			op := tt.view(v)
			require.NoError(t, op.Plan(tt.plan))
			playResult(op.Observer(), tt.res)
			require.NoError(t, op.Result(tt.plan, tt.res))
			checkGolden(t, tt.file, b.Bytes())
			if strings.HasSuffix(tt.file, ".json") {
				checkGolden(t, tt.file+".log", logs.Bytes()) // progress goes to the log
			} else {
				assert.Empty(t, logs.String(), "a text view reports progress on its output, not the log")
			}
		})
	}
}

// jsonLogger logs as the CLI does off a terminal, without timestamps.
func jsonLogger(w *bytes.Buffer) *zap.Logger {
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = ""
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.AddSync(w), zap.InfoLevel))
}

func TestListGolden(t *testing.T) {
	owner := func(stack string, id string) state.Owner { return state.Owner{Stack: stack, Suffix: "dev", ID: id} }
	inv := &state.Inventory{Selector: state.Selector{Suffix: "dev"}, Resources: []state.Resource{
		{Kind: "sqs.queue", Owner: owner("webhook", "dead-letters"), ID: "https://sqs.us-east-1.amazonaws.com/123456789012/webhook-dead-letters-dev", Name: "webhook-dead-letters-dev",
			Attrs: map[string]string{"arn": "arn:aws:sqs:us-east-1:123456789012:webhook-dead-letters-dev", "name": "webhook-dead-letters-dev", "url": "https://sqs.us-east-1.amazonaws.com/123456789012/webhook-dead-letters-dev"}},
		{Kind: "ec2.vpc", Owner: owner("netstore", "vpc"), ID: "vpc-0a1b2c3d", Name: "netstore-vpc-dev",
			Attrs: map[string]string{"id": "vpc-0a1b2c3d", "cidr": "10.0.0.0/16", "main_route_table_id": "rtb-0f1e2d3c", "arn": ""}},
		{Kind: "dynamodb.table", Owner: owner("webhook", "events"), ID: "webhook-events-dev", Name: "webhook-events-dev",
			Attrs: map[string]string{"arn": "arn:aws:dynamodb:us-east-1:123456789012:table/webhook-events-dev", "name": "webhook-events-dev"}},
	}}
	for _, vt := range []struct {
		file string
		vt   ViewType
	}{{"list.txt", Text}, {"list.json", JSON}} {
		t.Run(vt.file, func(t *testing.T) {
			v, b := textView(false)
			require.NoError(t, NewList(vt.vt, v).List(inv))
			checkGolden(t, vt.file, b.Bytes())
		})
	}
}

// TestNoEscapeCodesOffTerminal: a file, a pipe or a buffer never gets colour, even without
// --no-color.
func TestNoEscapeCodesOffTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "plan")
	require.NoError(t, err)
	defer f.Close()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	var b bytes.Buffer
	for name, out := range map[string]*View{"file": NewView(f, false, nil), "pipe": NewView(w, false, nil), "buffer": NewView(&b, false, nil)} {
		assert.False(t, out.color, name)
	}
	require.NoError(t, NewPlan(Text, NewView(f, false, nil)).Plan(goldenPlan()))
	got, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	assert.Contains(t, string(got), "+ create     dynamodb.table/events")
	assert.NotContains(t, string(got), "\x1b")
}

func TestParseViewType(t *testing.T) {
	for s, want := range map[string]ViewType{"text": Text, "json": JSON} {
		got, err := ParseViewType(s)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseViewType("yaml")
	assert.EqualError(t, err, `flag --output: want text or json, got "yaml"`)
}
