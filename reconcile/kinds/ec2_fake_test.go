package kinds

// A fake of the EC2 API for the EC2 kinds' unit tests: one function field per call, nil
// fields fail the call with an error, and every call is recorded.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

// fakeEC2 satisfies VPCAPI, SubnetAPI, SecurityGroupAPI and VPCEndpointAPI.
type fakeEC2 struct {
	calls                                      fakeCalls
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

func (f *fakeEC2) count(name string) int { return f.calls.count(name) }

// ec2APIErr builds the error EC2 answers with code.
func ec2APIErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (fake)"}
}

func (f *fakeEC2) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	return fakeCall(&f.calls, "CreateTags", f.createTags, in)
}

func (f *fakeEC2) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	return fakeCall(&f.calls, "DeleteTags", f.deleteTags, in)
}

func (f *fakeEC2) CreateVpc(_ context.Context, in *ec2.CreateVpcInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error) {
	return fakeCall(&f.calls, "CreateVpc", f.createVpc, in)
}

func (f *fakeEC2) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return fakeCall(&f.calls, "DescribeVpcs", f.describeVpcs, in)
}

func (f *fakeEC2) DeleteVpc(_ context.Context, in *ec2.DeleteVpcInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcOutput, error) {
	return fakeCall(&f.calls, "DeleteVpc", f.deleteVpc, in)
}

func (f *fakeEC2) ModifyVpcAttribute(_ context.Context, in *ec2.ModifyVpcAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error) {
	return fakeCall(&f.calls, "ModifyVpcAttribute", f.modifyVpcAttribute, in)
}

func (f *fakeEC2) DescribeVpcAttribute(_ context.Context, in *ec2.DescribeVpcAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error) {
	return fakeCall(&f.calls, "DescribeVpcAttribute", f.describeVpcAttribute, in)
}

func (f *fakeEC2) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	return fakeCall(&f.calls, "DescribeRouteTables", f.describeRouteTables, in)
}

func (f *fakeEC2) CreateSubnet(_ context.Context, in *ec2.CreateSubnetInput, _ ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error) {
	return fakeCall(&f.calls, "CreateSubnet", f.createSubnet, in)
}

func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	return fakeCall(&f.calls, "DescribeSubnets", f.describeSubnets, in)
}

func (f *fakeEC2) DeleteSubnet(_ context.Context, in *ec2.DeleteSubnetInput, _ ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error) {
	return fakeCall(&f.calls, "DeleteSubnet", f.deleteSubnet, in)
}

func (f *fakeEC2) ModifySubnetAttribute(_ context.Context, in *ec2.ModifySubnetAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifySubnetAttributeOutput, error) {
	return fakeCall(&f.calls, "ModifySubnetAttribute", f.modifySubnetAttribute, in)
}

func (f *fakeEC2) CreateSecurityGroup(_ context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	return fakeCall(&f.calls, "CreateSecurityGroup", f.createSecurityGroup, in)
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return fakeCall(&f.calls, "DescribeSecurityGroups", f.describeSecurityGroups, in)
}

func (f *fakeEC2) DeleteSecurityGroup(_ context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	return fakeCall(&f.calls, "DeleteSecurityGroup", f.deleteSecurityGroup, in)
}

func (f *fakeEC2) AuthorizeSecurityGroupIngress(_ context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
	return fakeCall(&f.calls, "AuthorizeSecurityGroupIngress", f.authorizeSecurityGroupIngress, in)
}

func (f *fakeEC2) AuthorizeSecurityGroupEgress(_ context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error) {
	return fakeCall(&f.calls, "AuthorizeSecurityGroupEgress", f.authorizeSecurityGroupEgress, in)
}

func (f *fakeEC2) RevokeSecurityGroupIngress(_ context.Context, in *ec2.RevokeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error) {
	return fakeCall(&f.calls, "RevokeSecurityGroupIngress", f.revokeSecurityGroupIngress, in)
}

func (f *fakeEC2) RevokeSecurityGroupEgress(_ context.Context, in *ec2.RevokeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
	return fakeCall(&f.calls, "RevokeSecurityGroupEgress", f.revokeSecurityGroupEgress, in)
}

func (f *fakeEC2) UpdateSecurityGroupRuleDescriptionsIngress(_ context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput, _ ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error) {
	return fakeCall(&f.calls, "UpdateSecurityGroupRuleDescriptionsIngress", f.updateSecurityGroupRuleDescriptionsIngress, in)
}

func (f *fakeEC2) UpdateSecurityGroupRuleDescriptionsEgress(_ context.Context, in *ec2.UpdateSecurityGroupRuleDescriptionsEgressInput, _ ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsEgressOutput, error) {
	return fakeCall(&f.calls, "UpdateSecurityGroupRuleDescriptionsEgress", f.updateSecurityGroupRuleDescriptionsEgress, in)
}

func (f *fakeEC2) CreateVpcEndpoint(_ context.Context, in *ec2.CreateVpcEndpointInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcEndpointOutput, error) {
	return fakeCall(&f.calls, "CreateVpcEndpoint", f.createVpcEndpoint, in)
}

func (f *fakeEC2) DescribeVpcEndpoints(_ context.Context, in *ec2.DescribeVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	return fakeCall(&f.calls, "DescribeVpcEndpoints", f.describeVpcEndpoints, in)
}

func (f *fakeEC2) ModifyVpcEndpoint(_ context.Context, in *ec2.ModifyVpcEndpointInput, _ ...func(*ec2.Options)) (*ec2.ModifyVpcEndpointOutput, error) {
	return fakeCall(&f.calls, "ModifyVpcEndpoint", f.modifyVpcEndpoint, in)
}

func (f *fakeEC2) DeleteVpcEndpoints(_ context.Context, in *ec2.DeleteVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcEndpointsOutput, error) {
	return fakeCall(&f.calls, "DeleteVpcEndpoints", f.deleteVpcEndpoints, in)
}

func (f *fakeEC2) DescribePrefixLists(_ context.Context, in *ec2.DescribePrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribePrefixListsOutput, error) {
	return fakeCall(&f.calls, "DescribePrefixLists", f.describePrefixLists, in)
}

// DescribeNetworkInterfaces answers no interfaces unless the test says otherwise.
func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.calls.add("DescribeNetworkInterfaces")
	if f.describeNetworkInterfaces == nil {
		return &ec2.DescribeNetworkInterfacesOutput{}, nil
	}
	return f.describeNetworkInterfaces(in)
}

func (f *fakeEC2) DeleteNetworkInterface(_ context.Context, in *ec2.DeleteNetworkInterfaceInput, _ ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error) {
	return fakeCall(&f.calls, "DeleteNetworkInterface", f.deleteNetworkInterface, in)
}
