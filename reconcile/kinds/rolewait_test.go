package kinds

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
)

// A fresh role is not assumable for a while: each "not yet" is shown as progress, naming the
// role, the time waited, the budget and Lambda's words, and the wait is bounded.
func TestLambdaFunctionRoleWaitShowsProgress(t *testing.T) {
	const msg = "The role defined for the function cannot be assumed by Lambda."
	f := fnMemLambda(map[string]*fnMem{})
	create := f.createFunction
	attempts := 0
	f.createFunction = func(in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
		if attempts++; attempts < 3 {
			return nil, fnAPIErr(fnInvalid, msg)
		}
		return create(in)
	}
	var notes []string
	ctx := reconcile.WithReporter(context.Background(), func(m string) { notes = append(notes, m) })
	p := fnUnitProps()
	_, err := tk[spec.LambdaFunction](unitLambdaFn(f, &fnTestCode{})).Create(ctx, desired(miscOwner("receiver"), "receiver-dev", p))
	require.NoError(t, err)
	require.Len(t, notes, 2, "one progress line per refusal")
	for _, n := range notes {
		assert.Contains(t, n, "waiting for IAM to propagate role "+p.Role+" to Lambda")
		assert.Contains(t, n, "budget 5m0s")
		assert.Contains(t, n, msg)
	}

	f = fnMemLambda(map[string]*fnMem{})
	f.createFunction = func(*lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
		return nil, fnAPIErr(fnInvalid, msg)
	}
	k := unitLambdaFn(f, &fnTestCode{})
	k.wait = reconcile.Backoff{Initial: time.Microsecond, Max: time.Microsecond, Budget: time.Millisecond}
	_, err = tk[spec.LambdaFunction](k).Create(context.Background(), desired(miscOwner("receiver"), "receiver-dev", p))
	require.Error(t, err, "a role that never becomes usable ends the wait at its budget")
	assert.Contains(t, err.Error(), "gave up after")
	assert.Contains(t, err.Error(), msg)
	assert.Equal(t, 5*time.Minute, awscall.RoleBudget, "the documented budget")
}

// A changed role is waited for the same way on update.
func TestLambdaFunctionUpdateRoleWaitShowsProgress(t *testing.T) {
	o := miscOwner("receiver")
	_, f, k, live := fnReceiver(t, o)
	upd := f.updateFunctionConfig
	f.updateFunctionConfig = func(in *lambda.UpdateFunctionConfigurationInput) (*lambda.UpdateFunctionConfigurationOutput, error) {
		if f.calls.count("UpdateFunctionConfiguration") < 2 {
			return nil, fnAPIErr(fnInvalid, "The role defined for the function cannot be assumed by Lambda.")
		}
		return upd(in)
	}
	p := fnUnitProps()
	p.Role = "arn:aws:iam::000000000000:role/new"
	var notes []string
	ctx := reconcile.WithReporter(context.Background(), func(m string) { notes = append(notes, m) })
	_, err := tk[spec.LambdaFunction](k).Update(ctx, desired(o, "receiver-dev", p), live)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "waiting for IAM to propagate role arn:aws:iam::000000000000:role/new to Lambda")
}
