package kinds

// Helpers shared by the apigateway.rest_api, apigateway.api_key and apigateway.usage_plan
// kinds only. Their names carry an apigw prefix so that they cannot clash with other kinds'
// helpers in this package. Ownership checks, tag diffs and the not-found mapping come from
// misc_common.go.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// apigwLimitGroup is the executor's limit group of every API Gateway kind. The control plane
// has low fixed quotas per account (CreateRestApi 1 per 3 s, CreateDeployment 1 per 5 s,
// DeleteRestApi 1 per 30 s, UpdateUsagePlan 1 per 20 s, 10 per s for all calls together), and
// awscall.Pacer already spaces every attempt against AWS to them (ControlPlaneRates), so the
// group need not serialise the writes too: three at a time let API keys and usage plans, which
// meet only the total quota, overlap each other and the REST API. The width stays small to
// keep the pacer's queue and the ConflictExceptions of overlapping writes (retried) short.
// Emulators are not paced: they have no such quotas.
const (
	apigwLimitGroup = "apigateway"
	apigwLimitMax   = 3
)

// apigwBase is what the three kinds hold alike: the region their ARNs name and the backoff of
// their retries and waits. Embedded, it gives each kind its LimitGroup.
type apigwBase struct {
	region string
	wait   reconcile.Backoff
}

func apigwNewBase(region string) apigwBase {
	return apigwBase{region: region, wait: reconcile.DefaultBackoff}
}

// LimitGroup bounds API Gateway writes across the API Gateway kinds (apigwLimitGroup says why
// to three).
func (apigwBase) LimitGroup() (string, int) { return apigwLimitGroup, apigwLimitMax }

// apigwNotFound is API Gateway's one not-found code, for every resource type.
const apigwNotFound = awscall.NotFoundException

// apigwPageSize is the largest page API Gateway's Get* listings accept.
const apigwPageSize = 500

// apigwRetryable retries throttling (TooManyRequestsException: the SDK's retryer also knows
// it as a throttle, but gives up after 3 attempts) and ConflictException, which API Gateway
// answers to a write that overlaps another one on the same API ("concurrent modification").
// Calls whose ConflictException means "already exists" use awscall.Throttled instead.
func apigwRetryable(err error) bool {
	return awscall.RetryCodes(awscall.ConflictException)(err)
}

// apigwDo runs one write under its own timeout, retrying what retry accepts with b, and maps
// NotFoundException to reconcile.ErrNotFound.
func apigwDo(ctx context.Context, b reconcile.Backoff, retry func(error) bool, op func(context.Context) error) error {
	return awscall.NotFound(awscall.Do(ctx, b, retry, op), apigwNotFound)
}

// apigwGet runs one read under its own timeout, mapping NotFoundException to ErrNotFound.
func apigwGet[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	out, err := awscall.Call(ctx, fn)
	return out, awscall.NotFound(err, apigwNotFound)
}

// apigwARN is the ARN TagResource takes for an API Gateway path such as /restapis/abc.
func apigwARN(region, path string) string {
	return "arn:" + partition(region) + ":apigateway:" + region + "::" + path
}

// apigwReplace is one "replace" patch operation.
func apigwReplace(path, value string) types.PatchOperation {
	return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
}

// apigwTagAPI is the tagging part of the API Gateway API, shared by the three kinds.
type apigwTagAPI interface {
	TagResource(ctx context.Context, in *apigateway.TagResourceInput, opts ...func(*apigateway.Options)) (*apigateway.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *apigateway.UntagResourceInput, opts ...func(*apigateway.Options)) (*apigateway.UntagResourceOutput, error)
}

// apigwSyncTags makes the tags of arn equal want: adds missing or changed ones, removes extra
// ones except the ownership tags. Nothing is called when they already match.
func apigwSyncTags(ctx context.Context, b reconcile.Backoff, api apigwTagAPI, arn string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		return apigwDo(ctx, b, apigwRetryable, func(ctx context.Context) error {
			_, err := api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(arn), Tags: set})
			return err
		})
	}, func(keys []string) error {
		return apigwDo(ctx, b, apigwRetryable, func(ctx context.Context) error {
			_, err := api.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: keys})
			return err
		})
	})
}

// apigwWaitGone polls get until it answers ErrNotFound; throttling counts as "not yet", any
// other error ends the wait.
func apigwWaitGone(ctx context.Context, b reconcile.Backoff, get func(context.Context) error) error {
	return b.Until(ctx, func(ctx context.Context) (bool, error) {
		err := get(ctx)
		switch {
		case errors.Is(err, reconcile.ErrNotFound):
			return true, nil
		case err != nil:
			return !awscall.Throttled(err), err
		}
		return false, errors.New("still there")
	})
}

// apigwTags copies tags, so that an observed resource never shares a map with an SDK output.
func apigwTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out
}

// apigwPages reads every page of a Get* listing (awscall.Pages over position), one attempt a
// page, with NotFoundException as reconcile.ErrNotFound.
func apigwPages[In, Out, T any](ctx context.Context, in *In, position **string,
	call func(context.Context, *In, ...func(*apigateway.Options)) (*Out, error), page func(*Out) ([]T, *string)) ([]T, error) {
	all, err := awscall.Pages(ctx, reconcile.Backoff{}, awscall.Never, in, position, call, page)
	return all, awscall.NotFound(err, apigwNotFound)
}

// apigwPatch collects the patch operations of one Update* call.
type apigwPatch []types.PatchOperation

// replace adds a "replace" of path with value when changed.
func (p *apigwPatch) replace(changed bool, path, value string) {
	if changed {
		*p = append(*p, apigwReplace(path, value))
	}
}

// remove adds a "remove" of path (value names the element of a list, or is "").
func (p *apigwPatch) remove(path, value string) {
	op := types.PatchOperation{Op: types.OpRemove, Path: aws.String(path)}
	if value != "" {
		op.Value = aws.String(value)
	}
	*p = append(*p, op)
}

// send runs one Update* call with the operations, retrying what apigwRetryable accepts; it
// calls nothing when there are none.
func (p apigwPatch) send(ctx context.Context, b reconcile.Backoff, update func(ctx context.Context, ops []types.PatchOperation) error) error {
	if len(p) == 0 {
		return nil
	}
	return apigwDo(ctx, b, apigwRetryable, func(ctx context.Context) error { return update(ctx, p) })
}

// apigwType describes one tagged, top-level API Gateway resource type to the steps the three
// kinds share: T is its SDK item (types.RestApi, types.ApiKey, types.UsagePlan), P its
// properties in the spec (*spec.RestAPI, …). Its names are not unique, so it is found by
// listing and adopted by name and ownership tags.
type apigwType[T, PT any, P interface {
	*PT
	spec.Properties
}] struct {
	apigwBase
	kind reconcile.Typed[P] // the kind itself, for Diff and Update when adopting
	api  apigwTagAPI
	noun string // as errors name it, "api gateway rest api"; they name a listing "<noun>s"
	path string // its ARN path up to the id: "/restapis/"

	// list reads every item; a name may narrow the listing where the API can (API keys).
	list func(ctx context.Context, name string) ([]T, error)
	// get reads one item, ErrNotFound when it is gone.
	get     func(ctx context.Context, id string) (T, error)
	observe func(ctx context.Context, item T) (state.Resource, error)
	name    func(T) string
	tags    func(T) map[string]string
}

// listOwned lists every item and observes those whose tags sel matches, several at once
// (awscall.Gather: the example's five usage plans read their keys in one round trip, not
// five), skipping any deleted since the listing.
func (t apigwType[T, PT, P]) listOwned(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	items, err := t.list(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", t.noun, err)
	}
	var owned []T
	for _, item := range items {
		if sel.Matches(t.tags(item)) {
			owned = append(owned, item)
		}
	}
	out, err := awscall.Gather(ctx, owned, func(ctx context.Context, item T) (state.Resource, bool, error) {
		r, err := t.observe(ctx, item)
		if errors.Is(err, reconcile.ErrNotFound) {
			return r, false, nil // deleted since the listing
		}
		return r, err == nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("list %ss: %w", t.noun, err)
	}
	return out, nil
}

// create is Create: it adopts the item named d.Name that carries d's ownership tags, or calls
// fresh to create one. Namesakes without d's tags are someone else's and are left alone.
func (t apigwType[T, PT, P]) create(ctx context.Context, d reconcile.Want[P],
	fresh func(ctx context.Context, d reconcile.Desired, p P) (state.Resource, error)) (state.Resource, error) {
	items, err := t.list(ctx, d.Name)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create %s %s: %w", t.noun, d.Name, err)
	}
	for _, item := range items {
		if t.name(item) == d.Name && d.Owner.Owns(t.tags(item)) {
			return t.adopt(ctx, d, item)
		}
	}
	return fresh(ctx, d.Desired, d.Props)
}

// adopt observes an item of ours and brings it to d unless it already shows d.
func (t apigwType[T, PT, P]) adopt(ctx context.Context, d reconcile.Want[P], item T) (state.Resource, error) {
	live, err := t.observe(ctx, item)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create %s %s: %w", t.noun, d.Name, err)
	}
	return t.bring(ctx, d, live)
}

// bring brings live, an item of ours as observed, to d unless it already shows d.
func (t apigwType[T, PT, P]) bring(ctx context.Context, d reconcile.Want[P], live state.Resource) (state.Resource, error) {
	h, changes, err := reconcile.Adopting(t.kind, d, live)
	if err != nil {
		return state.Resource{}, fmt.Errorf("create %s %s: %w", t.noun, d.Name, err)
	}
	if miscSettled(t.kind, d, live) {
		return live, nil
	}
	return t.kind.Update(ctx, d, h, changes)
}

// visible waits for item id, just created, to read back: API Gateway's GetRestApi,
// GetResources and GetUsagePlan miss a new item for a moment.
func (t apigwType[T, PT, P]) visible(ctx context.Context, name, id string) error {
	err := awscall.Visible(ctx, t.wait, t.noun+" "+name, func(ctx context.Context) error {
		_, err := t.get(ctx, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("create %s %s: %w", t.noun, name, err)
	}
	return nil
}

// visibleBeside runs next, the writes that follow the create of item id, and the item's
// visibility read (visible) at once, rather than the read first: next's first writes go
// through fresh, which waits out a NotFoundException for the new id itself, so the read is
// only for what reads the item later (a dependent, the verifying pass after the apply), and
// costs no round trip of its own. A failure of either cancels the other.
func (t apigwType[T, PT, P]) visibleBeside(ctx context.Context, name, id string, next func(ctx context.Context, fresh apigwWrite) error) error {
	i, err := awscall.AtOnce(ctx, 2, func(ctx context.Context, i int) error {
		if i == 0 {
			return t.visible(ctx, name, id)
		}
		return next(ctx, t.fresh(name))
	})
	if err != nil && i == 1 {
		return fmt.Errorf("create %s %s: %w", t.noun, name, err)
	}
	return err // visible names the item itself
}

// apigwWrite runs one write on an item: as it is (apigwNow), or waiting out an item just
// created that API Gateway does not know yet (apigwType.fresh).
type apigwWrite func(ctx context.Context, op func(ctx context.Context) error) error

func apigwNow(ctx context.Context, op func(ctx context.Context) error) error { return op(ctx) }

// fresh is the apigwWrite of the first writes on item name, just created: like its reads
// (visible), API Gateway's writes may answer NotFoundException for a new id for a moment. That
// answer is a refusal, so op is sent again, within awscall.FreshBudget.
func (t apigwType[T, PT, P]) fresh(name string) apigwWrite {
	return func(ctx context.Context, op func(ctx context.Context) error) error {
		return awscall.Visible(ctx, t.wait, t.noun+" "+name, op)
	}
}

// owned refuses to update a live resource without d's ownership tags.
func (t apigwType[T, PT, P]) owned(d reconcile.Desired, live state.Resource) error {
	if !d.Owner.Owns(live.Tags) {
		return fmt.Errorf("update %s %s: %w", t.noun, d.Name, awscall.NotOwned(t.noun, live.Name, live.Tags))
	}
	return nil
}

// syncTags is Update's tag step: it makes live's tags equal d.Tags.
func (t apigwType[T, PT, P]) syncTags(ctx context.Context, d reconcile.Desired, live state.Resource) error {
	if err := apigwSyncTags(ctx, t.wait, t.api, apigwARN(t.region, t.path+live.ID), live.Tags, d.Tags); err != nil {
		return fmt.Errorf("update %s %s: tags: %w", t.noun, d.Name, err)
	}
	return nil
}

// readBack observes item id after a write of op ("create", "update").
func (t apigwType[T, PT, P]) readBack(ctx context.Context, op, name, id string) (state.Resource, error) {
	item, err := t.get(ctx, id)
	if err == nil {
		var r state.Resource
		if r, err = t.observe(ctx, item); err == nil {
			return r, nil
		}
	}
	return state.Resource{}, fmt.Errorf("%s %s %s: read back: %w", op, t.noun, name, err)
}

// delete re-reads live, runs del only when the item still carries live's ownership tags, and
// waits until live no longer reads back. Not found, before or during del, is success.
func (t apigwType[T, PT, P]) delete(ctx context.Context, live state.Resource, del func(ctx context.Context, id string, item T) error) error {
	item, found, err := t.reread(ctx, live)
	if !found || err != nil {
		return err
	}
	if err := del(ctx, live.ID, item); err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete %s %s: %w", t.noun, live.Name, err)
	}
	err = apigwWaitGone(ctx, t.wait, func(ctx context.Context) error {
		_, err := t.get(ctx, live.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: wait until gone: %w", t.noun, live.Name, err)
	}
	return nil
}

// reread is Delete's first step: found is false when live is gone, and an item that no longer
// carries live's ownership tags is refused.
func (t apigwType[T, PT, P]) reread(ctx context.Context, live state.Resource) (item T, found bool, err error) {
	item, err = t.get(ctx, live.ID)
	if errors.Is(err, reconcile.ErrNotFound) {
		return item, false, nil
	}
	if err != nil {
		return item, true, fmt.Errorf("delete %s %s: %w", t.noun, live.Name, err)
	}
	if !live.Owner.Owns(t.tags(item)) {
		return item, true, fmt.Errorf("delete %s %s: %w", t.noun, live.Name, awscall.NotOwned(t.noun, live.Name, t.tags(item)))
	}
	return item, true, nil
}
