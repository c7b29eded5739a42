package state

// The stack lock lives in the account itself, as SSM parameters, so that it needs no setup:
// SSM's only conditional write is PutParameter without Overwrite (create if absent), and every
// step that decides who holds the lock is one of those.
//
//	/provisioner/lock/<suffix>/<stack>/holder          the holder's record (JSON)
//	/provisioner/lock/<suffix>/<stack>/break/<run>/<n> the right to break run's expired lease
//
// Acquire creates holder without Overwrite: exactly one run succeeds. A live holder renews by
// overwriting its own record (after checking it is still its own), which moves the parameter's
// LastModifiedDate. A lease is expired when the server's clock (the Date of the answer) is more
// than the lease past LastModifiedDate: both times come from AWS, so no client clock is
// compared with another. The holder gives up (its context is cancelled) when it has not renewed
// for lease - lease/6 by its own clock, measured from when it sent the last good renewal, which
// is before AWS stamped it; so a holder stops before anyone can see its lease expire.
//
// Taking over an expired lease is where a plain delete-then-create would race: two runs that
// both saw run X expire could each delete "the" holder, and the second delete would remove the
// first one's fresh lock. Instead a breaker first creates break/X/1 without Overwrite: only one
// run wins the right to break X. The winner reads holder again and deletes it only if it is
// still X's, then competes with everyone else in the ordinary create. A marker whose breaker
// died mid-way is abandoned after breakWindow and the next one (break/X/2) may be taken.
// Markers are deleted once they are older than the lease (destroy deletes them all).
//
// What remains is what every lease has: a request that is sent before the holder's deadline
// and delivered after the lease expired (a stall of more than lease/6) can act on a lock that is
// no longer its own. AWS APIs take no fencing token, so nothing closes that.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/middleware"
)

// TagLock marks the lock's parameters. They carry provisioner:stack and provisioner:suffix
// but no provisioner:id, so no kind ever takes them for a resource of the spec.
const TagLock = "provisioner:lock"

// DefaultLease is how long a lease lives without renewal; a live run renews at a third of it.
const DefaultLease = 3 * time.Minute

// breakWindow is how long a breaker may take between winning a break marker and deleting the
// holder; after it, the marker counts as abandoned.
const breakWindow = 30 * time.Second

// LockAPI is the part of SSM the lock uses; *ssm.Client satisfies it.
type LockAPI interface {
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, optFns ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
}

// Holder is who holds a lock, as recorded in it.
type Holder struct {
	RunID   string    `json:"run_id"`
	User    string    `json:"user"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	ARN     string    `json:"caller_arn,omitempty"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
	Lease   Seconds   `json:"lease_seconds"`
}

// Seconds is a duration recorded in whole seconds.
type Seconds int64

// Duration converts s.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// LockInfo is a lock as read: its holder, when AWS last stamped it, and its age by AWS's clock.
type LockInfo struct {
	Stack, Suffix string
	Holder        Holder
	Renewed       time.Time
	Age           time.Duration
}

// Expired reports whether the holder's lease has run out.
func (i LockInfo) Expired() bool { return i.Age > i.Holder.Lease.Duration() }

// LockedError says another run holds the lock.
type LockedError struct{ Info LockInfo }

func (e *LockedError) Error() string {
	h, i := e.Info.Holder, e.Info
	who := fmt.Sprintf("%s@%s (pid %d", h.User, h.Host, h.PID)
	if h.ARN != "" {
		who += ", " + h.ARN
	}
	state := fmt.Sprintf("lease renewed %s ago, expires in %s", i.Age.Round(time.Second), (h.Lease.Duration() - i.Age).Round(time.Second))
	if i.Expired() {
		state = fmt.Sprintf("lease expired %s ago; another run is taking it over", (i.Age - h.Lease.Duration()).Round(time.Second))
	}
	return fmt.Sprintf("stack %s suffix %s is locked by %s) running %s since %s (%s)",
		i.Stack, i.Suffix, who, h.Command, h.Since.UTC().Format(time.RFC3339), state)
}

// ErrLockLost is the cause a lease's context is cancelled with when it could not be kept.
var ErrLockLost = errors.New("stack lock lost")

// Locker is the lock of one stack and suffix.
type Locker struct {
	API           LockAPI
	Stack, Suffix string
	Lease         time.Duration    // default DefaultLease
	Now           func() time.Time // default time.Now; the holder's own clock
}

// LockPath is the parameter path under which a suffix's locks live.
func LockPath(suffix string) string { return "/provisioner/lock/" + suffix }

func (l *Locker) base() string       { return LockPath(l.Suffix) + "/" + l.Stack }
func (l *Locker) holderName() string { return l.base() + "/holder" }
func (l *Locker) breakPath() string  { return l.base() + "/break" }

func (l *Locker) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Locker) lease() time.Duration {
	if l.Lease > 0 {
		return l.Lease
	}
	return DefaultLease
}

// NewRunID returns a random id for one run's hold on a lock.
func NewRunID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Read returns the lock's current holder; ok is false when nobody holds it.
func (l *Locker) Read(ctx context.Context) (info LockInfo, ok bool, err error) {
	out, err := l.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(l.holderName())})
	if isNotFound(err) {
		return LockInfo{}, false, nil
	}
	if err != nil {
		return LockInfo{}, false, fmt.Errorf("read lock %s: %w", l.holderName(), err)
	}
	var h Holder
	if err := json.Unmarshal([]byte(aws.ToString(out.Parameter.Value)), &h); err != nil {
		return LockInfo{}, false, fmt.Errorf("read lock %s: not a provisioner lock record: %w", l.holderName(), err)
	}
	renewed := aws.ToTime(out.Parameter.LastModifiedDate)
	return LockInfo{Stack: l.Stack, Suffix: l.Suffix, Holder: h, Renewed: renewed,
		Age: l.serverNow(out.ResultMetadata).Sub(renewed)}, true, nil
}

// serverNow is AWS's clock as the answer's Date header gave it, else ours. The header counts
// whole seconds, so ages read up to a second young: the safe side for a lease.
func (l *Locker) serverNow(md middleware.Metadata) time.Time {
	if t, ok := awsmiddleware.GetServerTime(md); ok {
		return t
	}
	return l.now()
}

// TryAcquire takes the lock for h once, taking over an expired lease on the way. When another
// run holds it, the error is a *LockedError.
func (l *Locker) TryAcquire(ctx context.Context, h Holder) (*Lease, error) {
	if h.RunID == "" {
		h.RunID = NewRunID()
	}
	h.Lease = Seconds(l.lease() / time.Second)
	var last LockInfo
	for range 3 {
		sent := l.now()
		err := l.create(ctx, l.holderName(), h, "holder")
		if err == nil {
			return &Lease{l: l, h: h, renewedAt: sent}, nil
		}
		if !isAlreadyExists(err) {
			return nil, fmt.Errorf("acquire lock %s: %w", l.holderName(), err)
		}
		info, ok, err := l.Read(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // released between our create and our read
		}
		last = info
		if info.Holder.RunID == h.RunID {
			// Our own create: its answer was lost and the SDK sent it again.
			return &Lease{l: l, h: h, renewedAt: sent}, nil
		}
		if !info.Expired() {
			return nil, &LockedError{Info: info}
		}
		if err := l.breakRun(ctx, info.Holder.RunID, h); err != nil && !errors.Is(err, errBreaking) {
			return nil, err
		}
	}
	return nil, &LockedError{Info: last}
}

// errBreaking says another run holds the right to break that lease.
var errBreaking = errors.New("another run is breaking this lease")

// breakRun deletes run's holder record, after winning the right to (see the package comment).
func (l *Locker) breakRun(ctx context.Context, run string, by Holder) error {
	won := false
	for n := 1; n <= 5 && !won; n++ {
		name := fmt.Sprintf("%s/%s/%d", l.breakPath(), run, n)
		err := l.create(ctx, name, by, "break")
		if err == nil {
			won = true
			break
		}
		if !isAlreadyExists(err) {
			return fmt.Errorf("break lock %s: %w", name, err)
		}
		age, err := l.age(ctx, name)
		if err != nil {
			return err
		}
		if age < breakWindow {
			return errBreaking
		}
	}
	if !won {
		return errBreaking
	}
	info, ok, err := l.Read(ctx)
	if err != nil || !ok || info.Holder.RunID != run {
		return err // gone already, or someone else's now: nothing of run's to delete
	}
	return l.delete(ctx, l.holderName())
}

// age is how old a parameter is by AWS's clock; a vanished one counts as abandoned.
func (l *Locker) age(ctx context.Context, name string) (time.Duration, error) {
	out, err := l.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if isNotFound(err) {
		return breakWindow, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", name, err)
	}
	return l.serverNow(out.ResultMetadata).Sub(aws.ToTime(out.Parameter.LastModifiedDate)), nil
}

// Break removes the lock whoever holds it (the unlock command, after a person confirmed), by
// the same protocol as a takeover, and deletes the break markers.
func (l *Locker) Break(ctx context.Context, run string, by Holder) error {
	if err := l.breakRun(ctx, run, by); err != nil {
		return err
	}
	return l.sweep(ctx, 0)
}

func (l *Locker) create(ctx context.Context, name string, h Holder, role string) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = l.API.PutParameter(ctx, &ssm.PutParameterInput{
		Name:        aws.String(name),
		Value:       aws.String(string(b)),
		Type:        ssmtypes.ParameterTypeString,
		Description: aws.String(fmt.Sprintf("provisioner lock of stack %s suffix %s; remove with: provisioner unlock --suffix %s --stack %s", l.Stack, l.Suffix, l.Suffix, l.Stack)),
		Overwrite:   aws.Bool(false),
		Tags: []ssmtypes.Tag{
			{Key: aws.String(TagStack), Value: aws.String(l.Stack)},
			{Key: aws.String(TagSuffix), Value: aws.String(l.Suffix)},
			{Key: aws.String(TagLock), Value: aws.String(role)},
		},
	})
	return err
}

func (l *Locker) delete(ctx context.Context, name string) error {
	_, err := l.API.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(name)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

// sweep deletes the break markers older than minAge (all of them with 0).
func (l *Locker) sweep(ctx context.Context, minAge time.Duration) error {
	var errs []error
	p := ssm.NewGetParametersByPathPaginator(l.API, &ssm.GetParametersByPathInput{Path: aws.String(l.breakPath()), Recursive: aws.Bool(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", l.breakPath(), err)
		}
		now := l.serverNow(out.ResultMetadata)
		for _, prm := range out.Parameters {
			if minAge == 0 || now.Sub(aws.ToTime(prm.LastModifiedDate)) >= minAge {
				errs = append(errs, l.delete(ctx, aws.ToString(prm.Name)))
			}
		}
	}
	return errors.Join(errs...)
}

// Locks lists the stacks holding a lock under one suffix (for unlock without --stack).
func Locks(ctx context.Context, api LockAPI, suffix string) ([]string, error) {
	var stacks []string
	p := ssm.NewGetParametersByPathPaginator(api, &ssm.GetParametersByPathInput{Path: aws.String(LockPath(suffix)), Recursive: aws.Bool(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list locks of suffix %s: %w", suffix, err)
		}
		for _, prm := range out.Parameters {
			rest := strings.TrimPrefix(aws.ToString(prm.Name), LockPath(suffix)+"/")
			if stack, ok := strings.CutSuffix(rest, "/holder"); ok && !strings.Contains(stack, "/") {
				stacks = append(stacks, stack)
			}
		}
	}
	sort.Strings(stacks)
	return stacks, nil
}

func isAlreadyExists(err error) bool {
	var e *ssmtypes.ParameterAlreadyExists
	return errors.As(err, &e)
}

func isNotFound(err error) bool {
	var e *ssmtypes.ParameterNotFound
	return errors.As(err, &e)
}

// Lease is a held lock.
type Lease struct {
	l *Locker
	h Holder

	mu        sync.Mutex
	renewedAt time.Time // when the last good renewal (or the create) was sent, by our clock
	stop      func()
	done      chan struct{}
}

// Holder is the record this lease wrote.
func (ls *Lease) Holder() Holder { return ls.h }

// deadline is when this run stops trusting its lease: a sixth of the lease before anyone else
// can see it expire.
func (ls *Lease) deadline() time.Time {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	d := ls.l.lease()
	return ls.renewedAt.Add(d - d/6)
}

// Renew extends the lease once, if the record is still this run's.
func (ls *Lease) Renew(ctx context.Context) error {
	if ls.l.now().After(ls.deadline()) {
		return fmt.Errorf("%w: not renewed in time", ErrLockLost)
	}
	info, ok, err := ls.l.Read(ctx)
	if err != nil {
		return err
	}
	if !ok || info.Holder.RunID != ls.h.RunID {
		return fmt.Errorf("%w: the lock was removed or taken over (provisioner unlock?)", ErrLockLost)
	}
	b, err := json.Marshal(ls.h)
	if err != nil {
		return err
	}
	sent := ls.l.now()
	if _, err := ls.l.API.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(ls.l.holderName()),
		Value: aws.String(string(b)), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
		return fmt.Errorf("renew lock %s: %w", ls.l.holderName(), err)
	}
	ls.mu.Lock()
	ls.renewedAt = sent
	ls.mu.Unlock()
	return nil
}

// Keep renews the lease in the background until stop or Release. The returned context is
// cancelled, with a cause wrapping ErrLockLost, when the lease cannot be kept.
func (ls *Lease) Keep(ctx context.Context, onErr func(error)) context.Context {
	ctx, cancel := context.WithCancelCause(ctx)
	stopc := make(chan struct{})
	ls.done = make(chan struct{})
	var once sync.Once
	ls.stop = func() { once.Do(func() { close(stopc); <-ls.done }) }
	go func() {
		defer close(ls.done)
		every := ls.l.lease() / 3
		t := time.NewTimer(every)
		defer t.Stop()
		for {
			select {
			case <-stopc:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithDeadline(ctx, ls.deadline())
			err := ls.Renew(rctx)
			rcancel()
			switch {
			case errors.Is(err, ErrLockLost) || (err != nil && ls.l.now().After(ls.deadline())):
				cancel(fmt.Errorf("%w: %w", ErrLockLost, err))
				return
			case err != nil:
				if onErr != nil {
					onErr(err)
				}
				t.Reset(every / 4) // try again soon; the deadline still has room
			default:
				t.Reset(every)
			}
		}
	}()
	return ctx
}

// Release stops renewal and deletes the record if it is still this run's. final also deletes
// every break marker (destroy leaves nothing behind); otherwise only those older than a lease.
// The sweep of markers runs alongside reading and deleting the record: markers and record are
// separate parameters, and no step of either depends on the other, so a release costs two
// round trips at the end of every locked run instead of three.
func (ls *Lease) Release(ctx context.Context, final bool) error {
	if ls.stop != nil {
		ls.stop()
	}
	if ls.l.now().After(ls.deadline()) {
		return fmt.Errorf("release lock %s: %w: the lease ran out; the next run takes it over", ls.l.holderName(), ErrLockLost)
	}
	minAge := ls.l.lease()
	if final {
		minAge = 0
	}
	swept := make(chan error, 1)
	go func() { swept <- ls.l.sweep(ctx, minAge) }()
	var errs []error
	info, ok, err := ls.l.Read(ctx)
	switch {
	case err != nil:
		errs = append(errs, err)
	case ok && info.Holder.RunID == ls.h.RunID:
		errs = append(errs, ls.l.delete(ctx, ls.l.holderName()))
	}
	errs = append(errs, <-swept)
	return errors.Join(errs...)
}
