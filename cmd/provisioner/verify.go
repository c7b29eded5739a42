package main

import (
	"context"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// verify is apply's check that the account now matches the spec. When nothing ran, the plan
// is its own verification: no call was sent, so the account is as the plan saw it. Otherwise
// only the kinds the apply touched are listed again (reconcile.Result.Touched); what the
// plan's discovery found of the others still holds.
func (t *target) verify(ctx context.Context, p *reconcile.Plan, res *reconcile.Result) (*reconcile.Plan, error) {
	touched := res.Touched(p)
	if len(touched) == 0 {
		return p, nil
	}
	inv, err := reconcile.Rediscover(ctx, t.reg, t.inv, touched)
	if err != nil {
		return nil, err
	}
	return reconcile.MakePlan(t.stack, inv, t.reg, t.env)
}
