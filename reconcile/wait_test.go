package reconcile

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUntilChecksAtOnce: a wait polls before it sleeps, so a resource that is ready costs one
// call and no delay. With an hour's first delay, a sleep before the first poll would end in the
// context's deadline instead.
func TestUntilChecksAtOnce(t *testing.T) {
	b := Backoff{Initial: time.Hour, Max: time.Hour, Budget: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	polls := 0
	err := b.Until(ctx, func(context.Context) (bool, error) { polls++; return true, nil })
	require.NoError(t, err)
	assert.Equal(t, 1, polls)
}

// TestUntilBacksOffUntilReady: not ready twice, then ready: three polls, and the last error
// of a poll that gives up is kept.
func TestUntilBacksOffUntilReady(t *testing.T) {
	polls := 0
	err := InstantBackoff.Until(context.Background(), func(context.Context) (bool, error) {
		polls++
		return polls == 3, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, polls)

	busy := errors.New("ResourceInUseException: table is being updated")
	err = Backoff{Initial: time.Microsecond, Max: time.Microsecond, Budget: time.Millisecond}.Until(context.Background(),
		func(context.Context) (bool, error) { return false, busy })
	assert.ErrorIs(t, err, busy)
	assert.ErrorContains(t, err, "gave up after")
}
