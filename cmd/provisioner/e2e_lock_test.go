package main

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
	"github.com/provisioner-dev/provisioner/state"
)

// lockParams lists the SSM parameters of a suffix's locks, holders and break markers alike.
func lockParams(t *testing.T, sfx string) []string {
	t.Helper()
	out, err := ssm.NewFromConfig(emutest.Config(t)).GetParametersByPath(ctxT(), &ssm.GetParametersByPathInput{
		Path: aws.String(state.LockPath(sfx)), Recursive: aws.Bool(true)})
	require.NoError(t, err)
	var names []string
	for _, p := range out.Parameters {
		names = append(names, aws.ToString(p.Name))
	}
	return names
}

// webhookCLI prepares a test of the whole webhook stack under a fresh suffix, destroyed at the
// end; it skips under -short, since it builds the three handlers.
func webhookCLI(t *testing.T) (c *cli, sfx, spec string) {
	if testing.Short() {
		t.Skip("builds the three handlers")
	}
	c = newCLI(t)
	sfx = emutest.Suffix(t)
	spec = c.writeSpec("webhook.yaml")
	t.Cleanup(func() { configHook = nil; c.run("destroy", "--suffix", sfx, "--yes") })
	return c, sfx, spec
}

// TestConcurrentAppliesOneWins starts two applies of one suffix at once: one takes the lock and
// builds the stack, the other exits 3 naming the holder, and the account has one copy of
// everything.
func TestConcurrentAppliesOneWins(t *testing.T) {
	c, sfx, spec := webhookCLI(t)

	type result struct {
		code        int
		out, errOut string
		took        time.Duration
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			start := time.Now()
			code, out, errOut := c.run("apply", spec, "--suffix", sfx)
			results[i] = result{code, out, errOut, time.Since(start)}
		})
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].code < results[j].code })
	won, lost := results[0], results[1]
	t.Logf("winner exit %d in %s, loser exit %d in %s", won.code, won.took.Round(time.Millisecond), lost.code, lost.took.Round(time.Millisecond))
	require.Equal(t, 0, won.code, "stdout:\n%s\nstderr:\n%s", won.out, won.errOut)
	require.Equal(t, 3, lost.code, "stdout:\n%s\nstderr:\n%s", lost.out, lost.errOut)
	assert.Contains(t, won.out, "Apply complete: 59 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged, 0 failed.")
	assert.Regexp(t, `Error: stack webhook suffix `+sfx+` is locked by \S+@\S+ \(pid \d+, arn:aws:\S+\) running apply since \S+Z`, lost.errOut)
	assert.Contains(t, lost.errOut, "provisioner unlock --suffix "+sfx+" --stack webhook")
	assert.NotContains(t, lost.out, "creating...", "the loser changed nothing")

	var listing struct {
		Resources []struct{ Address string } `json:"resources"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "list", "--suffix", sfx, "-o", "json")), &listing))
	seen := map[string]int{}
	for _, r := range listing.Resources {
		seen[r.Address]++
	}
	assert.Len(t, seen, 59)
	for addr, n := range seen {
		assert.Equal(t, 1, n, addr)
	}
	vpcs, err := ec2.NewFromConfig(emutest.Config(t)).DescribeVpcs(ctxT(), &ec2.DescribeVpcsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + state.TagSuffix), Values: []string{sfx}}}})
	require.NoError(t, err)
	assert.Len(t, vpcs.Vpcs, 1, "one VPC, whoever made it")
	assert.Empty(t, lockParams(t, sfx), "the winner released its lock")

	c.must(0, "destroy", "--suffix", sfx, "--yes")
	assert.Empty(t, lockParams(t, sfx))
}

// TestLockHeldExpiredAndUnlocked holds the lock as another run would, then shows what apply,
// plan, unlock and a lease left by a killed run do.
func TestLockHeldExpiredAndUnlocked(t *testing.T) {
	c := newCLI(t)
	sfx := emutest.Suffix(t)
	spec := c.writeSpec("network-storage.yaml")
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })
	api := ssm.NewFromConfig(emutest.Config(t))
	other := state.Holder{User: "bob", Host: "ci-7", PID: 99, Command: "apply", Since: time.Now().UTC()}
	lockPoll = 100 * time.Millisecond
	t.Cleanup(func() { lockPoll = 5 * time.Second })

	lease, err := (&state.Locker{API: api, Stack: "netstore", Suffix: sfx}).TryAcquire(ctxT(), other)
	require.NoError(t, err)
	tags, err := api.ListTagsForResource(ctxT(), &ssm.ListTagsForResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter,
		ResourceId: aws.String(state.LockPath(sfx) + "/netstore/holder")})
	require.NoError(t, err)
	got := map[string]string{}
	for _, tag := range tags.TagList {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	assert.Equal(t, map[string]string{state.TagStack: "netstore", state.TagSuffix: sfx, state.TagLock: "holder"}, got)
	code, _, errOut := c.run("apply", spec, "--suffix", sfx)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "is locked by bob@ci-7 (pid 99) running apply since")
	code, _, errOut = c.run("apply", spec, "--suffix", sfx, "--lock-timeout", "300ms")
	assert.Equal(t, 3, code, "still held after waiting: %s", errOut)
	c.rec.Reset()
	c.must(2, "plan", spec, "--suffix", sfx, "--detailed-exitcode")
	assert.Empty(t, c.mutations(), "plan takes no lock")

	code, _, errOut = c.run("unlock", "--suffix", sfx)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "unlock: stdin is not a terminal; pass --yes to remove 1 locks")
	out := c.must(0, "unlock", "--suffix", sfx, "--yes")
	assert.Contains(t, out, "is locked by bob@ci-7")
	assert.Contains(t, out, "Removed the lock of stack netstore suffix "+sfx+".")
	assert.Empty(t, lockParams(t, sfx))
	assert.ErrorIs(t, lease.Renew(ctxT()), state.ErrLockLost, "the run whose lock was removed finds out")

	// A killed run's lease (one second here) expires, and a waiting apply takes it over.
	_, err = (&state.Locker{API: api, Stack: "netstore", Suffix: sfx, Lease: time.Second}).TryAcquire(ctxT(), other)
	require.NoError(t, err)
	c.must(0, "apply", spec, "--suffix", sfx, "--lock-timeout", "1m")
	assert.NotEmpty(t, lockParams(t, sfx), "the takeover's break marker stays until it is older than a lease")

	// destroy locks too.
	_, err = (&state.Locker{API: api, Stack: "netstore", Suffix: sfx}).TryAcquire(ctxT(), other)
	require.NoError(t, err)
	code, out, errOut = c.run("destroy", "--suffix", sfx, "--yes")
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "is locked by bob@ci-7 (pid 99) running apply since")
	assert.NotContains(t, out, "deleted in")
	c.must(0, "unlock", "--suffix", sfx, "--stack", "netstore", "--yes")
	c.must(0, "destroy", "--suffix", sfx, "--yes")
	assert.Empty(t, lockParams(t, sfx), "destroy leaves nothing behind, the lock included")
}

// resourceMutations is mutations without the stack lock's own SSM writes.
func (c *cli) resourceMutations() []string {
	var out []string
	for _, m := range c.mutations() {
		if !strings.HasPrefix(m, "SSM:") {
			out = append(out, m)
		}
	}
	return out
}
