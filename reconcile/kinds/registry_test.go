package kinds

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// registryTestCode packages any function as the same bytes.
type registryTestCode struct{}

func (registryTestCode) Package(context.Context, *spec.LambdaFunction) ([]byte, string, error) {
	return []byte("zip"), "c2hhMjU2", nil
}

func testRegistry() reconcile.Registry {
	return Registry(aws.Config{Region: "eu-west-1"}, "111122223333", registryTestCode{})
}

// The registry implements exactly the kinds of the spec language, each once.
func TestRegistryImplementsEveryKindOfTheSpec(t *testing.T) {
	var want, got []string
	for _, ki := range spec.Kinds {
		want = append(want, ki.Kind)
	}
	for _, k := range testRegistry() {
		got = append(got, k.Kind())
	}
	assert.ElementsMatch(t, want, got)
	assert.Len(t, got, len(want), "no kind twice")
}

// Every path a kind's Diff can produce starts with a property name of its spec struct (its
// yaml tag), so that a plan speaks the spec's language. The diffs come from comparing the
// spec's defaults with a value whose every field is set, both ways.
func TestRegistryDiffPathsAreSpecProperties(t *testing.T) {
	// Paths that name something derived from several properties, not one property.
	derived := map[string][]string{
		"lambda.function": {"code"}, // the package's hash, from handler and zip
	}
	reg := testRegistry()
	for _, ki := range spec.Kinds {
		t.Run(ki.Kind, func(t *testing.T) {
			k, ok := reg.Lookup(ki.Kind)
			require.True(t, ok)
			props := append(yamlNames(reflect.TypeOf(ki.New()).Elem()), derived[ki.Kind]...)
			empty, full := ki.New(), ki.New()
			fill(reflect.ValueOf(full).Elem())
			var paths []string
			for _, pair := range [][2]spec.Properties{{empty, full}, {full, empty}} {
				diffs, err := k.Diff(reconcile.Desired{Name: "n", Props: pair[0]}, state.Resource{ID: "n", Name: "n", Props: pair[1]})
				require.NoError(t, err)
				for _, d := range diffs {
					paths = append(paths, d.Path)
				}
			}
			require.NotEmpty(t, paths, "a fully set value differs from the defaults")
			for _, p := range paths {
				head, _, _ := strings.Cut(p, ".")
				head, _, _ = strings.Cut(head, "[")
				assert.Contains(t, props, head, "diff path %s", p)
			}
		})
	}
}

// yamlNames are the property names of a spec struct.
func yamlNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// fill sets every field of v to a non-zero value: "x1" for strings, true, 1, one element.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x1")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 7)
	case reflect.Float64:
		v.SetFloat(v.Float() + 7)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem())
	case reflect.Slice:
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e)
		v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), e))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(key)
		fill(val)
		m.SetMapIndex(key, val)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// registryObserved is, per kind, one resource it observed through its fake (created, or
// listed from the fake's fixtures), for the attribute check.
var registryObserved = map[string]func(t *testing.T) state.Resource{
	"ec2.vpc": func(t *testing.T) state.Resource {
		f := vpcFake(testVPCObject("vpc-ours", ec2OwnedTags(ec2UnitOwner, "net-u1")))
		return registryOnlyOne(t)(newTestVPC(f).List(context.Background(), ec2UnitSelector()))
	},
	"ec2.subnet": func(t *testing.T) state.Resource {
		f := subnetFake(testSubnetObject("subnet-ours", ec2OwnedTags(ec2UnitOwner, "a-u1")))
		return registryOnlyOne(t)(newTestSubnet(f).List(context.Background(), ec2UnitSelector()))
	},
	"ec2.security_group": func(t *testing.T) state.Resource {
		f := sgFake(testSecurityGroupObject("sg-ours", ec2OwnedTags(ec2UnitOwner, "web-u1")))
		return registryOnlyOne(t)(newTestSG(f).List(context.Background(), ec2UnitSelector()))
	},
	"ec2.vpc_endpoint": func(t *testing.T) state.Resource {
		f := vpceFake(testEndpointObject("vpce-ours", "available", ec2OwnedTags(ec2UnitOwner, "s3-u1")))
		return registryOnlyOne(t)(newTestEndpoint(f).List(context.Background(), ec2UnitSelector()))
	},
	"iam.role": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.IAMRole](unitIAM(memIAM(map[string]*memRole{}))), desired(miscOwner("worker"), "worker-dev", iamWorker()))
	},
	"logs.log_group": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.LogGroup](unitLogs(memLogs(map[string]*memGroup{}))),
			desired(miscOwner("api-logs"), "/aws/lambda/api-dev", &spec.LogGroup{RetentionDays: 7}))
	},
	"sqs.queue": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.SQSQueue](unitSQS(memSQS(map[string]*memQueue{}))), desired(miscOwner("jobs"), "jobs-dev", sqsDefaults()))
	},
	"dynamodb.table": func(t *testing.T) state.Resource {
		o := miscOwner("events")
		f := newDDBFake(ddbTable("events-dev"), o.Tags())
		f.listTables = func(*dynamodb.ListTablesInput) (*dynamodb.ListTablesOutput, error) {
			return &dynamodb.ListTablesOutput{TableNames: []string{"events-dev"}}, nil
		}
		return registryOnlyOne(t)(newTestDDB(f).List(context.Background(), state.Selector{Stack: o.Stack, Suffix: o.Suffix}))
	},
	"s3.bucket": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.S3Bucket](newTestS3(newS3Fake(&s3Mem{}), "us-east-1")), s3Desired(s3Defaults()))
	},
	"lambda.function": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.LambdaFunction](unitLambdaFn(fnMemLambda(map[string]*fnMem{}), &fnTestCode{})),
			desired(miscOwner("receiver"), "receiver-dev", fnUnitProps()))
	},
	"lambda.event_source_mapping": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.EventSourceMapping](unitESM(memLambdaESM(map[string]*memMapping{}))),
			desired(miscOwner("jobs"), "jobs-dev", esmQueueProps()))
	},
	"apigateway.rest_api": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.RestAPI](unitRestAPI(memRestAPI(map[string]*memRest{}))), desired(miscOwner("api"), "api-dev", restUnitProps()))
	},
	"lambda.permission": func(t *testing.T) state.Resource {
		_, _, k := fnPermFixture(t)
		return registryCreate(t, tk[spec.LambdaPermission](k), desired(miscOwner("api-invoke"), "shop-api-invoke-dev", fnPermProps()))
	},
	"apigateway.api_key": func(t *testing.T) state.Resource {
		ours := miscOwner("key")
		f := &fakeAPIGW{getApiKeys: func(*apigateway.GetApiKeysInput) (*apigateway.GetApiKeysOutput, error) {
			return &apigateway.GetApiKeysOutput{Items: []types.ApiKey{apikeyItem("k1", "key-dev", &ours)}}, nil
		}}
		return registryOnlyOne(t)(unitAPIKey(f).List(context.Background(), state.Selector{Stack: ours.Stack, Suffix: ours.Suffix}))
	},
	"ssm.parameter": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.SSMParameter](unitSSM(&memSSM{params: map[string]*memParam{}})),
			desired(miscOwner("stripe-secret"), ssmName, ssmDefaults()))
	},
	"apigateway.usage_plan": func(t *testing.T) state.Resource {
		ours := miscOwner("plan")
		f := &fakeAPIGW{getUsagePlans: func(*apigateway.GetUsagePlansInput) (*apigateway.GetUsagePlansOutput, error) {
			return &apigateway.GetUsagePlansOutput{Items: []types.UsagePlan{planItem("p1", "plan-dev", apigwOwnedTags(ours))}}, nil
		}, getUsagePlanKeys: planKeys()}
		return registryOnlyOne(t)(unitUsagePlan(f).List(context.Background(), state.Selector{Stack: ours.Stack, Suffix: ours.Suffix}))
	},
	"cloudwatch.metric_alarm": func(t *testing.T) state.Resource {
		return registryCreate(t, tk[spec.MetricAlarm](unitAlarm(memCloudWatch(map[string]*memAlarm{}))), desired(miscOwner("errors"), "errors-dev", cwErrorRate("fn")))
	},
}

func ec2UnitSelector() state.Selector {
	return state.Selector{Stack: ec2UnitOwner.Stack, Suffix: ec2UnitOwner.Suffix}
}

// registryOnlyOne takes a List's answer, which must be one resource.
func registryOnlyOne(t *testing.T) func(rs []state.Resource, err error) state.Resource {
	return func(rs []state.Resource, err error) state.Resource {
		t.Helper()
		require.NoError(t, err)
		require.Len(t, rs, 1)
		return rs[0]
	}
}

func registryCreate(t *testing.T, k testKind, d reconcile.Desired) state.Resource {
	t.Helper()
	r, err := k.Create(context.Background(), d)
	require.NoError(t, err)
	return r
}

// The attributes a kind fills are exactly those the spec lets other resources reference, and
// the bookkeeping two kinds keep among them for their own Diff.
func TestRegistryAttributesAreTheSpecs(t *testing.T) {
	internal := map[string][]string{
		"lambda.function":     {"code_sha256"},    // the deployed package's hash, for the code diff
		"apigateway.rest_api": {restDeployedAttr}, // the routes the stage's deployment serves
	}
	for _, ki := range spec.Kinds {
		t.Run(ki.Kind, func(t *testing.T) {
			observe, ok := registryObserved[ki.Kind]
			require.True(t, ok, "no observation for %s", ki.Kind)
			r := observe(t)
			want := append(slices.Clone(ki.Attributes), internal[ki.Kind]...)
			assert.ElementsMatch(t, want, slices.Collect(maps.Keys(r.Attrs)))
		})
	}
}
