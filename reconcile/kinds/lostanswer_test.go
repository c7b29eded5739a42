package kinds

// Creates whose answer is lost: the service made the resource, the client heard a connection
// reset (as the call path reports it for a call under awscall.Once). Create must settle it by
// looking the resource up, never by sending the create again while it exists.

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apitypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/reconcile/kinds/internal/awscall"
	"github.com/provisioner-dev/provisioner/spec"
)

// lostFirst makes create do its work every time but lose the first answer.
func lostFirst[I, O any](create func(I) (O, error)) func(I) (O, error) {
	var once sync.Once
	return func(in I) (O, error) {
		out, err := create(in)
		lost := false
		once.Do(func() { lost = err == nil })
		if lost {
			var zero O
			return zero, awscall.LostAnswer(errors.New("read tcp 127.0.0.1:4566: connection reset by peer"))
		}
		return out, err
	}
}

func quickSettle(t *testing.T) {
	t.Helper()
	old := awscall.SettlePause
	awscall.SettlePause = time.Microsecond
	t.Cleanup(func() { awscall.SettlePause = old })
}

func TestCreateSettlesALostAnswerByLookingUp(t *testing.T) {
	quickSettle(t)
	for name, run := range map[string]func(t *testing.T) (creates, copies int){
		"ec2.vpc":              lostVPC,
		"apigateway.api_key":   lostAPIKey,
		"lambda.permission":    lostPermission,
		"ec2.vpc_endpoint":     lostEndpointSeenLate,
		"ec2.vpc_endpoint, ok": lostEndpointFound,
	} {
		t.Run(name, func(t *testing.T) {
			creates, copies := run(t)
			assert.Equal(t, 1, copies, "exactly one resource exists afterwards")
			assert.Positive(t, creates)
		})
	}
}

func lostVPC(t *testing.T) (int, int) {
	var made []types.Vpc
	f := vpcFake()
	f.describeVpcs = func(in *ec2.DescribeVpcsInput) (*ec2.DescribeVpcsOutput, error) {
		return &ec2.DescribeVpcsOutput{Vpcs: made}, nil
	}
	f.createVpc = lostFirst(func(in *ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error) {
		v := testVPCObject("vpc-1", in.TagSpecifications[0].Tags)
		made = append(made, v)
		return &ec2.CreateVpcOutput{Vpc: &v}, nil
	})
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "net-u1", Tags: ec2UnitOwner.Tags(), Props: &spec.VPC{CIDR: "10.0.0.0/16", EnableDNSSupport: true, EnableDNSHostnames: true}}
	got, err := tk[spec.VPC](newTestVPC(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "vpc-1", got.ID, "the VPC the lost answer made is adopted")
	assert.Equal(t, 1, f.count("CreateVpc"))
	return f.count("CreateVpc"), len(made)
}

func lostAPIKey(t *testing.T) (int, int) {
	var made []apitypes.ApiKey
	f := &fakeAPIGW{}
	o := miscOwner("key")
	f.getApiKeys = func(*apigateway.GetApiKeysInput) (*apigateway.GetApiKeysOutput, error) {
		return &apigateway.GetApiKeysOutput{Items: made}, nil
	}
	f.createApiKey = lostFirst(func(in *apigateway.CreateApiKeyInput) (*apigateway.CreateApiKeyOutput, error) {
		k := apitypes.ApiKey{Id: aws.String("k1"), Name: in.Name, Description: in.Description, Enabled: in.Enabled, Tags: in.Tags}
		made = append(made, k)
		return &apigateway.CreateApiKeyOutput{Id: k.Id, Name: k.Name, Description: k.Description, Enabled: k.Enabled, Tags: k.Tags}, nil
	})
	d := desired(o, "key-dev", &spec.APIKey{Description: "d", Enabled: true})
	got, err := tk[spec.APIKey](unitAPIKey(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "k1", got.ID)
	assert.Equal(t, 1, f.calls.count("CreateApiKey"))
	return f.calls.count("CreateApiKey"), len(made)
}

func lostPermission(t *testing.T) (int, int) {
	fns, f, k := fnPermFixture(t)
	f.addPermission = lostFirst(f.addPermission)
	d := desired(miscOwner("api-invoke"), "shop-api-invoke-dev", fnPermProps())
	got, err := tk[spec.LambdaPermission](k).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "shop-receiver-dev/shop-api-invoke-dev", got.ID)
	assert.Equal(t, 1, f.calls.count("AddPermission"))
	return f.calls.count("AddPermission"), len(fns["shop-receiver-dev"].policy)
}

// lostEndpointFound: the look-up after the lost answer sees the endpoint.
func lostEndpointFound(t *testing.T) (int, int) {
	return lostEndpoint(t, 0)
}

// lostEndpointSeenLate: the look-up does not see the new endpoint yet, so the create is sent
// again; its client token makes AWS answer with the first endpoint instead of a second one.
func lostEndpointSeenLate(t *testing.T) (int, int) {
	return lostEndpoint(t, 1)
}

func lostEndpoint(t *testing.T, hiddenLookups int) (int, int) {
	byToken := map[string]types.VpcEndpoint{}
	var tokens []string
	lookups := 0
	f := vpceFake(types.VpcEndpoint{})
	f.describeVpcEndpoints = func(in *ec2.DescribeVpcEndpointsInput) (*ec2.DescribeVpcEndpointsOutput, error) {
		var all []types.VpcEndpoint
		for _, ep := range byToken {
			all = append(all, ep)
		}
		if len(in.VpcEndpointIds) == 0 {
			if lookups++; lookups <= 1+hiddenLookups { // the first look-up precedes any create
				return &ec2.DescribeVpcEndpointsOutput{}, nil
			}
		}
		return &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: all}, nil
	}
	f.createVpcEndpoint = lostFirst(func(in *ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
		tok := aws.ToString(in.ClientToken)
		tokens = append(tokens, tok)
		ep, seen := byToken[tok]
		if !seen { // EC2's idempotency: the same token returns what it made the first time
			ep = testEndpointObject("vpce-"+string(rune('a'+len(byToken))), "available", in.TagSpecifications[0].Tags)
			byToken[tok] = ep
		}
		return &ec2.CreateVpcEndpointOutput{VpcEndpoint: &ep}, nil
	})
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "s3-u1", Tags: ec2UnitOwner.Tags(), Props: vpceGatewayProps("rtb-1", "rtb-2")}
	got, err := tk[spec.VPCEndpoint](newTestEndpoint(f)).Create(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, "vpce-a", got.ID)
	require.NotEmpty(t, tokens)
	for _, tok := range tokens {
		assert.Equal(t, tokens[0], tok, "every send carries one client token")
	}
	assert.Equal(t, 1+hiddenLookups, f.count("CreateVpcEndpoint"))
	return f.count("CreateVpcEndpoint"), len(byToken)
}

func TestVPCEndpointRecreateGetsANewClientToken(t *testing.T) {
	var tokens []string
	ep := testEndpointObject("vpce-new", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1"))
	f := vpceFake(ep)
	vpceNoEarlierAttempt(f)
	f.createVpcEndpoint = func(in *ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
		tokens = append(tokens, aws.ToString(in.ClientToken))
		return &ec2.CreateVpcEndpointOutput{VpcEndpoint: &ep}, nil
	}
	d := reconcile.Desired{Owner: ec2UnitOwner, Name: "s3-u1", Tags: ec2UnitOwner.Tags(), Props: vpceGatewayProps("rtb-1", "rtb-2")}
	for range 2 {
		_, err := tk[spec.VPCEndpoint](newTestEndpoint(f)).Create(context.Background(), d)
		require.NoError(t, err)
	}
	require.Len(t, tokens, 2)
	assert.NotEqual(t, tokens[0], tokens[1], "a create after a delete is a new generation: EC2 must not answer with the deleted endpoint")
}
