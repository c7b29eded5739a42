package kinds

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// ---- unit tests with a hand-written fake ----

// fakeSQS is SQSQueueAPI with one function field per operation; a nil field fails the call.
type fakeSQS struct {
	calls              fakeCalls
	createQueue        func(*sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error)
	getQueueUrl        func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error)
	getQueueAttributes func(*sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error)
	setQueueAttributes func(*sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error)
	listQueues         func(*sqs.ListQueuesInput) (*sqs.ListQueuesOutput, error)
	listQueueTags      func(*sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error)
	tagQueue           func(*sqs.TagQueueInput) (*sqs.TagQueueOutput, error)
	untagQueue         func(*sqs.UntagQueueInput) (*sqs.UntagQueueOutput, error)
	deleteQueue        func(*sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error)
}

func (f *fakeSQS) CreateQueue(_ context.Context, in *sqs.CreateQueueInput, _ ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	return fakeCall(&f.calls, "CreateQueue", f.createQueue, in)
}
func (f *fakeSQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return fakeCall(&f.calls, "GetQueueUrl", f.getQueueUrl, in)
}
func (f *fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return fakeCall(&f.calls, "GetQueueAttributes", f.getQueueAttributes, in)
}
func (f *fakeSQS) SetQueueAttributes(_ context.Context, in *sqs.SetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	return fakeCall(&f.calls, "SetQueueAttributes", f.setQueueAttributes, in)
}
func (f *fakeSQS) ListQueues(_ context.Context, in *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	return fakeCall(&f.calls, "ListQueues", f.listQueues, in)
}
func (f *fakeSQS) ListQueueTags(_ context.Context, in *sqs.ListQueueTagsInput, _ ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	return fakeCall(&f.calls, "ListQueueTags", f.listQueueTags, in)
}
func (f *fakeSQS) TagQueue(_ context.Context, in *sqs.TagQueueInput, _ ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	return fakeCall(&f.calls, "TagQueue", f.tagQueue, in)
}
func (f *fakeSQS) UntagQueue(_ context.Context, in *sqs.UntagQueueInput, _ ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error) {
	return fakeCall(&f.calls, "UntagQueue", f.untagQueue, in)
}
func (f *fakeSQS) DeleteQueue(_ context.Context, in *sqs.DeleteQueueInput, _ ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error) {
	return fakeCall(&f.calls, "DeleteQueue", f.deleteQueue, in)
}

// memQueue is one queue of memSQS.
type memQueue struct{ attrs, tags map[string]string }

const memSQSBase = "https://sqs.test/000000000000/"

// memSQS fills every field of a fakeSQS with a small in-memory SQS; tests replace single
// fields to inject errors. ListQueues pages by two, to exercise NextToken.
func memSQS(queues map[string]*memQueue) *fakeSQS {
	f := &fakeSQS{}
	store := memStoreOf(queues, func(url string) string { return strings.TrimPrefix(url, memSQSBase) },
		memMissing("AWS.SimpleQueueService.NonExistentQueue"))
	get := store.get
	f.createQueue = func(in *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
		name := aws.ToString(in.QueueName)
		if q, ok := queues[name]; ok {
			for k, v := range in.Attributes {
				if q.attrs[k] != v {
					return nil, miscAPIErr("QueueAlreadyExists")
				}
			}
			return &sqs.CreateQueueOutput{QueueUrl: aws.String(memSQSBase + name)}, nil
		}
		attrs := map[string]string{"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "MaximumMessageSize": "262144",
			"DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true"}
		for k, v := range in.Attributes {
			attrs[k] = v
		}
		tags := map[string]string{}
		for k, v := range in.Tags {
			tags[k] = v
		}
		queues[name] = &memQueue{attrs: attrs, tags: tags}
		return &sqs.CreateQueueOutput{QueueUrl: aws.String(memSQSBase + name)}, nil
	}
	f.getQueueUrl = func(in *sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
		if _, ok := queues[aws.ToString(in.QueueName)]; !ok {
			return nil, miscAPIErr("AWS.SimpleQueueService.NonExistentQueue")
		}
		return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(memSQSBase + aws.ToString(in.QueueName))}, nil
	}
	f.getQueueAttributes = func(in *sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) {
		q, err := get(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		out := map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:" + strings.TrimPrefix(aws.ToString(in.QueueUrl), memSQSBase)}
		for k, v := range q.attrs {
			out[k] = v
		}
		return &sqs.GetQueueAttributesOutput{Attributes: out}, nil
	}
	f.setQueueAttributes = func(in *sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
		q, err := get(in.QueueUrl)
		if err != nil {
			return nil, err
		}
		for k, v := range in.Attributes {
			if v == "" {
				delete(q.attrs, k)
			} else {
				q.attrs[k] = v
			}
		}
		return &sqs.SetQueueAttributesOutput{}, nil
	}
	f.listQueues = func(in *sqs.ListQueuesInput) (*sqs.ListQueuesOutput, error) {
		names, next := memPage(slices.Sorted(maps.Keys(queues)), in.NextToken)
		out := &sqs.ListQueuesOutput{NextToken: next}
		for _, n := range names {
			out.QueueUrls = append(out.QueueUrls, memSQSBase+n)
		}
		return out, nil
	}
	tags := memTagsOf(get, func(q *memQueue) map[string]string { return q.tags })
	f.listQueueTags = memListTags(tags, func(in *sqs.ListQueueTagsInput) *string { return in.QueueUrl },
		func(t map[string]string) *sqs.ListQueueTagsOutput { return &sqs.ListQueueTagsOutput{Tags: t} })
	f.tagQueue = memTag(tags, func(in *sqs.TagQueueInput) (*string, map[string]string) { return in.QueueUrl, in.Tags }, &sqs.TagQueueOutput{})
	f.untagQueue = memUntag(tags, func(in *sqs.UntagQueueInput) (*string, []string) { return in.QueueUrl, in.TagKeys }, &sqs.UntagQueueOutput{})
	f.deleteQueue = func(in *sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error) {
		if err := store.remove(in.QueueUrl); err != nil {
			return nil, err
		}
		return &sqs.DeleteQueueOutput{}, nil
	}
	return f
}

func unitSQS(api SQSQueueAPI) *SQSQueue {
	k := NewSQSQueue(api, "us-east-1")
	k.wait = reconcile.InstantBackoff
	return k
}

func sqsDefaults() *spec.SQSQueue { return specDefaults[*spec.SQSQueue]("sqs.queue") }

// ourQueue is a memQueue carrying o's ownership tags and the default attributes.
func ourQueue(o state.Owner, attrs map[string]string) *memQueue {
	a := map[string]string{"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "MaximumMessageSize": "262144",
		"DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true"}
	for k, v := range attrs {
		a[k] = v
	}
	return &memQueue{attrs: a, tags: o.Tags()}
}

func TestSQSQueueDiff(t *testing.T) {
	redrive := &spec.Redrive{DeadLetterQueueARN: "arn:dlq", MaxReceiveCount: 5}
	cases := []struct {
		name   string
		change func(p *spec.SQSQueue)
		live   func(p *spec.SQSQueue)
		paths  []string
	}{
		{name: "no change", change: func(*spec.SQSQueue) {}},
		{name: "visibility", change: func(p *spec.SQSQueue) { p.VisibilityTimeoutSeconds = 60 }, paths: []string{"visibility_timeout_seconds"}},
		{name: "retention", change: func(p *spec.SQSQueue) { p.MessageRetentionSeconds = 60 }, paths: []string{"message_retention_seconds"}},
		{name: "max size", change: func(p *spec.SQSQueue) { p.MaxMessageSizeBytes = 1024 }, paths: []string{"max_message_size_bytes"}},
		{name: "delay", change: func(p *spec.SQSQueue) { p.DelaySeconds = 5 }, paths: []string{"delay_seconds"}},
		{name: "wait time", change: func(p *spec.SQSQueue) { p.ReceiveWaitTimeSeconds = 20 }, paths: []string{"receive_wait_time_seconds"}},
		{name: "sse off", change: func(p *spec.SQSQueue) { p.SSE = false }, paths: []string{"sse"}},
		{name: "kms key", change: func(p *spec.SQSQueue) { p.KMSKeyID = "alias/x" }, paths: []string{"sse", "kms_key_id"}},
		{name: "sse ignored under a kms key", change: func(p *spec.SQSQueue) { p.KMSKeyID = "alias/x" },
			live: func(p *spec.SQSQueue) { p.KMSKeyID = "alias/x"; p.SSE = false }},
		{name: "redrive added", change: func(p *spec.SQSQueue) { p.Redrive = redrive }, paths: []string{"redrive"}},
		{name: "redrive count", change: func(p *spec.SQSQueue) { p.Redrive = &spec.Redrive{DeadLetterQueueARN: "arn:dlq", MaxReceiveCount: 6} },
			live: func(p *spec.SQSQueue) { p.Redrive = redrive }, paths: []string{"redrive"}},
		{name: "redrive removed", change: func(p *spec.SQSQueue) { p.Redrive = nil },
			live: func(p *spec.SQSQueue) { p.Redrive = redrive }, paths: []string{"redrive"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, live := sqsDefaults(), sqsDefaults()
			c.change(want)
			if c.live != nil {
				c.live(live)
			}
			diffs := tk[spec.SQSQueue](unitSQS(nil)).Diff(desired(miscOwner("q"), "q", want), state.Resource{Props: live})
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.Path)
				assert.False(t, d.ForceNew, "every sqs attribute changes in place: %s", d.Path)
			}
			assert.Equal(t, c.paths, paths)
		})
	}
}

func TestSQSQueueCreateNewTagsInCreateCall(t *testing.T) {
	queues := map[string]*memQueue{}
	f := memSQS(queues)
	var sent *sqs.CreateQueueInput
	create := f.createQueue
	f.createQueue = func(in *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) { sent = in; return create(in) }
	o := miscOwner("jobs")
	d := desired(o, "jobs-dev", sqsDefaults())

	got, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), d)
	require.NoError(t, err)
	require.NotNil(t, sent)
	assert.Equal(t, d.Tags, sent.Tags, "ownership and user tags go in CreateQueue itself")
	assert.Equal(t, "true", sent.Attributes["SqsManagedSseEnabled"])
	assert.NotContains(t, sent.Attributes, "KmsMasterKeyId", "unset attributes are not sent")
	assert.NotContains(t, sent.Attributes, "RedrivePolicy")
	assert.Empty(t, tk[spec.SQSQueue](unitSQS(f)).Diff(d, got))
	assert.Equal(t, memSQSBase+"jobs-dev", got.ID)
	assert.Equal(t, map[string]string{"arn": "arn:aws:sqs:us-east-1:000000000000:jobs-dev", "url": memSQSBase + "jobs-dev", "name": "jobs-dev"}, got.Attrs)
	assert.Equal(t, o, got.Owner)
	f.calls.none(t, "SetQueueAttributes", "TagQueue", "UntagQueue")
}

func TestSQSQueueCreateFIFOAndKMS(t *testing.T) {
	f := memSQS(map[string]*memQueue{})
	var sent *sqs.CreateQueueInput
	create := f.createQueue
	f.createQueue = func(in *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) { sent = in; return create(in) }
	p := sqsDefaults()
	p.KMSKeyID = "alias/orders"
	p.Redrive = &spec.Redrive{DeadLetterQueueARN: "arn:aws:sqs:us-east-1:000000000000:dlq", MaxReceiveCount: 3}
	d := desired(miscOwner("orders"), "orders.fifo", p)

	got, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "true", sent.Attributes["FifoQueue"], "a .fifo name needs FifoQueue")
	assert.Equal(t, "alias/orders", sent.Attributes["KmsMasterKeyId"])
	assert.Equal(t, "false", sent.Attributes["SqsManagedSseEnabled"], "one server-side encryption at a time")
	assert.JSONEq(t, `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":3}`, sent.Attributes["RedrivePolicy"])
	assert.Empty(t, tk[spec.SQSQueue](unitSQS(f)).Diff(d, got))
}

func TestSQSQueueCreateAdoptsOurs(t *testing.T) {
	o := miscOwner("jobs")
	queues := map[string]*memQueue{"jobs-dev": ourQueue(o, map[string]string{"VisibilityTimeout": "10"})}
	queues["jobs-dev"].tags["Stale"] = "yes"
	f := memSQS(queues)
	var set map[string]string
	setAttrs := f.setQueueAttributes
	f.setQueueAttributes = func(in *sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
		set = in.Attributes
		return setAttrs(in)
	}
	d := desired(o, "jobs-dev", sqsDefaults())

	got, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), d)
	require.NoError(t, err)
	f.calls.none(t, "CreateQueue")
	assert.Equal(t, map[string]string{"VisibilityTimeout": "30"}, set, "only what differs is sent")
	assert.Empty(t, tk[spec.SQSQueue](unitSQS(f)).Diff(d, got))
	assert.Equal(t, d.Tags, got.Tags, "user tags added, stale ones removed")
	assert.Equal(t, d.Tags, queues["jobs-dev"].tags)
}

func TestSQSQueueCreateRefusesForeign(t *testing.T) {
	o := miscOwner("jobs")
	cases := map[string]map[string]string{
		"untagged":     {},
		"user tags":    {"Team": "payments"},
		"other suffix": state.Owner{Stack: o.Stack, Suffix: "prod", ID: o.ID}.Tags(),
		"other stack":  state.Owner{Stack: "other", Suffix: o.Suffix, ID: o.ID}.Tags(),
		"other id":     state.Owner{Stack: o.Stack, Suffix: o.Suffix, ID: "mail"}.Tags(),
	}
	for name, tags := range cases {
		t.Run(name, func(t *testing.T) {
			queues := map[string]*memQueue{"jobs-dev": {attrs: map[string]string{"VisibilityTimeout": "10"}, tags: tags}}
			f := memSQS(queues)
			_, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), desired(o, "jobs-dev", sqsDefaults()))
			require.ErrorIs(t, err, reconcile.ErrNotOwned)
			assert.Contains(t, err.Error(), "jobs-dev")
			f.calls.none(t, "CreateQueue", "SetQueueAttributes", "TagQueue", "UntagQueue", "DeleteQueue")
			assert.Equal(t, "10", queues["jobs-dev"].attrs["VisibilityTimeout"])
			assert.Equal(t, tags, queues["jobs-dev"].tags)
		})
	}
}

// A queue created between the lookup and CreateQueue makes CreateQueue fail with
// QueueAlreadyExists; Create then decides by its tags like any existing queue.
func TestSQSQueueCreateRaceWithExisting(t *testing.T) {
	o := miscOwner("jobs")
	for _, tc := range []struct {
		name    string
		tags    map[string]string
		wantErr error
	}{
		{"ours", o.Tags(), nil},
		{"foreign", map[string]string{"Team": "x"}, reconcile.ErrNotOwned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			queues := map[string]*memQueue{}
			f := memSQS(queues)
			f.createQueue = func(*sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
				queues["jobs-dev"] = &memQueue{attrs: map[string]string{"VisibilityTimeout": "10"}, tags: tc.tags}
				return nil, miscAPIErr("QueueAlreadyExists")
			}
			_, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), desired(o, "jobs-dev", sqsDefaults()))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				f.calls.none(t, "SetQueueAttributes", "TagQueue")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "30", queues["jobs-dev"].attrs["VisibilityTimeout"])
		})
	}
}

func TestSQSQueueCreateRetriesDeletedRecently(t *testing.T) {
	for _, code := range []string{"AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently"} {
		t.Run(code, func(t *testing.T) {
			f := memSQS(map[string]*memQueue{})
			create, fails := f.createQueue, 2
			f.createQueue = func(in *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
				if fails > 0 {
					fails--
					return nil, miscAPIErr(code)
				}
				return create(in)
			}
			_, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), desired(miscOwner("jobs"), "jobs-dev", sqsDefaults()))
			require.NoError(t, err)
			assert.Equal(t, 3, f.calls.count("CreateQueue"))
		})
	}
}

func TestSQSQueueCreateDoesNotRetryOtherErrors(t *testing.T) {
	f := memSQS(map[string]*memQueue{})
	f.createQueue = func(*sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
		return nil, miscAPIErr("InvalidAttributeValue")
	}
	_, err := tk[spec.SQSQueue](unitSQS(f)).Create(context.Background(), desired(miscOwner("jobs"), "jobs-dev", sqsDefaults()))
	require.Error(t, err)
	assert.Equal(t, 1, f.calls.count("CreateQueue"))
	assert.Contains(t, err.Error(), "create sqs queue jobs-dev: ")
	assert.Equal(t, "InvalidAttributeValue", awscall.Code(err))
}

func TestSQSQueueUpdate(t *testing.T) {
	o := miscOwner("jobs")
	queues := map[string]*memQueue{"jobs-dev": ourQueue(o, map[string]string{
		"KmsMasterKeyId": "alias/old", "SqsManagedSseEnabled": "false",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":"4"}`})}
	queues["jobs-dev"].tags["Old"] = "1"
	f := memSQS(queues)
	k := unitSQS(f)
	live, err := k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	require.Len(t, live, 1)
	var set map[string]string
	setAttrs := f.setQueueAttributes
	f.setQueueAttributes = func(in *sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
		set = in.Attributes
		return setAttrs(in)
	}
	d := desired(o, "jobs-dev", sqsDefaults()) // SSE-SQS, no KMS key, no redrive

	got, err := tk[spec.SQSQueue](k).Update(context.Background(), d, live[0])
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"KmsMasterKeyId": "", "SqsManagedSseEnabled": "true", "RedrivePolicy": ""}, set,
		"empty values remove the KMS key and the redrive policy")
	assert.Empty(t, tk[spec.SQSQueue](k).Diff(d, got))
	assert.Equal(t, d.Tags, queues["jobs-dev"].tags)
}

// TestSQSQueueUpdateSendsChangedPaths: SetQueueAttributes carries the attributes of the
// paths the plan's changes name, and nothing when only tags changed.
func TestSQSQueueUpdateSendsChangedPaths(t *testing.T) {
	o := miscOwner("jobs")
	cases := []struct {
		name   string
		change func(d *reconcile.Desired, p *spec.SQSQueue)
		want   map[string]string
	}{
		{"visibility", func(_ *reconcile.Desired, p *spec.SQSQueue) { p.VisibilityTimeoutSeconds = 60 },
			map[string]string{"VisibilityTimeout": "60"}},
		{"kms key turns sse-sqs off", func(_ *reconcile.Desired, p *spec.SQSQueue) { p.KMSKeyID = "alias/k" },
			map[string]string{"KmsMasterKeyId": "alias/k", "SqsManagedSseEnabled": "false"}},
		{"redrive", func(_ *reconcile.Desired, p *spec.SQSQueue) {
			p.Redrive = &spec.Redrive{DeadLetterQueueARN: "arn:dlq", MaxReceiveCount: 5}
		}, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":5}`}},
		{"tags only", func(d *reconcile.Desired, _ *spec.SQSQueue) { d.Tags["Team"] = "pay" }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := memSQS(map[string]*memQueue{"jobs-dev": ourQueue(o, nil)})
			var sent map[string]string
			setAttrs := f.setQueueAttributes
			f.setQueueAttributes = func(in *sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
				sent = in.Attributes
				return setAttrs(in)
			}
			k := tk[spec.SQSQueue](unitSQS(f))
			live, err := k.List(context.Background(), state.Selector{Suffix: "dev"})
			require.NoError(t, err)
			require.Len(t, live, 1)
			p := sqsDefaults()
			d := desired(o, "jobs-dev", p)
			tc.change(&d, p)
			_, err = k.Update(context.Background(), d, live[0])
			require.NoError(t, err)
			assert.Equal(t, tc.want, sent)
			if tc.want == nil {
				f.calls.none(t, "SetQueueAttributes")
			}
		})
	}
}

func TestSQSQueueUpdateRefusesForeignLive(t *testing.T) {
	f := memSQS(map[string]*memQueue{})
	live := state.Resource{ID: memSQSBase + "x", Name: "x", Props: sqsDefaults(), Tags: map[string]string{"Team": "x"}}
	_, err := tk[spec.SQSQueue](unitSQS(f)).Update(context.Background(), desired(miscOwner("x"), "x", sqsDefaults()), live)
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	assert.Empty(t, f.calls)
}

func TestSQSQueueList(t *testing.T) {
	o := miscOwner("jobs")
	queues := map[string]*memQueue{
		"a-ours-dev":         ourQueue(o, nil),
		"b-other-suffix-dev": ourQueue(state.Owner{Stack: o.Stack, Suffix: "prod", ID: "jobs"}, nil),
		"c-untagged-dev":     {attrs: map[string]string{}, tags: map[string]string{}},
		"d-other-stack-dev":  ourQueue(state.Owner{Stack: "billing", Suffix: "dev", ID: "jobs"}, nil),
		"e-ours-too-dev":     ourQueue(miscOwner("mail"), nil),
		"f-vanishing-dev":    ourQueue(miscOwner("gone"), nil),
	}
	f := memSQS(queues)
	tags := f.listQueueTags
	f.listQueueTags = func(in *sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error) {
		if strings.HasSuffix(aws.ToString(in.QueueUrl), "f-vanishing-dev") {
			return nil, miscAPIErr("AWS.SimpleQueueService.NonExistentQueue") // deleted since ListQueues
		}
		return tags(in)
	}
	k := unitSQS(f)

	got, err := k.List(context.Background(), state.Selector{Stack: "shop", Suffix: "dev"})
	require.NoError(t, err)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
		assert.NotEmpty(t, r.Attrs["arn"])
	}
	assert.Equal(t, []string{"a-ours-dev", "e-ours-too-dev"}, names)
	assert.Equal(t, 3, f.calls.count("ListQueues"), "all pages are read")

	got, err = k.List(context.Background(), state.Selector{Suffix: "dev"})
	require.NoError(t, err)
	assert.Len(t, got, 3, "any stack of that suffix")
}

func TestSQSQueueDelete(t *testing.T) {
	o := miscOwner("jobs")
	live := state.Resource{Kind: "sqs.queue", Owner: o, ID: memSQSBase + "jobs-dev", Name: "jobs-dev"}

	t.Run("deletes and waits until the name no longer resolves", func(t *testing.T) {
		queues := map[string]*memQueue{"jobs-dev": ourQueue(o, nil)}
		f := memSQS(queues)
		lookups := 0
		f.getQueueUrl = func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
			if lookups++; lookups < 3 { // SQS keeps answering for a while after DeleteQueue
				return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(live.ID)}, nil
			}
			return nil, miscAPIErr("AWS.SimpleQueueService.NonExistentQueue")
		}
		require.NoError(t, unitSQS(f).Delete(context.Background(), live))
		assert.Empty(t, queues)
		assert.Equal(t, 3, lookups)
	})
	t.Run("already gone", func(t *testing.T) {
		f := memSQS(map[string]*memQueue{})
		require.NoError(t, unitSQS(f).Delete(context.Background(), live))
		f.calls.none(t, "DeleteQueue")
	})
	t.Run("gone between the tag check and the delete", func(t *testing.T) {
		f := memSQS(map[string]*memQueue{"jobs-dev": ourQueue(o, nil)})
		f.deleteQueue = func(*sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error) {
			return nil, miscAPIErr("QueueDoesNotExist")
		}
		f.getQueueUrl = func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
			return nil, miscAPIErr("QueueDoesNotExist")
		}
		require.NoError(t, unitSQS(f).Delete(context.Background(), live))
	})
	t.Run("refuses when the tags are no longer ours", func(t *testing.T) {
		queues := map[string]*memQueue{"jobs-dev": {attrs: map[string]string{}, tags: map[string]string{"Team": "x"}}}
		f := memSQS(queues)
		err := unitSQS(f).Delete(context.Background(), live)
		require.ErrorIs(t, err, reconcile.ErrNotOwned)
		f.calls.none(t, "DeleteQueue")
		assert.Contains(t, queues, "jobs-dev")
	})
	t.Run("other errors surface", func(t *testing.T) {
		f := memSQS(map[string]*memQueue{"jobs-dev": ourQueue(o, nil)})
		f.deleteQueue = func(*sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error) {
			return nil, miscAPIErr("AccessDenied")
		}
		err := unitSQS(f).Delete(context.Background(), live)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "delete sqs queue jobs-dev")
	})
}

func TestSQSObservedProps(t *testing.T) {
	base := map[string]string{"VisibilityTimeout": "30", "MessageRetentionPeriod": "345600", "MaximumMessageSize": "262144",
		"DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true"}
	for name, tc := range map[string]struct {
		redrive string
		want    *spec.Redrive
	}{
		"number":  {`{"deadLetterTargetArn":"arn:d","maxReceiveCount":5}`, &spec.Redrive{DeadLetterQueueARN: "arn:d", MaxReceiveCount: 5}},
		"string":  {`{"deadLetterTargetArn":"arn:d","maxReceiveCount":"5"}`, &spec.Redrive{DeadLetterQueueARN: "arn:d", MaxReceiveCount: 5}},
		"empty":   {`{}`, nil},
		"missing": {"", nil},
	} {
		t.Run(name, func(t *testing.T) {
			a := map[string]string{"RedrivePolicy": tc.redrive}
			for k, v := range base {
				a[k] = v
			}
			p, err := sqsObservedProps(a)
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.Redrive)
			want := sqsDefaults()
			want.Redrive = tc.want
			assert.Equal(t, want, p, "the defaults read back as the spec's defaults")
		})
	}
	_, err := sqsObservedProps(map[string]string{"VisibilityTimeout": "x"})
	assert.Error(t, err)
}

// ---- integration tests against the emulator ----

func integrationSQS(t *testing.T) (*SQSQueue, *sqs.Client) {
	t.Helper()
	client := sqs.NewFromConfig(emuConfig(t))
	return NewSQSQueue(client, "us-east-1"), client
}

func TestSQSQueueLifecycle(t *testing.T) {
	k, client := integrationSQS(t)
	ctx := context.Background()
	o := testOwner(t, "jobs")
	dlqName := "dlq-" + o.Suffix
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(dlqName)})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: dlq.QueueUrl}) })
	dlqAttrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)

	d := desired(o, "jobs-"+o.Suffix, sqsDefaults())
	checkLifecycle(t, tk[spec.SQSQueue](k), d, func(d reconcile.Desired) reconcile.Desired {
		p := *d.Props.(*spec.SQSQueue)
		p.VisibilityTimeoutSeconds = 120
		p.DelaySeconds = 5
		p.Redrive = &spec.Redrive{DeadLetterQueueARN: dlqAttrs.Attributes["QueueArn"], MaxReceiveCount: 4}
		d.Props = &p
		return d
	})
}

func TestSQSQueueRefusesUntaggedAndListsBySuffix(t *testing.T) {
	k, client := integrationSQS(t)
	ctx := context.Background()
	o := testOwner(t, "jobs")

	foreign := "foreign-" + o.Suffix
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(foreign),
		Attributes: map[string]string{"VisibilityTimeout": "30"}})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}) })

	_, err = tk[spec.SQSQueue](k).Create(ctx, desired(o, foreign, sqsDefaults()))
	require.ErrorIs(t, err, reconcile.ErrNotOwned)
	tags, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: out.QueueUrl})
	require.NoError(t, err)
	assert.Empty(t, tags.Tags, "the foreign queue is left untouched")

	ours, err := tk[spec.SQSQueue](k).Create(ctx, desired(o, "ours-"+o.Suffix, sqsDefaults()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Delete(context.Background(), ours) })
	other, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix + "x"})
	require.NoError(t, err)
	assert.Empty(t, other, "another suffix does not see it")
	mine, err := k.List(ctx, state.Selector{Stack: o.Stack, Suffix: o.Suffix})
	require.NoError(t, err)
	require.Len(t, mine, 1, "the untagged queue is not listed")
	assert.Equal(t, ours.ID, mine[0].ID)
}
