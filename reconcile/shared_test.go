package reconcile

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/state"
)

// sharingKind lists through Shared, as the two Lambda kinds list the functions.
type sharingKind struct {
	*fakeKind
	reads *atomic.Int32
}

func (k sharingKind) List(ctx context.Context, sel state.Selector) ([]state.Resource, error) {
	n, err := Shared(ctx, "functions of "+sel.Suffix, func(context.Context) (int, error) {
		return int(k.reads.Add(1)), nil
	})
	if err != nil || n != 1 {
		return nil, err
	}
	return k.fakeKind.List(ctx, sel)
}

func TestSharedReadsOncePerDiscovery(t *testing.T) {
	var log []string
	var reads atomic.Int32
	reg := Registry{sharingKind{newFakeKind("a.kind", &log), &reads}, sharingKind{newFakeKind("b.kind", &log), &reads}}
	sel := state.Selector{Stack: "shop", Suffix: "dev"}

	_, err := Discover(context.Background(), reg, sel)
	require.NoError(t, err)
	assert.Equal(t, int32(1), reads.Load(), "two kinds, one read")

	_, err = Discover(context.Background(), reg, sel)
	require.NoError(t, err)
	assert.Equal(t, int32(2), reads.Load(), "a new discovery reads afresh: nothing is kept between them")

	n, err := Shared(context.Background(), "functions of dev", func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	assert.Equal(t, 7, n, "outside a discovery the read is simply made")
}
