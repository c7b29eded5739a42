package kinds

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// TestLambdaENIsClearedOnTheEmulator makes, in one subnet and group, an interface the way
// Lambda names its own ("AWS Lambda VPC ENI-…", detached: available) and one that is not
// Lambda's, then clears the subnet's and the group's: the filters the emulator applies find
// both, and only Lambda's is deleted. (The emulator never refuses DeleteSubnet with
// DependencyViolation, so the wait itself is shown by the unit tests.)
func TestLambdaENIsClearedOnTheEmulator(t *testing.T) {
	api := ec2.NewFromConfig(emuConfig(t))
	ctx := context.Background()
	vpc, err := api.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
	require.NoError(t, err)
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	sub, err := api.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &vpcID, CidrBlock: aws.String("10.42.1.0/24")})
	require.NoError(t, err)
	subID := aws.ToString(sub.Subnet.SubnetId)
	sg, err := api.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: &vpcID, GroupName: aws.String("eni-test-" + emutest.Suffix(t)), Description: aws.String("eni test")})
	require.NoError(t, err)
	sgID := aws.ToString(sg.GroupId)
	t.Cleanup(func() {
		api.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: &sgID})
		api.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: &subID})
		api.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &vpcID})
	})
	eni := func(desc string) string {
		out, err := api.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &subID, Groups: []string{sgID}, Description: aws.String(desc)})
		require.NoError(t, err)
		return aws.ToString(out.NetworkInterface.NetworkInterfaceId)
	}

	for _, filter := range []struct{ name, id string }{{"subnet-id", subID}, {"group-id", sgID}} {
		lambda, other := eni("AWS Lambda VPC ENI-webhook-receiver-"+filter.name), eni("an instance's interface")
		holding, err := lambdaENIs{api: api, filter: filter.name}.clear(ctx, filter.id)
		require.NoError(t, err)
		assert.Empty(t, holding, "a detached interface holds nothing once deleted")
		left, err := api.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{other}})
		require.NoError(t, err)
		assert.Len(t, left.NetworkInterfaces, 1, "%s: not Lambda's: untouched", filter.name)
		_, err = api.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{lambda}})
		assert.Error(t, err, "%s: Lambda's detached interface is deleted", filter.name)
		_, err = api.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: &other})
		require.NoError(t, err)
	}
}
