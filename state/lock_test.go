package state

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeSSM keeps parameters in memory with SSM's semantics for what the lock uses: PutParameter
// without Overwrite fails with ParameterAlreadyExists, tags and Overwrite cannot go together,
// and LastModifiedDate is stamped by the (fake) server clock.
type fakeSSM struct {
	mu     sync.Mutex
	clock  *fakeClock
	params map[string]ssmtypes.Parameter
	tags   map[string][]ssmtypes.Tag
	// beforePut runs before a put is applied (outside the lock), to interleave another run;
	// once it answers true it is not called again.
	beforePut func(name string) bool
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newFakeSSM() *fakeSSM {
	return &fakeSSM{clock: &fakeClock{t: time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)},
		params: map[string]ssmtypes.Parameter{}, tags: map[string][]ssmtypes.Tag{}}
}

func (f *fakeSSM) PutParameter(_ context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	if hook := f.beforePut; hook != nil {
		f.beforePut = nil
		if !hook(aws.ToString(in.Name)) {
			f.beforePut = hook
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.Name)
	overwrite := aws.ToBool(in.Overwrite)
	if overwrite && len(in.Tags) > 0 {
		return nil, errors.New("ValidationException: tags and overwrite can't be used together")
	}
	old, exists := f.params[name]
	if exists && !overwrite {
		return nil, &ssmtypes.ParameterAlreadyExists{Message: aws.String("The parameter already exists.")}
	}
	now := f.clock.Now()
	f.params[name] = ssmtypes.Parameter{Name: in.Name, Value: in.Value, Version: old.Version + 1, LastModifiedDate: &now}
	if !exists {
		f.tags[name] = in.Tags
	}
	return &ssm.PutParameterOutput{Version: old.Version + 1}, nil
}

func (f *fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.params[aws.ToString(in.Name)]
	if !ok {
		return nil, &ssmtypes.ParameterNotFound{}
	}
	return &ssm.GetParameterOutput{Parameter: &p}, nil
}

func (f *fakeSSM) DeleteParameter(_ context.Context, in *ssm.DeleteParameterInput, _ ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.params[aws.ToString(in.Name)]; !ok {
		return nil, &ssmtypes.ParameterNotFound{}
	}
	delete(f.params, aws.ToString(in.Name))
	delete(f.tags, aws.ToString(in.Name))
	return &ssm.DeleteParameterOutput{}, nil
}

func (f *fakeSSM) GetParametersByPath(_ context.Context, in *ssm.GetParametersByPathInput, _ ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &ssm.GetParametersByPathOutput{}
	for name, p := range f.params {
		if strings.HasPrefix(name, aws.ToString(in.Path)+"/") {
			out.Parameters = append(out.Parameters, p)
		}
	}
	sort.Slice(out.Parameters, func(i, j int) bool { return *out.Parameters[i].Name < *out.Parameters[j].Name })
	return out, nil
}

func (f *fakeSSM) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for n := range f.params {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (f *fakeSSM) locker() *Locker {
	return &Locker{API: f, Stack: "webhook", Suffix: "dev", Now: f.clock.Now}
}

func holder(cmd string) Holder {
	return Holder{User: "alice", Host: "box", PID: 42, ARN: "arn:aws:iam::123456789012:user/alice", Command: cmd,
		Since: time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)}
}

func TestLockIsExclusiveAndReleased(t *testing.T) {
	f := newFakeSSM()
	ctx := context.Background()
	a, err := f.locker().TryAcquire(ctx, holder("apply"))
	require.NoError(t, err)
	assert.Equal(t, []string{"/provisioner/lock/dev/webhook/holder"}, f.names())
	assert.ElementsMatch(t, []string{TagStack, TagSuffix, TagLock}, tagKeys(f.tags["/provisioner/lock/dev/webhook/holder"]))

	f.clock.Add(20 * time.Second)
	_, err = f.locker().TryAcquire(ctx, holder("destroy"))
	var locked *LockedError
	require.ErrorAs(t, err, &locked)
	assert.Equal(t, a.Holder().RunID, locked.Info.Holder.RunID)
	assert.Equal(t, "stack webhook suffix dev is locked by alice@box (pid 42, arn:aws:iam::123456789012:user/alice) running apply since 2026-12-01T22:00:00Z (lease renewed 20s ago, expires in 2m40s)", err.Error())

	other := &Locker{API: f, Stack: "other", Suffix: "dev", Now: f.clock.Now}
	o, err := other.TryAcquire(ctx, holder("apply"))
	require.NoError(t, err, "stacks lock separately")
	stacks, err := Locks(ctx, f, "dev")
	require.NoError(t, err)
	assert.Equal(t, []string{"other", "webhook"}, stacks)

	require.NoError(t, a.Release(ctx, false))
	require.NoError(t, o.Release(ctx, true))
	assert.Empty(t, f.names())
	_, err = f.locker().TryAcquire(ctx, holder("destroy"))
	assert.NoError(t, err)
}

func TestLockRenewalKeepsAndExpiryFrees(t *testing.T) {
	f := newFakeSSM()
	ctx := context.Background()
	a, err := f.locker().TryAcquire(ctx, holder("apply"))
	require.NoError(t, err)
	for range 5 { // renewing every minute keeps a 3-minute lease for 5 minutes
		f.clock.Add(time.Minute)
		require.NoError(t, a.Renew(ctx))
	}
	_, err = f.locker().TryAcquire(ctx, holder("apply"))
	require.ErrorAs(t, err, new(*LockedError))

	f.clock.Add(DefaultLease + time.Second) // the run was killed: nobody renews
	b, err := f.locker().TryAcquire(ctx, holder("destroy"))
	require.NoError(t, err, "an expired lease is taken over")
	assert.ErrorIs(t, a.Renew(ctx), ErrLockLost, "the old holder learns it lost")
	info, ok, err := f.locker().Read(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, b.Holder().RunID, info.Holder.RunID, "the old holder's renewal did not clobber the new record")
	require.NoError(t, b.Release(ctx, true))
	assert.Empty(t, f.names(), "release with final deletes the break marker too")
}

// TestLockTakeoverRaces interleaves a second run at the moments where a delete-then-create
// takeover would let both runs hold the lock.
func TestLockTakeoverRaces(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*fakeSSM, string) {
		f := newFakeSSM()
		a, err := f.locker().TryAcquire(ctx, holder("apply"))
		require.NoError(t, err)
		f.clock.Add(DefaultLease + time.Second)
		return f, a.Holder().RunID
	}
	t.Run("C takes over completely between B's read and B's break", func(t *testing.T) {
		f, _ := setup(t)
		var c *Lease
		var cErr error
		f.beforePut = func(name string) bool {
			if !strings.Contains(name, "/break/") {
				return false
			}
			c, cErr = f.locker().TryAcquire(ctx, holder("apply"))
			return true
		}
		_, bErr := f.locker().TryAcquire(ctx, holder("apply"))
		require.NoError(t, cErr)
		require.ErrorAs(t, bErr, new(*LockedError), "B never deletes C's fresh lock")
		info, _, _ := f.locker().Read(ctx)
		assert.Equal(t, c.Holder().RunID, info.Holder.RunID)
	})
	t.Run("C arrives between B's delete and B's create", func(t *testing.T) {
		f, _ := setup(t)
		var cErr error
		broke := false
		f.beforePut = func(name string) bool {
			if strings.Contains(name, "/break/") {
				broke = true
				return false
			}
			if !broke {
				return false
			}
			_, cErr = f.locker().TryAcquire(ctx, holder("apply"))
			return true
		}
		_, bErr := f.locker().TryAcquire(ctx, holder("apply"))
		assert.True(t, broke)
		assert.Equal(t, 1, countNil(bErr, cErr), "exactly one holds: b=%v c=%v", bErr, cErr)
	})
	t.Run("an abandoned marker is passed", func(t *testing.T) {
		f, run := setup(t)
		_, err := f.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/provisioner/lock/dev/webhook/break/" + run + "/1"), Value: aws.String("{}")})
		require.NoError(t, err)
		_, err = f.locker().TryAcquire(ctx, holder("apply"))
		require.ErrorAs(t, err, new(*LockedError), "a fresh marker: another run is breaking")
		f.clock.Add(breakWindow)
		_, err = f.locker().TryAcquire(ctx, holder("apply"))
		require.NoError(t, err, "an abandoned marker is passed over")
		assert.Contains(t, f.names(), "/provisioner/lock/dev/webhook/break/"+run+"/2")
	})
}

func TestLockBreakByUnlock(t *testing.T) {
	f := newFakeSSM()
	ctx := context.Background()
	a, err := f.locker().TryAcquire(ctx, holder("apply"))
	require.NoError(t, err)
	require.NoError(t, f.locker().Break(ctx, a.Holder().RunID, holder("unlock")))
	assert.Empty(t, f.names())
	assert.ErrorIs(t, a.Renew(ctx), ErrLockLost, "a live run whose lock was removed stops at its next renewal")
}

func TestLeaseKeepCancelsWhenLost(t *testing.T) {
	f := newFakeSSM()
	f.clock = &fakeClock{} // Keep runs on real timers; the fake clock is not used
	l := &Locker{API: f, Stack: "webhook", Suffix: "dev", Lease: 300 * time.Millisecond}
	ctx := context.Background()
	a, err := l.TryAcquire(ctx, holder("apply"))
	require.NoError(t, err)
	kept := a.Keep(ctx, nil)
	_, err = f.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(l.holderName())})
	require.NoError(t, err)
	<-kept.Done()
	assert.ErrorIs(t, context.Cause(kept), ErrLockLost)
}

func countNil(errs ...error) int {
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	return n
}

func tagKeys(tags []ssmtypes.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key))
	}
	return out
}

func TestLeaseKeepRenews(t *testing.T) {
	f := newFakeSSM()
	f.clock = &fakeClock{}
	l := &Locker{API: f, Stack: "webhook", Suffix: "dev", Lease: 300 * time.Millisecond}
	ctx := context.Background()
	a, err := l.TryAcquire(ctx, holder("apply"))
	require.NoError(t, err)
	kept := a.Keep(ctx, nil)
	require.Eventually(t, func() bool {
		p, err := f.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(l.holderName())})
		return err == nil && p.Parameter.Version >= 4
	}, 10*time.Second, 10*time.Millisecond, "renewed three times")
	assert.NoError(t, kept.Err(), "a renewed lease keeps its context")
	require.NoError(t, a.Release(ctx, false))
	assert.Empty(t, f.names())
}
