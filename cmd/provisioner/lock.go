package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

// lockAPIFor builds the SSM client the stack lock uses; tests may replace it.
var lockAPIFor = func(cfg aws.Config) state.LockAPI { return ssm.NewFromConfig(cfg) }

// lockPoll is how often a run waiting with --lock-timeout looks at the lock again.
var lockPoll = 5 * time.Second

// lockExit is the exit code of a run that could not take the stack lock.
const lockExit = 3

// lockTimeoutFlag registers --lock-timeout.
func lockTimeoutFlag(cmd *cobra.Command, p *time.Duration) {
	cmd.Flags().DurationVar(p, "lock-timeout", 0, "wait this long for another run's stack lock (default: exit 3 at once)")
}

// held is the stack locks one run holds, released together.
type held struct {
	g      *globals
	leases []*state.Lease
	ctx    context.Context // cancelled with state.ErrLockLost when a lease cannot be kept
}

// lockStacks takes the lock of each stack (sorted, so two runs never wait on each other in a
// circle) and keeps the leases alive until release.
func (g *globals) lockStacks(ctx context.Context, t *target, command string, stacks []string, timeout time.Duration) (*held, error) {
	sort.Strings(stacks)
	h := &held{g: g, ctx: ctx}
	for _, stack := range stacks {
		l := &state.Locker{API: lockAPIFor(t.cfg), Stack: stack, Suffix: t.sel.Suffix}
		lease, err := g.acquire(ctx, l, t.holder(command), timeout)
		if err != nil {
			_ = h.release(ctx, false)
			return nil, err
		}
		h.leases = append(h.leases, lease)
		h.ctx = lease.Keep(h.ctx, func(err error) { g.log.Warn("renew stack lock", zap.Error(err)) })
	}
	return h, nil
}

// acquire takes one lock, waiting up to timeout for another run's; a lock still held after it
// is exit 3.
func (g *globals) acquire(ctx context.Context, l *state.Locker, h state.Holder, timeout time.Duration) (*state.Lease, error) {
	until := time.Now().Add(timeout)
	for {
		lease, err := l.TryAcquire(ctx, h)
		var locked *state.LockedError
		if !errors.As(err, &locked) {
			return lease, err
		}
		left := time.Until(until)
		if left <= 0 {
			return nil, &exitError{code: lockExit, err: fmt.Errorf("%w\nwait for it with --lock-timeout, or if that run is dead: provisioner unlock --suffix %s --stack %s", err, l.Suffix, l.Stack)}
		}
		g.log.Info("waiting for the stack lock", zap.String("holder", err.Error()), zap.Duration("left", left.Round(time.Second)))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(lockPoll, left)):
		}
	}
}

// release lets go of every lock; final (destroy) also removes the lock's break markers.
func (h *held) release(ctx context.Context, final bool) error {
	if h == nil {
		return nil
	}
	var errs []error
	for _, l := range h.leases {
		errs = append(errs, l.Release(context.WithoutCancel(ctx), final))
	}
	return errors.Join(errs...)
}

// finish releases the locks and folds what went wrong into *errp: a lost lock explains a run
// that was cancelled, and a release that failed is reported even after a good run.
func (h *held) finish(errp *error, final bool) {
	if h == nil {
		return
	}
	if cause := context.Cause(h.ctx); errors.Is(cause, state.ErrLockLost) && *errp != nil {
		*errp = fmt.Errorf("%w (stopped: %w)", *errp, cause)
	}
	if err := h.release(h.ctx, final); err != nil {
		*errp = errors.Join(*errp, fmt.Errorf("release stack lock: %w", err))
	}
}

// lockIfChanges is apply's lock: a plan without changes needs none (a no-op apply writes
// nothing); otherwise it takes the lock and plans again under it, since another run may have
// changed the account meanwhile.
func (g *globals) lockIfChanges(ctx context.Context, t *target, p *reconcile.Plan, timeout time.Duration) (*held, *reconcile.Plan, error) {
	if !p.HasChanges() {
		return nil, p, nil
	}
	h, err := g.lockStacks(ctx, t, "apply", []string{t.sel.Stack}, timeout)
	if err != nil {
		return nil, nil, err
	}
	p, err = t.plan(h.ctx, direct)
	if err != nil {
		_ = h.release(ctx, false)
		return nil, nil, err
	}
	return h, p, nil
}

// lockForDestroy takes the lock of every stack the destroy found, then discovers again under
// it and returns the plan to carry out.
func (g *globals) lockForDestroy(ctx context.Context, t *target, inv *state.Inventory, timeout time.Duration) (*held, *reconcile.Plan, error) {
	stacks := map[string]bool{}
	if t.sel.Stack != "" {
		stacks[t.sel.Stack] = true
	}
	for _, r := range inv.Resources {
		stacks[r.Owner.Stack] = true
	}
	var names []string
	for s := range stacks {
		names = append(names, s)
	}
	h, err := g.lockStacks(ctx, t, "destroy", names, timeout)
	if err != nil {
		return nil, nil, err
	}
	again, err := t.discover(h.ctx)
	if err != nil {
		_ = h.release(ctx, false)
		return nil, nil, err
	}
	p := reconcile.DestroyPlan(again)
	p.Region = t.env.Region
	return h, p, nil
}

// holder describes this run in the lock it takes.
func (t *target) holder(command string) state.Holder {
	h := state.Holder{Command: command, PID: os.Getpid(), ARN: t.callerARN, Since: time.Now().UTC()}
	if u, err := user.Current(); err == nil {
		h.User = u.Username
	}
	h.Host, _ = os.Hostname()
	return h
}
