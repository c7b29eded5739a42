package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
	"github.com/provisioner-dev/provisioner/views"
)

// registryFor builds the kinds from a config; tests replace it to count or fake calls.
var registryFor = kinds.Registry

// configHook lets tests observe every AWS call the CLI makes (it runs on each loaded config).
var configHook func(*aws.Config)

// target is what every engine command works on: a stack (when a spec is given), the account
// and its kinds.
type target struct {
	stack *spec.Stack
	inv   *state.Inventory // what the last plan discovered
	cfg   aws.Config
	reg   reconcile.Registry
	env   reconcile.Env
	sel   state.Selector
	index reconcile.TagIndex // the tag index read-only planning may take ownership tags from

	callerARN string // who we are, for the stack lock's record
	log       *zap.Logger
}

// discover finds the live resources of t.sel. What it could not read (AccessDenied on
// resources not ours) does not fail the run: it is counted, and named at debug level.
func (t *target) discover(ctx context.Context) (*state.Inventory, error) {
	inv, err := reconcile.Discover(ctx, t.reg, t.sel)
	if err != nil || len(inv.Unreadable) == 0 {
		return inv, err
	}
	for _, u := range inv.Unreadable {
		t.log.Debug("skipped a resource discovery may not read", zap.String("kind", u.Kind), zap.String("name", u.Name), zap.String("reason", u.Reason))
	}
	t.log.Info("skipped resources discovery may not read (not ours; --log-level debug names them)", zap.Int("count", len(inv.Unreadable)))
	return inv, nil
}

// suffixFlag registers --suffix, defaulting to PROVISIONER_SUFFIX.
func suffixFlag(cmd *cobra.Command, p *string, usage string) {
	cmd.Flags().StringVar(p, "suffix", os.Getenv("PROVISIONER_SUFFIX"), usage+" (also PROVISIONER_SUFFIX)")
}

// outputFlag registers -o text|json.
func outputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, "output", "o", "text", "text or json")
}

// view is where a command's output goes: stdout, in colour only on a terminal.
func (g *globals) view(cmd *cobra.Command) *views.View {
	return g.account.withStats(views.NewView(cmd.OutOrStdout(), g.noColor, g.log))
}

// loadTarget reads the spec (no AWS call before it validates) and connects to the account.
func (g *globals) loadTarget(ctx context.Context, path, suffix string, readOnly bool) (*target, error) {
	st, err := spec.Load(path, spec.Options{Suffix: suffix})
	if err != nil {
		return nil, err
	}
	t, err := g.connect(ctx, st.Region, readOnly, path)
	if err != nil {
		return nil, err
	}
	t.stack = st
	t.sel = state.Selector{Stack: st.Name, Suffix: st.Suffix}
	return t, nil
}

// connect loads the AWS config and the account id. specFile anchors Lambda code paths ("" when
// there is no spec: nothing is packaged then).
func (g *globals) connect(ctx context.Context, region string, readOnly bool, specFile string) (*target, error) {
	cfg, err := g.awsConfig(ctx, region)
	if err != nil {
		return nil, err
	}
	if readOnly {
		reconcile.ReadOnly(&cfg)
	}
	if err := g.installFaults(&cfg); err != nil {
		return nil, err
	}
	if configHook != nil {
		configHook(&cfg)
	}
	g.account.attach(&cfg) // after ReadOnly: a refused call is not sent, so not counted
	// STS here, the stack lock's SSM and every kind: one call path (per-attempt timeouts
	// inside the SDK's retries, pacing), installed once.
	kinds.CallPath(&cfg)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("identify account: %w", err)
	}
	account := aws.ToString(id.Account)
	g.log.Debug("connected", zap.String("account", account), zap.String("region", cfg.Region))
	return &target{cfg: cfg, reg: registryFor(cfg, account, newLambdaCode(specFile).withLog(g.log)), env: reconcile.Env{Account: account, Region: cfg.Region},
		index: kinds.NewTagIndex(kinds.NewTagIndexClient(cfg)), callerARN: aws.ToString(id.Arn), log: g.log}, nil
}

// Plans differ in where discovery takes the ownership tags that listings do not carry from.
type planMode int

const (
	// direct reads every tag from the resource's own service: the plans carried out under the
	// lock, and the verifying pass.
	direct planMode = iota
	// hinted takes them from the tag index (one call instead of one per resource), and reads
	// the kinds in which the plan then finds changes again, directly, before it is returned:
	// plan and drift.
	hinted
	// hintedUnconfirmed is hinted without that second read: apply's first plan, which only
	// decides whether the lock is needed, since with changes apply plans again under the lock,
	// directly. A change only a stale index shows costs a lock and an empty apply.
	hintedUnconfirmed
)

// plan discovers the stack's live resources and plans the changes.
func (t *target) plan(ctx context.Context, mode planMode) (*reconcile.Plan, error) {
	dctx := ctx
	if mode != direct {
		dctx = reconcile.WithTagHints(ctx, t.index)
	}
	inv, err := t.discover(dctx)
	if err != nil {
		return nil, err
	}
	replan := func(inv *state.Inventory) (*reconcile.Plan, error) {
		return reconcile.MakePlan(t.stack, inv, t.reg, t.env)
	}
	p, err := replan(inv)
	if err != nil {
		return nil, err
	}
	if mode == hinted {
		if p, inv, err = reconcile.ConfirmHinted(ctx, p, inv, replan, t.reg); err != nil {
			return nil, err
		}
	}
	t.inv = inv
	return p, nil
}
