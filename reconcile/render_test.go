package reconcile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenPlan has one change of every action.
func goldenPlan() *Plan {
	return &Plan{Stack: "webhook", Suffix: "dev", Region: "us-east-1", Changes: []Change{
		{Action: Create, Address: "dynamodb.table/events", Kind: "dynamodb.table", Logical: "events", Name: "webhook-events-dev", Reason: "not found"},
		{Action: Update, Address: "s3.bucket/archive", Kind: "s3.bucket", Logical: "archive", Name: "webhook-archive-123456789012-dev", ID: "webhook-archive-123456789012-dev",
			Diffs: []FieldDiff{{Path: "versioning", Live: false, Desired: true}, {Path: "tags.Owner", Live: nil, Desired: "payments"}}},
		{Action: Replace, Address: "ec2.subnet/private-a", Kind: "ec2.subnet", Logical: "private-a", Name: "webhook-private-a-dev", ID: "subnet-1",
			Diffs: []FieldDiff{{Path: "cidr", Live: "10.0.1.0/24", Desired: "10.0.3.0/24", ForceNew: true}}},
		{Action: NoOp, Address: "ec2.vpc/vpc", Kind: "ec2.vpc", Logical: "vpc", Name: "webhook-vpc-dev", ID: "vpc-1"},
		{Action: Delete, Address: "sqs.queue/old", Kind: "sqs.queue", Logical: "old", Name: "webhook-old-dev", ID: "https://q/old", Reason: "not in the spec"},
	}}
}

func TestRenderGolden(t *testing.T) {
	empty := &Plan{Stack: "webhook", Suffix: "dev", Region: "us-east-1", Changes: []Change{{Action: NoOp, Address: "ec2.vpc/vpc"}}}
	tests := []struct {
		file   string
		plan   *Plan
		opts   RenderOptions
		render func(*bytes.Buffer, *Plan, RenderOptions) error
	}{
		{"plan.txt", goldenPlan(), RenderOptions{}, text},
		{"plan-color.txt", goldenPlan(), RenderOptions{Color: true}, text},
		{"drift.txt", goldenPlan(), RenderOptions{Drift: true}, text},
		{"nochange.txt", empty, RenderOptions{}, text},
		{"nodrift.txt", empty, RenderOptions{Drift: true}, text},
		{"plan.json", goldenPlan(), RenderOptions{}, jsonr},
		{"drift.json", goldenPlan(), RenderOptions{Drift: true}, jsonr},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tt.render(&b, tt.plan, tt.opts))
			path := filepath.Join("testdata", "render", tt.file+".golden")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./reconcile -run TestRenderGolden -update")
			assert.Equal(t, string(want), b.String())
		})
	}
}

func text(b *bytes.Buffer, p *Plan, o RenderOptions) error  { return RenderText(b, p, o) }
func jsonr(b *bytes.Buffer, p *Plan, o RenderOptions) error { return RenderJSON(b, p, o) }
