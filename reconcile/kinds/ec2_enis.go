package kinds

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
)

// ENIAPI is what clearing a VPC Lambda's leftover network interfaces needs; *ec2.Client
// satisfies it.
type ENIAPI interface {
	DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	DeleteNetworkInterface(ctx context.Context, in *ec2.DeleteNetworkInterfaceInput, optFns ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error)
}

// eniNotFound is EC2's code for an interface already gone.
const eniNotFound = "InvalidNetworkInterfaceID.NotFound"

// lambdaENIs finds the network interfaces Lambda made in a subnet or security group (filter
// "subnet-id" or "group-id"). After a VPC function is deleted AWS keeps them for up to ~45
// minutes, and the subnet or group cannot be deleted meanwhile; once Lambda detaches one
// (status available) we may delete it ourselves, as the Terraform AWS provider does.
type lambdaENIs struct {
	api    ENIAPI
	filter string
}

// isLambdaENI says whether an interface is Lambda's: interface type lambda, or the
// description Lambda gives its interfaces ("AWS Lambda VPC ENI-<function>-<uuid>").
func isLambdaENI(n types.NetworkInterface) bool {
	return n.InterfaceType == types.NetworkInterfaceTypeLambda || strings.HasPrefix(aws.ToString(n.Description), "AWS Lambda VPC ENI")
}

// clear deletes Lambda's available interfaces in id and returns those still attached, as
// "eni-… (in-use)", for the progress lines and the final error.
func (e lambdaENIs) clear(ctx context.Context, id string) (holding []string, err error) {
	in := &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{{Name: aws.String(e.filter), Values: []string{id}}}}
	pages := ec2.NewDescribeNetworkInterfacesPaginator(e.api, in)
	for pages.HasMorePages() {
		page, err := awscall.Call(ctx, func(ctx context.Context) (*ec2.DescribeNetworkInterfacesOutput, error) { return pages.NextPage(ctx) })
		if err != nil {
			return nil, fmt.Errorf("list network interfaces in %s: %w", id, err)
		}
		for _, n := range page.NetworkInterfaces {
			if !isLambdaENI(n) {
				continue
			}
			eni := aws.ToString(n.NetworkInterfaceId)
			if n.Status != types.NetworkInterfaceStatusAvailable {
				holding = append(holding, fmt.Sprintf("%s (%s)", eni, n.Status))
				continue
			}
			err := awscall.Send(ctx, e.api.DeleteNetworkInterface, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni)})
			if err != nil && !awscall.Is(err, eniNotFound) {
				holding = append(holding, fmt.Sprintf("%s (delete failed: %v)", eni, err))
			}
		}
	}
	return holding, nil
}
