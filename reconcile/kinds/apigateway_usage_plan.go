package kinds

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// UsagePlanAPI is the part of the API Gateway API the apigateway.usage_plan kind uses;
// *apigateway.Client satisfies it.
type UsagePlanAPI interface {
	CreateUsagePlan(ctx context.Context, in *apigateway.CreateUsagePlanInput, opts ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanOutput, error)
	GetUsagePlans(ctx context.Context, in *apigateway.GetUsagePlansInput, opts ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error)
	GetUsagePlan(ctx context.Context, in *apigateway.GetUsagePlanInput, opts ...func(*apigateway.Options)) (*apigateway.GetUsagePlanOutput, error)
	UpdateUsagePlan(ctx context.Context, in *apigateway.UpdateUsagePlanInput, opts ...func(*apigateway.Options)) (*apigateway.UpdateUsagePlanOutput, error)
	DeleteUsagePlan(ctx context.Context, in *apigateway.DeleteUsagePlanInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanOutput, error)
	GetUsagePlanKeys(ctx context.Context, in *apigateway.GetUsagePlanKeysInput, opts ...func(*apigateway.Options)) (*apigateway.GetUsagePlanKeysOutput, error)
	CreateUsagePlanKey(ctx context.Context, in *apigateway.CreateUsagePlanKeyInput, opts ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanKeyOutput, error)
	DeleteUsagePlanKey(ctx context.Context, in *apigateway.DeleteUsagePlanKeyInput, opts ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanKeyOutput, error)
	apigwTagAPI
}

// UsagePlan implements apigateway.usage_plan. Its ID is the plan id.
//
// Everything changes in place (UpdateUsagePlan patches, usage plan keys added and removed), so
// Diff marks nothing ForceNew. Usage plan names are not unique: Create adopts a plan of that
// name carrying exactly d's ownership tags and otherwise creates one. The plan's keys are
// children without tags, observed by id only (GetUsagePlanKeys also returns key values; they
// are never kept).
type UsagePlan struct {
	apigwBase
	api UsagePlanAPI
}

// NewUsagePlan returns the apigateway.usage_plan kind over api (an *apigateway.Client);
// region makes the ARN that TagResource takes.
func NewUsagePlan(api UsagePlanAPI, region string) *UsagePlan {
	return &UsagePlan{apigwBase: apigwNewBase(region), api: api}
}

func (*UsagePlan) Kind() string { return "apigateway.usage_plan" }

// gw describes usage plans to the steps the API Gateway kinds share.
func (k *UsagePlan) gw() apigwType[types.UsagePlan, spec.UsagePlan, *spec.UsagePlan] {
	return apigwType[types.UsagePlan, spec.UsagePlan, *spec.UsagePlan]{apigwBase: k.apigwBase, kind: k, api: k.api,
		noun: "api gateway usage plan", path: "/usageplans/", get: k.get, observe: k.observe,
		list: func(ctx context.Context, _ string) ([]types.UsagePlan, error) { return k.plans(ctx) },
		name: func(plan types.UsagePlan) string { return aws.ToString(plan.Name) },
		tags: func(plan types.UsagePlan) map[string]string { return plan.Tags },
	}
}

// Diff compares every property; all change in place. Stages and keys are sets.
func (*UsagePlan) Diff(d reconcile.Want[*spec.UsagePlan], live reconcile.Have[*spec.UsagePlan]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("description", l.Description, w.Description)
	ds.Set("stages", planStageKeys(l.Stages), planStageKeys(w.Stages))
	ds.Field("throttle", planThrottle(l.Throttle), planThrottle(w.Throttle))
	ds.Field("quota", planQuota(l.Quota), planQuota(w.Quota))
	ds.Set("keys", l.Keys, w.Keys)
	return ds
}

// planStageKeys renders stages the way UpdateUsagePlan names them: apiId:stage.
func planStageKeys(stages []spec.UsagePlanStage) []string {
	out := make([]string, 0, len(stages))
	for _, s := range stages {
		out = append(out, s.API+":"+s.Stage)
	}
	return out
}

// planThrottle and planQuota treat an all-zero setting as absent, the way AWS reads it back.
func planThrottle(t *spec.Throttle) *spec.Throttle {
	if t == nil || (t.RateLimit == 0 && t.BurstLimit == 0) {
		return nil
	}
	return t
}

func planQuota(q *spec.Quota) *spec.Quota {
	if q == nil || q.Limit == 0 {
		return nil
	}
	return q
}

// List pages through every plan (API Gateway cannot filter plans by tag) and observes those
// whose tags the selector matches.
func (k *UsagePlan) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	return k.gw().listOwned(ctx, sel)
}

func (k *UsagePlan) plans(ctx context.Context) ([]types.UsagePlan, error) {
	in := &apigateway.GetUsagePlansInput{Limit: aws.Int32(apigwPageSize)}
	return apigwPages(ctx, in, &in.Position, k.api.GetUsagePlans, func(o *apigateway.GetUsagePlansOutput) ([]types.UsagePlan, *string) {
		return o.Items, o.Position
	})
}

// Create adopts the plan named d.Name that carries d's ownership tags, or creates one with the
// tags, stages, throttle and quota in CreateUsagePlan, then adds its keys. A crash between the
// two leaves a tagged plan that a rerun adopts and completes.
func (k *UsagePlan) Create(ctx context.Context, d reconcile.Want[*spec.UsagePlan]) (state.Resource, error) {
	return awscall.Settle(ctx, func(ctx context.Context) (state.Resource, error) {
		return k.gw().create(ctx, d, k.create)
	})
}

// create makes the plan, tags included, and adds its keys, the new plan's visibility read
// alongside (apigwType.visibleBeside: the key adds wait out a NotFoundException for the new
// plan themselves). The plan is what CreateUsagePlan answered and the keys are the ones just
// added, so nothing is read back (the verifying pass after the apply reads it).
func (k *UsagePlan) create(ctx context.Context, d reconcile.Desired, p *spec.UsagePlan) (state.Resource, error) {
	in := planCreateInput(d, p)
	var plan types.UsagePlan
	err := apigwDo(awscall.Once(ctx), k.wait, apigwRetryable, func(ctx context.Context) error {
		out, err := k.api.CreateUsagePlan(ctx, in)
		if err == nil {
			plan = types.UsagePlan{Id: out.Id, Name: out.Name, Description: out.Description, ApiStages: out.ApiStages,
				Throttle: out.Throttle, Quota: out.Quota, Tags: out.Tags}
			if plan.Tags == nil {
				plan.Tags = d.Tags // the tags CreateUsagePlan was given, where its answer leaves them out
			}
		}
		return err
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create api gateway usage plan %s: %w", d.Name, err)
	}
	id := aws.ToString(plan.Id)
	err = k.gw().visibleBeside(ctx, d.Name, id, func(ctx context.Context, fresh apigwWrite) error {
		if err := k.syncKeys(ctx, id, nil, p.Keys, fresh); err != nil {
			return fmt.Errorf("keys: %w", err)
		}
		return nil
	})
	if err != nil {
		return state.Resource{}, err
	}
	return planResource(plan, reconcile.SortedSet(p.Keys)), nil
}

func planCreateInput(d reconcile.Desired, p *spec.UsagePlan) *apigateway.CreateUsagePlanInput {
	in := &apigateway.CreateUsagePlanInput{Name: aws.String(d.Name), Description: aws.String(p.Description), Tags: d.Tags}
	for _, s := range p.Stages {
		in.ApiStages = append(in.ApiStages, types.ApiStage{ApiId: aws.String(s.API), Stage: aws.String(s.Stage)})
	}
	if t := planThrottle(p.Throttle); t != nil {
		in.Throttle = &types.ThrottleSettings{RateLimit: t.RateLimit, BurstLimit: int32(t.BurstLimit)}
	}
	if q := planQuota(p.Quota); q != nil {
		in.Quota = &types.QuotaSettings{Limit: int32(q.Limit), Period: types.QuotaPeriodType(q.Period)}
	}
	return in
}

// Update patches what the plan's changes name in one UpdateUsagePlan, adds and removes keys
// when they changed, makes the tags equal d.Tags, and reads the plan back.
func (k *UsagePlan) Update(ctx context.Context, d reconcile.Want[*spec.UsagePlan], live reconcile.Have[*spec.UsagePlan], changes reconcile.Changes) (state.Resource, error) {
	gw := k.gw()
	w, l := d.Props, live.Props
	if err := gw.owned(d.Desired, live.Resource); err != nil {
		return state.Resource{}, err
	}
	if err := k.patch(ctx, live.ID, planPatch(changes, l, w)); err != nil {
		return state.Resource{}, fmt.Errorf("update api gateway usage plan %s: %w", d.Name, err)
	}
	if changes.Changed("keys") {
		if err := k.syncKeys(ctx, live.ID, l.Keys, w.Keys, apigwNow); err != nil {
			return state.Resource{}, fmt.Errorf("update api gateway usage plan %s: keys: %w", d.Name, err)
		}
	}
	if err := gw.syncTags(ctx, d.Desired, live.Resource); err != nil {
		return state.Resource{}, err
	}
	return gw.readBack(ctx, "update", d.Name, live.ID)
}

func (k *UsagePlan) patch(ctx context.Context, id string, ops apigwPatch) error {
	return ops.send(ctx, k.wait, func(ctx context.Context, ops []types.PatchOperation) error {
		_, err := k.api.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: aws.String(id), PatchOperations: ops})
		return err
	})
}

// planPatch is the UpdateUsagePlan patch for the paths the plan's changes name (keys aside):
// the stages live lacks or has extra, and want's description, throttle and quota.
func planPatch(changes reconcile.Changes, live, want *spec.UsagePlan) apigwPatch {
	var ops apigwPatch
	ops.replace(changes.Changed("description"), "/description", want.Description)
	if changes.Changed("stages") {
		ops = append(ops, planStagePatch(live.Stages, want.Stages)...)
	}
	if changes.Changed("throttle") {
		if wt := planThrottle(want.Throttle); wt == nil {
			ops.remove("/throttle", "")
		} else {
			ops.replace(true, "/throttle/rateLimit", strconv.FormatFloat(wt.RateLimit, 'f', -1, 64))
			ops.replace(true, "/throttle/burstLimit", strconv.Itoa(wt.BurstLimit))
		}
	}
	if changes.Changed("quota") {
		if wq := planQuota(want.Quota); wq == nil {
			ops.remove("/quota", "")
		} else {
			ops.replace(true, "/quota/limit", strconv.Itoa(wq.Limit))
			ops.replace(true, "/quota/period", wq.Period)
		}
	}
	return ops
}

// planStagePatch adds the missing API stages and removes the extra ones.
func planStagePatch(live, want []spec.UsagePlanStage) apigwPatch {
	var ops apigwPatch
	add, remove := awscall.SetChanges(planStageKeys(live), planStageKeys(want))
	for _, s := range add {
		ops = append(ops, types.PatchOperation{Op: types.OpAdd, Path: aws.String("/apiStages"), Value: aws.String(s)})
	}
	for _, s := range remove {
		ops.remove("/apiStages", s)
	}
	return ops
}

// syncKeys adds the missing keys and removes the extra ones. ConflictException on
// CreateUsagePlanKey means the key is in the plan already, and NotFoundException on
// DeleteUsagePlanKey that it is not: both are the wanted outcome. The adds go through on
// (apigwType.fresh on a new plan), one after another: API Gateway may refuse a write that
// overlaps another on the same plan with ConflictException too, which would read as done.
func (k *UsagePlan) syncKeys(ctx context.Context, planID string, live, want []string, on apigwWrite) error {
	add, remove := awscall.SetChanges(live, want)
	for _, key := range add {
		err := on(ctx, func(ctx context.Context) error {
			return apigwDo(ctx, k.wait, awscall.Throttled, func(ctx context.Context) error {
				_, err := k.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{
					UsagePlanId: aws.String(planID), KeyId: aws.String(key), KeyType: aws.String("API_KEY")})
				return err
			})
		})
		if err != nil && !awscall.Is(err, awscall.ConflictException) {
			return fmt.Errorf("add key %s: %w", key, err)
		}
	}
	for _, key := range remove {
		err := apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
			_, err := k.api.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{
				UsagePlanId: aws.String(planID), KeyId: aws.String(key)})
			return err
		})
		if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
			return fmt.Errorf("remove key %s: %w", key, err)
		}
	}
	return nil
}

// Delete re-reads the plan's tags, deletes it only when they still are live's ownership tags,
// and waits until it no longer reads back. API stages are removed first: API Gateway refuses
// to delete a plan still associated with a stage (Terraform's provider does the same).
func (k *UsagePlan) Delete(ctx context.Context, live state.Resource) error {
	return k.gw().delete(ctx, live, k.deletePlan)
}

// deletePlan removes the plan's API stages, then deletes it. A detach that fails is checked
// against the plan as it is now: when the SDK resent a detach whose answer was lost, the
// stages are gone already, and LocalStack 4.14.0 answers the resend with a 500 ("x not in
// list") on every attempt.
func (k *UsagePlan) deletePlan(ctx context.Context, id string, plan types.UsagePlan) error {
	if err := k.patch(ctx, id, planStagePatch(planStages(plan.ApiStages), nil)); err != nil {
		if now, gerr := k.get(ctx, id); gerr != nil || len(now.ApiStages) > 0 {
			return err
		}
	}
	return apigwDo(ctx, k.wait, apigwRetryable, func(ctx context.Context) error {
		_, err := k.api.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: aws.String(id)})
		return err
	})
}

func (k *UsagePlan) get(ctx context.Context, id string) (types.UsagePlan, error) {
	out, err := apigwGet(ctx, func(ctx context.Context) (*apigateway.GetUsagePlanOutput, error) {
		return k.api.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String(id)})
	})
	if err != nil {
		return types.UsagePlan{}, err
	}
	return types.UsagePlan{Id: out.Id, Name: out.Name, Description: out.Description, ApiStages: out.ApiStages,
		Throttle: out.Throttle, Quota: out.Quota, Tags: out.Tags}, nil
}

// keyIDs lists the ids of the plan's keys (never their values).
func (k *UsagePlan) keyIDs(ctx context.Context, planID string) ([]string, error) {
	in := &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(planID), Limit: aws.Int32(apigwPageSize)}
	keys, err := apigwPages(ctx, in, &in.Position, k.api.GetUsagePlanKeys, func(o *apigateway.GetUsagePlanKeysOutput) ([]types.UsagePlanKey, *string) {
		return o.Items, o.Position
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, key := range keys {
		ids = append(ids, aws.ToString(key.Id))
	}
	return reconcile.SortedSet(ids), nil
}

func (k *UsagePlan) observe(ctx context.Context, plan types.UsagePlan) (state.Resource, error) {
	keys, err := k.keyIDs(ctx, aws.ToString(plan.Id))
	if err != nil {
		return state.Resource{}, fmt.Errorf("read keys of usage plan %s: %w", aws.ToString(plan.Name), err)
	}
	return planResource(plan, keys), nil
}

// planResource is the plan as the spec says it, with the ids of its keys.
func planResource(plan types.UsagePlan, keys []string) state.Resource {
	id, name := aws.ToString(plan.Id), aws.ToString(plan.Name)
	owner, _ := state.OwnerOf(plan.Tags)
	p := &spec.UsagePlan{Description: aws.ToString(plan.Description), Stages: planStages(plan.ApiStages), Keys: keys}
	if t := plan.Throttle; t != nil {
		p.Throttle = planThrottle(&spec.Throttle{RateLimit: t.RateLimit, BurstLimit: int(t.BurstLimit)})
	}
	if q := plan.Quota; q != nil {
		p.Quota = planQuota(&spec.Quota{Limit: int(q.Limit), Period: string(q.Period)})
	}
	return state.Resource{
		Kind: "apigateway.usage_plan", Owner: owner, ID: id, Name: name, Tags: apigwTags(plan.Tags), Props: p,
		Attrs: map[string]string{"id": id, "name": name},
	}
}

// planStages converts and sorts API stages (by API, then stage).
func planStages(in []types.ApiStage) []spec.UsagePlanStage {
	var out []spec.UsagePlanStage
	for _, s := range in {
		out = append(out, spec.UsagePlanStage{API: aws.ToString(s.ApiId), Stage: aws.ToString(s.Stage)})
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.Compare(out[i].API+":"+out[i].Stage, out[j].API+":"+out[j].Stage) < 0
	})
	return out
}
