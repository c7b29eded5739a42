package kinds

import "strings"

// Permissions says what IAM permissions one kind needs: the SDK operations its client interface
// has (the test holds the two equal), which of them discovery makes on every resource of the
// type before it knows which are ours, and the ARNs of one of the spec's resources. The policy
// command (policy.go) turns it into a least-privilege policy per command.
type Permissions struct {
	Service string // IAM service prefix: ec2, iam, lambda, …
	// Calls are the SDK operations the kind's client can make. Which commands need which
	// follows from the name: reads (reconcile.IsReadOnlyOperation, the same rule that keeps
	// drift read-only) for drift, deletes (deletePrefixes) and reads for destroy, all for apply.
	Calls []string
	// Discover are the calls made on every resource of the type while finding ours by tag (or
	// listing them): they are granted on TypeARNs, the rest on OwnARNs.
	Discover []string
	// TypeARNs cover every resource of the type in the account and region; OwnARNs one of the
	// spec's resources, {name} being its physical name. Placeholders: {partition}, {region},
	// {account}, {name}, {path} (the name with one leading slash, as SSM ARNs carry it). Empty OwnARNs: the ids are made by AWS, so TypeARNs serve.
	TypeARNs, OwnARNs []string
	// Destroy are the calls besides reads and deletes that deleting the resource makes.
	Destroy []string
	// PassRole: creating or updating the resource hands one of the stack's roles to a service.
	PassRole bool
	// Via are calls made through another kind's client (op → that kind), granted as that
	// kind's: an SSM parameter whose first value is an API key's reads the key.
	Via map[string]string
}

// deletePrefixes are the operation-name prefixes of calls that take something away; destroy
// needs them and the reads.
var deletePrefixes = []string{"Delete", "Remove", "Detach", "Disassociate", "Revoke"}

// IsDeleteOperation reports whether an SDK operation removes something, by AWS's naming.
func IsDeleteOperation(op string) bool {
	for _, p := range deletePrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

var (
	ec2ARNs    = []string{"arn:{partition}:ec2:{region}:{account}:*"}
	apigwARNs  = []string{"arn:{partition}:apigateway:{region}::/restapis", "arn:{partition}:apigateway:{region}::/restapis/*", "arn:{partition}:apigateway:{region}::/apikeys", "arn:{partition}:apigateway:{region}::/apikeys/*", "arn:{partition}:apigateway:{region}::/usageplans", "arn:{partition}:apigateway:{region}::/usageplans/*", "arn:{partition}:apigateway:{region}::/tags/*"}
	lambdaARNs = []string{"arn:{partition}:lambda:{region}:{account}:function:*"}
	lambdaOwn  = []string{"arn:{partition}:lambda:{region}:{account}:function:{name}"}
)

// KindPermissions is the table, keyed by kind name; every registered kind has an entry.
var KindPermissions = map[string]Permissions{
	"ec2.vpc": {Service: "ec2", TypeARNs: ec2ARNs,
		Calls:    []string{"DescribeVpcs", "DescribeVpcAttribute", "DescribeRouteTables", "CreateVpc", "ModifyVpcAttribute", "DeleteVpc", "CreateTags", "DeleteTags"},
		Discover: []string{"DescribeVpcs", "DescribeVpcAttribute", "DescribeRouteTables"}},
	"ec2.subnet": {Service: "ec2", TypeARNs: ec2ARNs,
		Calls: []string{"DescribeSubnets", "CreateSubnet", "ModifySubnetAttribute", "DeleteSubnet", "CreateTags", "DeleteTags",
			"DescribeNetworkInterfaces", "DeleteNetworkInterface"}, // Lambda's detached interfaces that hold a delete
		Discover: []string{"DescribeSubnets"}},
	"ec2.security_group": {Service: "ec2", TypeARNs: ec2ARNs,
		Calls: []string{"DescribeSecurityGroups", "CreateSecurityGroup", "DeleteSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
			"RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "UpdateSecurityGroupRuleDescriptionsIngress", "UpdateSecurityGroupRuleDescriptionsEgress", "CreateTags", "DeleteTags",
			"DescribeNetworkInterfaces", "DeleteNetworkInterface"},
		Discover: []string{"DescribeSecurityGroups"}},
	"ec2.vpc_endpoint": {Service: "ec2", TypeARNs: ec2ARNs,
		Calls:    []string{"DescribeVpcEndpoints", "DescribePrefixLists", "CreateVpcEndpoint", "ModifyVpcEndpoint", "DeleteVpcEndpoints", "CreateTags", "DeleteTags"},
		Discover: []string{"DescribeVpcEndpoints", "DescribePrefixLists"}},
	"iam.role": {Service: "iam",
		Calls: []string{"ListRoles", "GetAccountAuthorizationDetails", "ListRoleTags", "GetRole", "GetRolePolicy", "ListRolePolicies", "ListAttachedRolePolicies", "ListInstanceProfilesForRole",
			"CreateRole", "UpdateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy",
			"TagRole", "UntagRole", "RemoveRoleFromInstanceProfile", "DeleteRole"},
		// ListRoles joined with GetAccountAuthorizationDetails (tags, policies, attachments of
		// every role) finds ours; without that call, each candidate is read with GetRole, which
		// carries the tags.
		Discover: []string{"ListRoles", "GetAccountAuthorizationDetails", "GetRole"},
		TypeARNs: []string{"arn:{partition}:iam::{account}:role/*"}, OwnARNs: []string{"arn:{partition}:iam::{account}:role/{name}"}},
	"logs.log_group": {Service: "logs",
		Calls: []string{"DescribeLogGroups", "ListTagsForResource", "CreateLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy", "AssociateKmsKey", "DisassociateKmsKey",
			"TagResource", "UntagResource", "DeleteLogGroup"},
		Discover: []string{"DescribeLogGroups", "ListTagsForResource"},
		TypeARNs: []string{"arn:{partition}:logs:{region}:{account}:log-group:*"},
		OwnARNs:  []string{"arn:{partition}:logs:{region}:{account}:log-group:{name}", "arn:{partition}:logs:{region}:{account}:log-group:{name}:*"}},
	"sqs.queue": {Service: "sqs",
		Calls:    []string{"ListQueues", "ListQueueTags", "GetQueueUrl", "GetQueueAttributes", "CreateQueue", "SetQueueAttributes", "TagQueue", "UntagQueue", "DeleteQueue"},
		Discover: []string{"ListQueues", "ListQueueTags"},
		TypeARNs: []string{"arn:{partition}:sqs:{region}:{account}:*"}, OwnARNs: []string{"arn:{partition}:sqs:{region}:{account}:{name}"}},
	"dynamodb.table": {Service: "dynamodb",
		Calls: []string{"ListTables", "DescribeTable", "ListTagsOfResource", "DescribeContinuousBackups", "DescribeTimeToLive", "CreateTable", "UpdateTable",
			"UpdateContinuousBackups", "UpdateTimeToLive", "TagResource", "UntagResource", "DeleteTable"},
		Discover: []string{"ListTables", "DescribeTable", "ListTagsOfResource"},
		TypeARNs: []string{"arn:{partition}:dynamodb:{region}:{account}:table/*"},
		OwnARNs:  []string{"arn:{partition}:dynamodb:{region}:{account}:table/{name}", "arn:{partition}:dynamodb:{region}:{account}:table/{name}/stream/*"}},
	"s3.bucket": {Service: "s3",
		Calls: []string{"ListBuckets", "GetBucketTagging", "HeadBucket", "GetBucketVersioning", "GetBucketEncryption", "GetBucketLifecycleConfiguration", "GetBucketPolicy",
			"GetPublicAccessBlock", "ListObjectVersions", "CreateBucket", "PutBucketTagging", "PutBucketVersioning", "PutBucketEncryption", "PutBucketLifecycleConfiguration",
			"PutBucketPolicy", "PutPublicAccessBlock", "DeleteBucketLifecycle", "DeleteBucketPolicy", "DeletePublicAccessBlock", "DeleteObjects", "DeleteBucket"},
		Discover: []string{"ListBuckets", "GetBucketTagging"},
		TypeARNs: []string{"arn:{partition}:s3:::*"}, OwnARNs: []string{"arn:{partition}:s3:::{name}", "arn:{partition}:s3:::{name}/*"}},
	"lambda.function": {Service: "lambda", PassRole: true,
		Calls: []string{"ListFunctions", "ListTags", "GetFunction", "GetFunctionConfiguration", "GetFunctionConcurrency", "CreateFunction", "UpdateFunctionCode",
			"UpdateFunctionConfiguration", "PutFunctionConcurrency", "DeleteFunctionConcurrency", "TagResource", "UntagResource", "DeleteFunction"},
		Discover: []string{"ListFunctions", "ListTags"}, TypeARNs: lambdaARNs, OwnARNs: lambdaOwn},
	"lambda.event_source_mapping": {Service: "lambda",
		Calls: []string{"ListEventSourceMappings", "ListTags", "GetEventSourceMapping", "CreateEventSourceMapping", "UpdateEventSourceMapping", "DeleteEventSourceMapping",
			"TagResource", "UntagResource"},
		Discover: []string{"ListEventSourceMappings", "ListTags"},
		TypeARNs: []string{"arn:{partition}:lambda:{region}:{account}:event-source-mapping:*"}},
	"lambda.permission": {Service: "lambda",
		Calls:    []string{"ListFunctions", "ListTags", "GetFunctionConfiguration", "GetPolicy", "AddPermission", "RemovePermission"},
		Discover: []string{"ListFunctions", "ListTags", "GetFunctionConfiguration", "GetPolicy"}, TypeARNs: lambdaARNs},
	"apigateway.rest_api": {Service: "apigateway", TypeARNs: apigwARNs,
		Calls: []string{"GetRestApis", "GetRestApi", "GetResources", "GetStages", "GetDeployment", "CreateRestApi", "UpdateRestApi", "CreateResource", "DeleteResource",
			"PutMethod", "DeleteMethod", "PutIntegration", "CreateDeployment", "UpdateStage", "DeleteStage", "TagResource", "UntagResource", "DeleteRestApi",
			"GetAuthorizers", "CreateAuthorizer", "UpdateAuthorizer", "DeleteAuthorizer"},
		Discover: []string{"GetRestApis", "GetRestApi", "GetResources", "GetStages", "GetDeployment", "GetAuthorizers"}},
	"ssm.parameter": {Service: "ssm",
		Calls:    []string{"DescribeParameters", "ListTagsForResource", "GetParameter", "PutParameter", "AddTagsToResource", "RemoveTagsFromResource", "DeleteParameter", "GetApiKey"},
		Discover: []string{"DescribeParameters", "ListTagsForResource"},
		TypeARNs: []string{"arn:{partition}:ssm:{region}:{account}:parameter/*"}, OwnARNs: []string{"arn:{partition}:ssm:{region}:{account}:parameter{path}"},
		Via: map[string]string{"GetApiKey": "apigateway.api_key"}},
	"apigateway.api_key": {Service: "apigateway", TypeARNs: apigwARNs,
		Calls:    []string{"GetApiKeys", "GetApiKey", "CreateApiKey", "UpdateApiKey", "TagResource", "UntagResource", "DeleteApiKey"},
		Discover: []string{"GetApiKeys", "GetApiKey"}},
	"apigateway.usage_plan": {Service: "apigateway", TypeARNs: apigwARNs,
		Calls: []string{"GetUsagePlans", "GetUsagePlan", "GetUsagePlanKeys", "CreateUsagePlan", "UpdateUsagePlan", "CreateUsagePlanKey", "DeleteUsagePlanKey",
			"TagResource", "UntagResource", "DeleteUsagePlan"},
		Discover: []string{"GetUsagePlans", "GetUsagePlan", "GetUsagePlanKeys"},
		Destroy:  []string{"UpdateUsagePlan"}}, // a plan is detached from its stages before it is deleted
	"cloudwatch.metric_alarm": {Service: "cloudwatch",
		Calls:    []string{"DescribeAlarms", "ListTagsForResource", "PutMetricAlarm", "TagResource", "UntagResource", "DeleteAlarms"},
		Discover: []string{"DescribeAlarms", "ListTagsForResource"},
		TypeARNs: []string{"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"}, OwnARNs: []string{"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}"}},
}

// unscoped are the IAM actions that take no resource-level permission: granted on "*".
var unscoped = map[string]bool{
	"iam:ListRoles": true, "iam:GetAccountAuthorizationDetails": true, "lambda:ListFunctions": true, "lambda:ListEventSourceMappings": true, "lambda:CreateEventSourceMapping": true,
	"sqs:ListQueues": true, "dynamodb:ListTables": true, "s3:ListAllMyBuckets": true, "logs:DescribeLogGroups": true,
	"cloudwatch:DescribeAlarms": true,
}

// s3Actions are the S3 operations whose IAM action has another name.
var s3Actions = map[string][]string{
	"ListBuckets": {"ListAllMyBuckets"}, "HeadBucket": {"ListBucket"}, "ListObjectVersions": {"ListBucketVersions"},
	"GetBucketEncryption": {"GetEncryptionConfiguration"}, "PutBucketEncryption": {"PutEncryptionConfiguration"},
	"GetBucketLifecycleConfiguration": {"GetLifecycleConfiguration"}, "PutBucketLifecycleConfiguration": {"PutLifecycleConfiguration"},
	"DeleteBucketLifecycle":   {"PutLifecycleConfiguration"},
	"GetPublicAccessBlock":    {"GetBucketPublicAccessBlock"},
	"PutPublicAccessBlock":    {"PutBucketPublicAccessBlock"},
	"DeletePublicAccessBlock": {"PutBucketPublicAccessBlock"},
	"DeleteObjects":           {"DeleteObject", "DeleteObjectVersion"},
}

// IAMActions names the IAM actions an SDK operation of service needs. Most are service:Op;
// S3 renames some, and API Gateway authorises by HTTP method on a resource path.
func IAMActions(service, op string) []string {
	switch service {
	case "s3":
		if as, ok := s3Actions[op]; ok {
			out := make([]string, len(as))
			for i, a := range as {
				out[i] = "s3:" + a
			}
			return out
		}
	case "apigateway":
		return []string{"apigateway:" + apigwMethod(op)}
	}
	return []string{service + ":" + op}
}

// apigwMethod is the HTTP method API Gateway's control plane answers op with.
func apigwMethod(op string) string {
	switch {
	case strings.HasPrefix(op, "Get"):
		return "GET"
	case strings.HasPrefix(op, "Create"):
		return "POST"
	case strings.HasPrefix(op, "Put"), op == "TagResource":
		return "PUT"
	case strings.HasPrefix(op, "Update"):
		return "PATCH"
	default: // Delete*, UntagResource
		return "DELETE"
	}
}
