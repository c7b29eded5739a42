package kinds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// SQSQueueAPI is the part of the SQS API the sqs.queue kind uses; *sqs.Client satisfies it.
type SQSQueueAPI interface {
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	ListQueues(ctx context.Context, in *sqs.ListQueuesInput, opts ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error)
	ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error)
	TagQueue(ctx context.Context, in *sqs.TagQueueInput, opts ...func(*sqs.Options)) (*sqs.TagQueueOutput, error)
	UntagQueue(ctx context.Context, in *sqs.UntagQueueInput, opts ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error)
	DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, opts ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error)
}

// SQSQueue implements sqs.queue. Its ID is the queue URL.
//
// Every property changes in place through SetQueueAttributes, so Diff marks nothing ForceNew
// (FIFO-ness is part of the name, and another name is another queue).
type SQSQueue struct {
	api    SQSQueueAPI
	region string
	wait   reconcile.Backoff
}

// NewSQSQueue returns the sqs.queue kind over api (an *sqs.Client) in region.
func NewSQSQueue(api SQSQueueAPI, region string) *SQSQueue {
	return &SQSQueue{api: api, region: region, wait: reconcile.DefaultBackoff}
}

// SQS speaks JSON but is "query compatible": the SDK reports the legacy query code from the
// x-amzn-query-error header when the service sends it, the JSON type name otherwise. Each set
// lists both.
var (
	sqsNotFoundCodes       = []string{"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
	sqsExistsCodes         = []string{"QueueAlreadyExists", "QueueNameExists"}
	sqsDeletedRecentlyCode = []string{"AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently"}
)

// The queue attributes this kind manages.
const (
	sqsAttrVisibility = "VisibilityTimeout"
	sqsAttrRetention  = "MessageRetentionPeriod"
	sqsAttrMaxSize    = "MaximumMessageSize"
	sqsAttrDelay      = "DelaySeconds"
	sqsAttrWait       = "ReceiveMessageWaitTimeSeconds"
	sqsAttrSSE        = "SqsManagedSseEnabled"
	sqsAttrKMS        = "KmsMasterKeyId"
	sqsAttrRedrive    = "RedrivePolicy"
)

func (*SQSQueue) Kind() string { return "sqs.queue" }

// Diff compares every managed attribute; all of them change in place.
func (*SQSQueue) Diff(d reconcile.Want[*spec.SQSQueue], live reconcile.Have[*spec.SQSQueue]) []reconcile.FieldDiff {
	w, l := d.Props, live.Props
	var ds reconcile.Diffs
	ds.Field("visibility_timeout_seconds", l.VisibilityTimeoutSeconds, w.VisibilityTimeoutSeconds)
	ds.Field("message_retention_seconds", l.MessageRetentionSeconds, w.MessageRetentionSeconds)
	ds.Field("max_message_size_bytes", l.MaxMessageSizeBytes, w.MaxMessageSizeBytes)
	ds.Field("delay_seconds", l.DelaySeconds, w.DelaySeconds)
	ds.Field("receive_wait_time_seconds", l.ReceiveWaitTimeSeconds, w.ReceiveWaitTimeSeconds)
	ds.Field("sse", sqsManagedSSE(l), sqsManagedSSE(w))
	ds.Field("kms_key_id", l.KMSKeyID, w.KMSKeyID)
	ds.Field("redrive", l.Redrive, w.Redrive)
	return ds
}

// sqsManagedSSE is SSE-SQS as it takes effect: the spec ignores sse when a KMS key is set.
func sqsManagedSSE(p *spec.SQSQueue) bool { return p.SSE && p.KMSKeyID == "" }

// List reads every queue's tags and observes those the selector matches. ListQueues cannot
// filter by tag, and a queue's name need not carry the suffix, so no prefix is used.
func (k *SQSQueue) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	urls, err := k.queueURLs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sqs queues: %w", err)
	}
	urls = slices.DeleteFunc(urls, func(url string) bool {
		return !sel.MayName(url[strings.LastIndex(url, "/")+1:]) // not named the way we name queues: its tags are not read
	})
	out, err := awscall.Gather(ctx, urls, func(ctx context.Context, url string) (state.Resource, bool, error) {
		r, ok, err := k.observeIfMatches(ctx, url, sel)
		if awscall.Skippable(ctx, k.Kind(), url, err) {
			return state.Resource{}, false, nil
		}
		return r, ok, err
	})
	if err != nil {
		return nil, fmt.Errorf("list sqs queues: %w", err)
	}
	return out, nil
}

func (k *SQSQueue) queueURLs(ctx context.Context) ([]string, error) {
	in := &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)}
	return awscall.Pages(ctx, k.wait, awscall.Never, in, &in.NextToken, k.api.ListQueues,
		func(o *sqs.ListQueuesOutput) ([]string, *string) { return o.QueueUrls, o.NextToken })
}

// observeIfMatches observes the queue at url when its tags match sel; a queue deleted between
// the listing and the read is skipped.
func (k *SQSQueue) observeIfMatches(ctx context.Context, url string, sel state.Selector) (state.Resource, bool, error) {
	tags, err := ownedTags(ctx, k.Kind(), k.arnOf(url), func(ctx context.Context) (map[string]string, error) { return k.tags(ctx, url) })
	if errors.Is(err, reconcile.ErrNotFound) {
		return state.Resource{}, false, nil
	}
	if err != nil || !sel.Matches(tags) {
		return state.Resource{}, false, err
	}
	r, err := k.observe(ctx, url, tags)
	if errors.Is(err, reconcile.ErrNotFound) {
		return state.Resource{}, false, nil
	}
	return r, err == nil, err
}

// arnOf is the ARN of the queue at url (…/<account>/<name> on every endpoint), for the tag
// index; "" when url has no account in it.
func (k *SQSQueue) arnOf(url string) string {
	parts := strings.Split(strings.TrimSuffix(url, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] == "" {
		return ""
	}
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", partition(k.region), k.region, parts[len(parts)-2], parts[len(parts)-1])
}

// Create creates the queue with the ownership tags in CreateQueue, or adopts a queue of that
// name that carries d's ownership tags. It looks the name up first: CreateQueue on an existing
// name with identical attributes succeeds and returns the existing queue (moto even replaces
// its tags), so the create call alone cannot tell ours from someone else's.
func (k *SQSQueue) Create(ctx context.Context, d reconcile.Want[*spec.SQSQueue]) (state.Resource, error) {
	p := d.Props
	url, err := k.urlOf(ctx, d.Name)
	if err == nil {
		return k.adopt(ctx, d, url, false)
	}
	if !errors.Is(err, reconcile.ErrNotFound) {
		return state.Resource{}, fmt.Errorf("create sqs queue %s: %w", d.Name, err)
	}
	url, err = k.createQueue(ctx, d, p)
	if awscall.Is(err, sqsExistsCodes...) {
		// Someone created the name between our lookup and CreateQueue, with other attributes.
		if url, err = k.urlOf(ctx, d.Name); err == nil {
			return k.adopt(ctx, d, url, false)
		}
	}
	if err != nil {
		return state.Resource{}, fmt.Errorf("create sqs queue %s: %w", d.Name, err)
	}
	// Checking the tags even now catches the race where CreateQueue returned someone else's
	// queue with identical attributes.
	return k.adopt(ctx, d, url, true)
}

// createQueue retries QueueDeletedRecently: SQS refuses a name for 60 s after its deletion.
func (k *SQSQueue) createQueue(ctx context.Context, d reconcile.Want[*spec.SQSQueue], p *spec.SQSQueue) (string, error) {
	attrs := map[string]string{}
	for name, v := range sqsAttributes(p) {
		if v != "" { // empty means "unset", which is what a new queue is
			attrs[name] = v
		}
	}
	if strings.HasSuffix(d.Name, ".fifo") {
		attrs[string(types.QueueAttributeNameFifoQueue)] = "true"
	}
	in := &sqs.CreateQueueInput{QueueName: aws.String(d.Name), Attributes: attrs, Tags: d.Tags}
	var url string
	err := k.wait.Retry(ctx, awscall.RetryCodes(sqsDeletedRecentlyCode...), func(ctx context.Context) error {
		out, err := awscall.Call(ctx, func(ctx context.Context) (*sqs.CreateQueueOutput, error) {
			return k.api.CreateQueue(ctx, in)
		})
		if err == nil {
			url = aws.ToString(out.QueueUrl)
		}
		return err
	})
	return url, err
}

// adopt takes over the queue at url when it carries d's ownership tags, and brings it to d.
// Right after our own CreateQueue, a read may briefly not find the queue; that is retried.
func (k *SQSQueue) adopt(ctx context.Context, d reconcile.Want[*spec.SQSQueue], url string, justCreated bool) (state.Resource, error) {
	notYet := awscall.Never
	if justCreated {
		notYet = func(err error) bool { return errors.Is(err, reconcile.ErrNotFound) }
	}
	var live state.Resource
	err := k.wait.Retry(ctx, notYet, func(ctx context.Context) error {
		tags, err := k.tags(ctx, url)
		if err != nil {
			return err
		}
		if !d.Owner.Owns(tags) {
			return awscall.NotOwned("sqs queue", d.Name, tags)
		}
		live, err = k.observe(ctx, url, tags)
		return err
	})
	if err != nil {
		return state.Resource{}, fmt.Errorf("create sqs queue %s: %w", d.Name, err)
	}
	if miscSettled(k, d, live) {
		return live, nil
	}
	return miscAdopt(ctx, k, d, live)
}

// Update sets the attributes that differ and makes the tags equal d.Tags, then waits until a
// read shows them (SQS documents up to 60 s for attribute changes to propagate).
func (k *SQSQueue) Update(ctx context.Context, d reconcile.Want[*spec.SQSQueue], live reconcile.Have[*spec.SQSQueue], changes reconcile.Changes) (state.Resource, error) {
	w := d.Props
	if !d.Owner.Owns(live.Tags) {
		return state.Resource{}, fmt.Errorf("update sqs queue %s: %w", d.Name, awscall.NotOwned("sqs queue", live.Name, live.Tags))
	}
	url := live.ID
	if err := k.setAttributes(ctx, url, sqsChangedAttributes(changes, w)); err != nil {
		return state.Resource{}, fmt.Errorf("update sqs queue %s: %w", d.Name, err)
	}
	if err := k.syncTags(ctx, url, live.Tags, d.Tags); err != nil {
		return state.Resource{}, fmt.Errorf("update sqs queue %s: tags: %w", d.Name, err)
	}
	got, err := miscConverge(ctx, k.wait, func(ctx context.Context) (state.Resource, error) {
		return k.observe(ctx, url, nil)
	}, func(r state.Resource) bool { return miscSettled(k, d, r) }, awscall.Never)
	if err != nil {
		return state.Resource{}, fmt.Errorf("update sqs queue %s: %w", d.Name, err)
	}
	return got, nil
}

func (k *SQSQueue) setAttributes(ctx context.Context, url string, attrs map[string]string) error {
	if len(attrs) == 0 {
		return nil
	}
	in := &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attrs}
	return k.wait.Retry(ctx, awscall.RetryCodes(), func(ctx context.Context) error {
		_, err := awscall.Call(ctx, func(ctx context.Context) (*sqs.SetQueueAttributesOutput, error) {
			return k.api.SetQueueAttributes(ctx, in)
		})
		return awscall.NotFound(err, sqsNotFoundCodes...)
	})
}

func (k *SQSQueue) syncTags(ctx context.Context, url string, live, want map[string]string) error {
	return awscall.SyncTags(live, want, func(set map[string]string) error {
		return awscall.Retry(ctx, k.wait, awscall.RetryCodes(), k.api.TagQueue, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: set})
	}, func(keys []string) error {
		return awscall.Retry(ctx, k.wait, awscall.RetryCodes(), k.api.UntagQueue, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: keys})
	})
}

// Delete re-reads the queue's tags, deletes it only when they still are live's ownership tags,
// and waits until its name no longer resolves (SQS takes up to 60 s to forget a queue).
func (k *SQSQueue) Delete(ctx context.Context, live state.Resource) error {
	url := live.ID
	tags, err := k.tags(ctx, url)
	if errors.Is(err, reconcile.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete sqs queue %s: %w", live.Name, err)
	}
	if !live.Owner.Owns(tags) {
		return fmt.Errorf("delete sqs queue %s: %w", live.Name, awscall.NotOwned("sqs queue", live.Name, tags))
	}
	err = k.wait.Retry(ctx, awscall.RetryCodes(), func(ctx context.Context) error {
		_, err := awscall.Call(ctx, func(ctx context.Context) (*sqs.DeleteQueueOutput, error) {
			return k.api.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
		})
		return awscall.NotFound(err, sqsNotFoundCodes...)
	})
	if err != nil && !errors.Is(err, reconcile.ErrNotFound) {
		return fmt.Errorf("delete sqs queue %s: %w", live.Name, err)
	}
	return k.waitGone(ctx, live.Name)
}

func (k *SQSQueue) waitGone(ctx context.Context, name string) error {
	err := k.wait.Until(ctx, func(ctx context.Context) (bool, error) {
		_, err := k.urlOf(ctx, name)
		switch {
		case errors.Is(err, reconcile.ErrNotFound):
			return true, nil
		case err != nil:
			return false, err
		}
		return false, errors.New("the queue still resolves")
	})
	if err != nil {
		return fmt.Errorf("delete sqs queue %s: wait until gone: %w", name, err)
	}
	return nil
}

// urlOf resolves a queue name to its URL; ErrNotFound when no queue has that name.
func (k *SQSQueue) urlOf(ctx context.Context, name string) (string, error) {
	out, err := awscall.Call(ctx, func(ctx context.Context) (*sqs.GetQueueUrlOutput, error) {
		return k.api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	})
	if err != nil {
		return "", awscall.NotFound(err, sqsNotFoundCodes...)
	}
	return aws.ToString(out.QueueUrl), nil
}

func (k *SQSQueue) tags(ctx context.Context, url string) (map[string]string, error) {
	out, err := awscall.Call(ctx, func(ctx context.Context) (*sqs.ListQueueTagsOutput, error) {
		return k.api.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	})
	if err != nil {
		return nil, awscall.NotFound(err, sqsNotFoundCodes...)
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}

// observe reads the queue's attributes (and its tags unless given).
func (k *SQSQueue) observe(ctx context.Context, url string, tags map[string]string) (state.Resource, error) {
	if tags == nil {
		var err error
		if tags, err = k.tags(ctx, url); err != nil {
			return state.Resource{}, err
		}
	}
	out, err := awscall.Call(ctx, func(ctx context.Context) (*sqs.GetQueueAttributesOutput, error) {
		return k.api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
		})
	})
	if err != nil {
		return state.Resource{}, awscall.NotFound(err, sqsNotFoundCodes...)
	}
	props, err := sqsObservedProps(out.Attributes)
	if err != nil {
		return state.Resource{}, fmt.Errorf("read sqs queue %s: %w", url, err)
	}
	owner, _ := state.OwnerOf(tags)
	name := url[strings.LastIndex(url, "/")+1:]
	return state.Resource{
		Kind: "sqs.queue", Owner: owner, ID: url, Name: name, Tags: tags, Props: props,
		Attrs: map[string]string{"arn": out.Attributes["QueueArn"], "url": url, "name": name},
	}, nil
}

// sqsAttributes renders p as the managed queue attributes, "" meaning unset. With a KMS key
// SSE-SQS is switched off explicitly: a queue has one server-side encryption at a time.
func sqsAttributes(p *spec.SQSQueue) map[string]string {
	a := map[string]string{
		sqsAttrVisibility: strconv.Itoa(p.VisibilityTimeoutSeconds),
		sqsAttrRetention:  strconv.Itoa(p.MessageRetentionSeconds),
		sqsAttrMaxSize:    strconv.Itoa(p.MaxMessageSizeBytes),
		sqsAttrDelay:      strconv.Itoa(p.DelaySeconds),
		sqsAttrWait:       strconv.Itoa(p.ReceiveWaitTimeSeconds),
		sqsAttrSSE:        strconv.FormatBool(sqsManagedSSE(p)),
		sqsAttrKMS:        p.KMSKeyID,
		sqsAttrRedrive:    "",
	}
	if p.Redrive != nil {
		b, _ := json.Marshal(sqsRedrive{Target: p.Redrive.DeadLetterQueueARN, MaxReceive: p.Redrive.MaxReceiveCount})
		a[sqsAttrRedrive] = string(b)
	}
	return a
}

// sqsAttrPaths maps each managed attribute to the spec path whose diff changes it.
var sqsAttrPaths = map[string]string{
	sqsAttrVisibility: "visibility_timeout_seconds",
	sqsAttrRetention:  "message_retention_seconds",
	sqsAttrMaxSize:    "max_message_size_bytes",
	sqsAttrDelay:      "delay_seconds",
	sqsAttrWait:       "receive_wait_time_seconds",
	sqsAttrSSE:        "sse",
	sqsAttrKMS:        "kms_key_id",
	sqsAttrRedrive:    "redrive",
}

// sqsChangedAttributes is what SetQueueAttributes must send for the plan's changes: want's
// value of every attribute whose path changed. An empty RedrivePolicy or KmsMasterKeyId
// removes it.
func sqsChangedAttributes(changes reconcile.Changes, want *spec.SQSQueue) map[string]string {
	out := map[string]string{}
	for name, v := range sqsAttributes(want) {
		if changes.Changed(sqsAttrPaths[name]) {
			out[name] = v
		}
	}
	return out
}

// sqsRedrive is the RedrivePolicy JSON as this kind writes it.
type sqsRedrive struct {
	Target     string `json:"deadLetterTargetArn"`
	MaxReceive int    `json:"maxReceiveCount"`
}

func sqsObservedProps(a map[string]string) (*spec.SQSQueue, error) {
	p := &spec.SQSQueue{
		SSE:      a[sqsAttrSSE] == "true",
		KMSKeyID: a[sqsAttrKMS],
	}
	for name, dst := range map[string]*int{
		sqsAttrVisibility: &p.VisibilityTimeoutSeconds, sqsAttrRetention: &p.MessageRetentionSeconds,
		sqsAttrMaxSize: &p.MaxMessageSizeBytes, sqsAttrDelay: &p.DelaySeconds, sqsAttrWait: &p.ReceiveWaitTimeSeconds,
	} {
		if a[name] == "" {
			continue
		}
		n, err := strconv.Atoi(a[name])
		if err != nil {
			return nil, fmt.Errorf("attribute %s=%q: %w", name, a[name], err)
		}
		*dst = n
	}
	r, err := sqsParseRedrive(a[sqsAttrRedrive])
	if err != nil {
		return nil, err
	}
	p.Redrive = r
	return p, nil
}

// sqsParseRedrive reads RedrivePolicy; maxReceiveCount reads back as a number or, when a
// console or older tool wrote it, as a string.
func sqsParseRedrive(s string) (*spec.Redrive, error) {
	if s == "" {
		return nil, nil
	}
	var raw struct {
		Target     string          `json:"deadLetterTargetArn"`
		MaxReceive json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("attribute RedrivePolicy %q: %w", s, err)
	}
	if raw.Target == "" {
		return nil, nil // "{}" is how a removed redrive policy can read back
	}
	n, err := strconv.Atoi(strings.Trim(string(raw.MaxReceive), `"`))
	if err != nil {
		return nil, fmt.Errorf("attribute RedrivePolicy maxReceiveCount %s: %w", raw.MaxReceive, err)
	}
	return &spec.Redrive{DeadLetterQueueARN: raw.Target, MaxReceiveCount: n}, nil
}
