package kinds

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

// enisAfterLambda serves the interfaces a deleted VPC function leaves in a subnet: one in use
// until the third look, then available (detached); one of someone else's, never touched.
func enisAfterLambda(f *fakeEC2, filter, id string) (deleted *[]string) {
	deleted = &[]string{}
	looks := 0
	f.describeNetworkInterfaces = func(in *ec2.DescribeNetworkInterfacesInput) (*ec2.DescribeNetworkInterfacesOutput, error) {
		if len(in.Filters) != 1 || aws.ToString(in.Filters[0].Name) != filter || in.Filters[0].Values[0] != id {
			return nil, ec2APIErr("InvalidParameterValue")
		}
		looks++
		lambda := types.NetworkInterface{NetworkInterfaceId: aws.String("eni-lambda"), InterfaceType: types.NetworkInterfaceTypeLambda,
			Description: aws.String("AWS Lambda VPC ENI-webhook-receiver-dev-3f9a"), Status: types.NetworkInterfaceStatusInUse}
		if looks >= 3 {
			lambda.Status = types.NetworkInterfaceStatusAvailable
		}
		other := types.NetworkInterface{NetworkInterfaceId: aws.String("eni-someone"), InterfaceType: types.NetworkInterfaceTypeInterface,
			Description: aws.String("an instance's"), Status: types.NetworkInterfaceStatusAvailable}
		if len(*deleted) > 0 {
			return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: []types.NetworkInterface{other}}, nil
		}
		return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: []types.NetworkInterface{lambda, other}}, nil
	}
	f.deleteNetworkInterface = func(in *ec2.DeleteNetworkInterfaceInput) (*ec2.DeleteNetworkInterfaceOutput, error) {
		*deleted = append(*deleted, aws.ToString(in.NetworkInterfaceId))
		return &ec2.DeleteNetworkInterfaceOutput{}, nil
	}
	return deleted
}

func TestSubnetDeleteClearsLambdaInterfaces(t *testing.T) {
	f := subnetFake(testSubnetObject("subnet-1", ec2OwnedTags(ec2UnitOwner, "a-u1")))
	deleted := enisAfterLambda(f, "subnet-id", "subnet-1")
	describe := f.describeSubnets
	gone := false
	f.describeSubnets = func(in *ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error) {
		if gone {
			return nil, ec2APIErr(subnetNotFound)
		}
		return describe(in)
	}
	f.deleteSubnet = func(*ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error) {
		if len(*deleted) == 0 {
			return nil, ec2APIErr(ec2DependencyViolation)
		}
		gone = true
		return &ec2.DeleteSubnetOutput{}, nil
	}
	ctx, lines := reports(t)
	require.NoError(t, newTestSubnet(f).Delete(ctx, state.Resource{ID: "subnet-1", Owner: ec2UnitOwner}))
	assert.Equal(t, []string{"eni-lambda"}, *deleted, "only Lambda's interface, once detached")
	require.GreaterOrEqual(t, len(*lines), 2)
	assert.Contains(t, (*lines)[0], "held by eni-lambda (in-use)")
	assert.Regexp(t, `still in use after \d+s`, (*lines)[0], "progress carries the time waited")
}

func TestSecurityGroupDeleteNamesWhatHoldsItAtTheBudget(t *testing.T) {
	g := testSecurityGroupObject("sg-1", ec2OwnedTags(ec2UnitOwner, "lambda-u1"))
	f := sgFake(g)
	f.describeNetworkInterfaces = func(in *ec2.DescribeNetworkInterfacesInput) (*ec2.DescribeNetworkInterfacesOutput, error) {
		assert.Equal(t, "group-id", aws.ToString(in.Filters[0].Name))
		return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: []types.NetworkInterface{{NetworkInterfaceId: aws.String("eni-9"),
			Description: aws.String("AWS Lambda VPC ENI-webhook-processor-dev-77"), Status: types.NetworkInterfaceStatusInUse}}}, nil
	}
	f.deleteSecurityGroup = func(*ec2.DeleteSecurityGroupInput) (*ec2.DeleteSecurityGroupOutput, error) {
		return nil, ec2APIErr(ec2DependencyViolation)
	}
	k := newTestSG(f)
	k.dependencyWait = reconcile.Backoff{Initial: time.Microsecond, Max: time.Microsecond, Budget: time.Hour}
	ctx := reconcile.WithWaitBudget(context.Background(), 20*time.Millisecond) // --timeout
	err := k.Delete(ctx, state.Resource{ID: "sg-1", Owner: ec2UnitOwner})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "still held by eni-9 (in-use)")
	assert.Contains(t, err.Error(), "gave up after")
	assert.Contains(t, err.Error(), "in 20ms", "the budget is --timeout's")
	assert.Equal(t, 0, f.count("DeleteNetworkInterface"), "an attached interface is never deleted")
}
