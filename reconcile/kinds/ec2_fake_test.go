package kinds

// A fake of the EC2 API for the EC2 kinds' unit tests: one function field per call, nil
// fields fail the call with an error, and every call is recorded.

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

// fakeEC2 satisfies VPCAPI, SubnetAPI, SecurityGroupAPI and VPCEndpointAPI.
type fakeEC2 struct {
	calls                                      []string
	describeNetworkInterfaces                  func(*ec2.DescribeNetworkInterfacesInput) (*ec2.DescribeNetworkInterfacesOutput, error)
	deleteNetworkInterface                     func(*ec2.DeleteNetworkInterfaceInput) (*ec2.DeleteNetworkInterfaceOutput, error)
	createTags                                 func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error)
	deleteTags                                 func(*ec2.DeleteTagsInput) (*ec2.DeleteTagsOutput, error)
	createVpc                                  func(*ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error)
	describeVpcs                               func(*ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error)
	deleteVpc                                  func(*ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error)
	modifyVpcAttribute                         func(*ec2.ModifyVpcAttributeInput) (*ec2.ModifyVpcAttributeOutput, error)
	describeVpcAttribute                       func(*ec2.DescribeVpcAttributeInput) (*ec2.DescribeVpcAttributeOutput, error)
	describeRouteTables                        func(*ec2.DescribeRouteTablesInput) (*ec2.DescribeRouteTablesOutput, error)
	createSubnet                               func(*ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error)
	describeSubnets                            func(*ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error)
	deleteSubnet                               func(*ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error)
	modifySubnetAttribute                      func(*ec2.ModifySubnetAttributeInput) (*ec2.ModifySubnetAttributeOutput, error)
	createSecurityGroup                        func(*ec2.CreateSecurityGroupInput) (*ec2.CreateSecurityGroupOutput, error)
	describeSecurityGroups                     func(*ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error)
	deleteSecurityGroup                        func(*ec2.DeleteSecurityGroupInput) (*ec2.DeleteSecurityGroupOutput, error)
	authorizeSecurityGroupIngress              func(*ec2.AuthorizeSecurityGroupIngressInput) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	authorizeSecurityGroupEgress               func(*ec2.AuthorizeSecurityGroupEgressInput) (*ec2.AuthorizeSecurityGroupEgressOutput, error)
	revokeSecurityGroupIngress                 func(*ec2.RevokeSecurityGroupIngressInput) (*ec2.RevokeSecurityGroupIngressOutput, error)
	revokeSecurityGroupEgress                  func(*ec2.RevokeSecurityGroupEgressInput) (*ec2.RevokeSecurityGroupEgressOutput, error)
	updateSecurityGroupRuleDescriptionsIngress func(*ec2.UpdateSecurityGroupRuleDescriptionsIngressInput) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error)
	updateSecurityGroupRuleDescriptionsEgress  func(*ec2.UpdateSecurityGroupRuleDescriptionsEgressInput) (*ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput, error)
	createVpcEndpoint                          func(*ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error)
	describeVpcEndpoints                       func(*ec2.DescribeVpcEndpointsInput) (*ec2.DescribeVpcEndpointsOutput, error)
	modifyVpcEndpoint                          func(*ec2.ModifyVpcEndpointInput) (*ec2.ModifyVpcEndpointOutput, error)
	deleteVpcEndpoints                         func(*ec2.DeleteVpcEndpointsInput) (*ec2.DeleteVpcEndpointsOutput, error)
	describePrefixLists                        func(*ec2.DescribePrefixListsInput) (*ec2.DescribePrefixListsOutput, error)
}

func (f *fakeEC2) call(name string) { f.calls = append(f.calls, name) }

// count is how many times name was called.
func (f *fakeEC2) count(name string) int {
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func ec2Unexpected(name string) error { return fmt.Errorf("fake ec2: unexpected call %s", name) }

// ec2APIErr builds the error EC2 answers with code.
func ec2APIErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (fake)"}
}

func (f *fakeEC2) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	f.call("CreateTags")
	if f.createTags == nil {
		return nil, ec2Unexpected("CreateTags")
	}
	return f.createTags(in)
}

func (f *fakeEC2) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	f.call("DeleteTags")
	if f.deleteTags == nil {
		return nil, ec2Unexpected("DeleteTags")
	}
	return f.deleteTags(in)
}

func (f *fakeEC2) CreateVpc(_ context.Context, in *ec2.CreateVpcInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error) {
	f.call("CreateVpc")
	if f.createVpc == nil {
		return nil, ec2Unexpected("CreateVpc")
	}
	return f.createVpc(in)
}

func (f *fakeEC2) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	f.call("DescribeVpcs")
	if f.describeVpcs == nil {
		return nil, ec2Unexpected("DescribeVpcs")
	}
	return f.describeVpcs(in)
}

func (f *fakeEC2) DeleteVpc(_ context.Context, in *ec2.DeleteVpcInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error) {
	f.call("DeleteVpc")
	if f.deleteVpc == nil {
		return nil, ec2Unexpected("DeleteVpc")
	}
	return f.deleteVpc(in)
}

func (f *fakeEC2) ModifyVpcAttribute(_ context.Context, in *ec2.ModifyVpcAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error) {
	f.call("ModifyVpcAttribute")
	if f.modifyVpcAttribute == nil {
		return nil, ec2Unexpected("ModifyVpcAttribute")
	}
	return f.modifyVpcAttribute(in)
}

func (f *fakeEC2) DescribeVpcAttribute(_ context.Context, in *ec2.DescribeVpcAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error) {
	f.call("DescribeVpcAttribute")
	if f.describeVpcAttribute == nil {
		return nil, ec2Unexpected("DescribeVpcAttribute")
	}
	return f.describeVpcAttribute(in)
}

func (f *fakeEC2) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	f.call("DescribeRouteTables")
	if f.describeRouteTables == nil {
		return nil, ec2Unexpected("DescribeRouteTables")
	}
	return f.describeRouteTables(in)
}

func (f *fakeEC2) CreateSubnet(_ context.Context, in *ec2.CreateSubnetInput, _ ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error) {
	f.call("CreateSubnet")
	if f.createSubnet == nil {
		return nil, ec2Unexpected("CreateSubnet")
	}
	return f.createSubnet(in)
}

func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	f.call("DescribeSubnets")
	if f.describeSubnets == nil {
		return nil, ec2Unexpected("DescribeSubnets")
	}
	return f.describeSubnets(in)
}

func (f *fakeEC2) DeleteSubnet(_ context.Context, in *ec2.DeleteSubnetInput, _ ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error) {
	f.call("DeleteSubnet")
	if f.deleteSubnet == nil {
		return nil, ec2Unexpected("DeleteSubnet")
	}
	return f.deleteSubnet(in)
}

func (f *fakeEC2) ModifySubnetAttribute(_ context.Context, in *ec2.ModifySubnetAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifySubnetAttributeOutput, error) {
	f.call("ModifySubnetAttribute")
	if f.modifySubnetAttribute == nil {
		return nil, ec2Unexpected("ModifySubnetAttribute")
	}
	return f.modifySubnetAttribute(in)
}

func (f *fakeEC2) CreateSecurityGroup(_ context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	f.call("CreateSecurityGroup")
	if f.createSecurityGroup == nil {
		return nil, ec2Unexpected("CreateSecurityGroup")
	}
	return f.createSecurityGroup(in)
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	f.call("DescribeSecurityGroups")
	if f.describeSecurityGroups == nil {
		return nil, ec2Unexpected("DescribeSecurityGroups")
	}
	return f.describeSecurityGroups(in)
}

func (f *fakeEC2) DeleteSecurityGroup(_ context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	f.call("DeleteSecurityGroup")
	if f.deleteSecurityGroup == nil {
		return nil, ec2Unexpected("DeleteSecurityGroup")
	}
	return f.deleteSecurityGroup(in)
}

func (f *fakeEC2) AuthorizeSecurityGroupIngress(_ context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
	f.call("AuthorizeSecurityGroupIngress")
	if f.authorizeSecurityGroupIngress == nil {
		return nil, ec2Unexpected("AuthorizeSecurityGroupIngress")
	}
	return f.authorizeSecurityGroupIngress(in)
}

func (f *fakeEC2) AuthorizeSecurityGroupEgress(_ context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error) {
	f.call("AuthorizeSecurityGroupEgress")
	if f.authorizeSecurityGroupEgress == nil {
		return nil, ec2Unexpected("AuthorizeSecurityGroupEgress")
	}
	return f.authorizeSecurityGroupEgress(in)
}

func (f *fakeEC2) RevokeSecurityGroupIngress(_ context.Context, in *ec2.RevokeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error) {
	f.call("RevokeSecurityGroupIngress")
	if f.revokeSecurityGroupIngress == nil {
		return nil, ec2Unexpected("RevokeSecurityGroupIngress")
	}
	return f.revokeSecurityGroupIngress(in)
}

func (f *fakeEC2) RevokeSecurityGroupEgress(_ context.Context, in *ec2.RevokeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
	f.call("RevokeSecurityGroupEgress")
	if f.revokeSecurityGroupEgress == nil {
		return nil, ec2Unexpected("RevokeSecurityGroupEgress")
	}
	return f.revokeSecurityGroupEgress(in)
}

func (f *fakeEC2) UpdateSecurityGroupRuleDescriptionsIngress(_ context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput, _ ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
	f.call("UpdateSecurityGroupRuleDescriptionsIngress")
	if f.updateSecurityGroupRuleDescriptionsIngress == nil {
		return nil, ec2Unexpected("UpdateSecurityGroupRuleDescriptionsIngress")
	}
	return f.updateSecurityGroupRuleDescriptionsIngress(in)
}

func (f *fakeEC2) UpdateSecurityGroupRuleDescriptionsEgress(_ context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsEgressInput, _ ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput, error) {
	f.call("UpdateSecurityGroupRuleDescriptionsEgress")
	if f.updateSecurityGroupRuleDescriptionsEgress == nil {
		return nil, ec2Unexpected("UpdateSecurityGroupRuleDescriptionsEgress")
	}
	return f.updateSecurityGroupRuleDescriptionsEgress(in)
}

func (f *fakeEC2) CreateVpcEndpoint(_ context.Context, in *ec2.CreateVpcEndpointInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcEndpointOutput, error) {
	f.call("CreateVpcEndpoint")
	if f.createVpcEndpoint == nil {
		return nil, ec2Unexpected("CreateVpcEndpoint")
	}
	return f.createVpcEndpoint(in)
}

func (f *fakeEC2) DescribeVpcEndpoints(_ context.Context, in *ec2.DescribeVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	f.call("DescribeVpcEndpoints")
	if f.describeVpcEndpoints == nil {
		return nil, ec2Unexpected("DescribeVpcEndpoints")
	}
	return f.describeVpcEndpoints(in)
}

func (f *fakeEC2) ModifyVpcEndpoint(_ context.Context, in *ec2.ModifyVpcEndpointInput, _ ...func(*ec2.Options)) (*ec2.ModifyVpcEndpointOutput, error) {
	f.call("ModifyVpcEndpoint")
	if f.modifyVpcEndpoint == nil {
		return nil, ec2Unexpected("ModifyVpcEndpoint")
	}
	return f.modifyVpcEndpoint(in)
}

func (f *fakeEC2) DeleteVpcEndpoints(_ context.Context, in *ec2.DeleteVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcEndpointsOutput, error) {
	f.call("DeleteVpcEndpoints")
	if f.deleteVpcEndpoints == nil {
		return nil, ec2Unexpected("DeleteVpcEndpoints")
	}
	return f.deleteVpcEndpoints(in)
}

func (f *fakeEC2) DescribePrefixLists(_ context.Context, in *ec2.DescribePrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribePrefixListsOutput, error) {
	f.call("DescribePrefixLists")
	if f.describePrefixLists == nil {
		return nil, ec2Unexpected("DescribePrefixLists")
	}
	return f.describePrefixLists(in)
}

// DescribeNetworkInterfaces answers no interfaces unless the test says otherwise.
func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.call("DescribeNetworkInterfaces")
	if f.describeNetworkInterfaces == nil {
		return &ec2.DescribeNetworkInterfacesOutput{}, nil
	}
	return f.describeNetworkInterfaces(in)
}

func (f *fakeEC2) DeleteNetworkInterface(_ context.Context, in *ec2.DeleteNetworkInterfaceInput, _ ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error) {
	f.call("DeleteNetworkInterface")
	if f.deleteNetworkInterface == nil {
		return nil, ec2Unexpected("DeleteNetworkInterface")
	}
	return f.deleteNetworkInterface(in)
}
