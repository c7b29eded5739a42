package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// notFoundRule is one eventually consistent create: after it, the first reads of the new
// resource answer the service's not-found error.
type notFoundRule struct {
	service, create string
	created         func(req *http.Request, reqBody, respBody []byte) string // the new resource's id
	reads           []string                                                 // operation name prefixes that read it
	readIDs         func(req *http.Request, body []byte) []string            // the ids a read names
	status          int
	code, message   string // message has one %s: the id
	queryCode       string // SQS's query-compatible code
}

// notFoundRules are the reads AWS documents (or is known) to miss a fresh resource.
var notFoundRules = []notFoundRule{
	{service: "DynamoDB", create: "CreateTable", created: fromRequest(jsonField("TableName")),
		reads: []string{"DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive"}, readIDs: one(jsonField("TableName")),
		status: 400, code: "ResourceNotFoundException", message: "Requested resource not found: Table: %s not found"},
	{service: "Lambda", create: "CreateFunction", created: fromRequest(jsonField("FunctionName")),
		reads: []string{"GetFunction"}, readIDs: pathAfter("functions"),
		status: 404, code: "ResourceNotFoundException", message: "Function not found: %s"},
	{service: "API Gateway", create: "CreateRestApi", created: fromResponse(jsonField("id")),
		reads: []string{"GetRestApi", "GetResources", "GetStage"}, readIDs: pathAfter("restapis"),
		status: 404, code: "NotFoundException", message: "Invalid API identifier specified %s"},
	{service: "API Gateway", create: "CreateUsagePlan", created: fromResponse(jsonField("id")),
		reads: []string{"GetUsagePlan"}, readIDs: pathAfter("usageplans"),
		status: 404, code: "NotFoundException", message: "Invalid Usage Plan ID specified: %s"},
	{service: "API Gateway", create: "CreateApiKey", created: fromResponse(jsonField("id")),
		reads: []string{"GetApiKey"}, readIDs: pathAfter("apikeys"),
		status: 404, code: "NotFoundException", message: "Invalid API Key identifier specified: %s"},
	ec2Rule("CreateVpc", "vpcId", "DescribeVpcs", "VpcId", "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist"),
	ec2Rule("CreateSubnet", "subnetId", "DescribeSubnets", "SubnetId", "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist"),
	ec2Rule("CreateSecurityGroup", "groupId", "DescribeSecurityGroups", "GroupId", "InvalidGroup.NotFound", "The security group '%s' does not exist"),
	ec2Rule("CreateVpcEndpoint", "vpcEndpointId", "DescribeVpcEndpoints", "VpcEndpointId", "InvalidVpcEndpointId.NotFound", "The VpcEndpoint Id '%s' does not exist"),
	{service: "IAM", create: "CreateRole", created: fromRequest(formField("RoleName")),
		reads: []string{"GetRole", "ListRolePolicies", "ListAttachedRolePolicies"}, readIDs: one(formField("RoleName")),
		status: 404, code: "NoSuchEntity", message: "The role with name %s cannot be found."},
	{service: "S3", create: "CreateBucket", created: func(r *http.Request, _, _ []byte) string { return bucketOf(r) },
		reads: []string{"HeadBucket", "GetBucket", "GetPublicAccessBlock"}, readIDs: func(r *http.Request, _ []byte) []string { return []string{bucketOf(r)} },
		status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist: %s"},
	{service: "SQS", create: "CreateQueue", created: fromResponse(jsonField("QueueUrl")),
		reads: []string{"GetQueueAttributes", "ListQueueTags"}, readIDs: one(jsonField("QueueUrl")),
		status: 400, code: "QueueDoesNotExist", queryCode: "AWS.SimpleQueueService.NonExistentQueue", message: "The specified queue does not exist: %s"},
}

func ec2Rule(create, idElem, read, idParam, code, msg string) notFoundRule {
	return notFoundRule{service: "EC2", create: create, created: fromResponse(xmlElem(idElem)),
		reads: []string{read}, readIDs: formIndexed(idParam), status: 400, code: code, message: msg}
}

// noteCreate remembers a resource a successful create made, reading (and putting back) the
// answer when the id is in it.
func (t *Transport) noteCreate(c Call, req *http.Request, reqBody []byte, resp *http.Response) (*http.Response, error) {
	if t.o.NotFound <= 0 || resp.StatusCode/100 != 2 {
		return resp, nil
	}
	for _, r := range notFoundRules {
		if r.service != c.Service || r.create != c.Operation {
			continue
		}
		respBody, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("faults: read %s answer: %w", c, err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		if id := r.created(req, reqBody, respBody); id != "" {
			t.mu.Lock()
			t.pending[c.Service+"\x00"+id] = t.o.NotFound
			t.mu.Unlock()
		}
	}
	return resp, nil
}

// notFound answers a read of a fresh resource with the service's not-found error, while the
// resource has reads of that kind left.
func (t *Transport) notFound(c Call, req *http.Request, body []byte) *http.Response {
	if t.o.NotFound <= 0 {
		return nil
	}
	for _, r := range notFoundRules {
		if r.service != c.Service || !hasPrefix(c.Operation, r.reads) {
			continue
		}
		for _, id := range r.readIDs(req, body) {
			key := c.Service + "\x00" + id
			t.mu.Lock()
			left := t.pending[key]
			if left > 0 {
				t.pending[key] = left - 1
			}
			t.mu.Unlock()
			if left > 0 {
				return shapes[c.Service].answer(req, r.status, r.code, r.queryCode, fmt.Sprintf(r.message, id))
			}
		}
	}
	return nil
}

func hasPrefix(op string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// Extractors of ids from requests and answers.

func fromRequest(f func([]byte) string) func(*http.Request, []byte, []byte) string {
	return func(_ *http.Request, reqBody, _ []byte) string { return f(reqBody) }
}

func fromResponse(f func([]byte) string) func(*http.Request, []byte, []byte) string {
	return func(_ *http.Request, _, respBody []byte) string { return f(respBody) }
}

func one(f func([]byte) string) func(*http.Request, []byte) []string {
	return func(_ *http.Request, body []byte) []string { return []string{f(body)} }
}

func jsonField(name string) func([]byte) string {
	return func(b []byte) string {
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			return ""
		}
		s, _ := m[name].(string)
		return s
	}
}

func formField(name string) func([]byte) string {
	return func(b []byte) string {
		v, _ := url.ParseQuery(string(b))
		return v.Get(name)
	}
}

// formIndexed reads the query protocol's lists: VpcId.1, VpcId.2, …
func formIndexed(name string) func(*http.Request, []byte) []string {
	return func(_ *http.Request, b []byte) []string {
		v, _ := url.ParseQuery(string(b))
		var ids []string
		for k, vals := range v {
			if strings.HasPrefix(k, name+".") {
				ids = append(ids, vals...)
			}
		}
		return ids
	}
}

func xmlElem(name string) func([]byte) string {
	re := regexp.MustCompile(`<` + name + `>([^<]+)</` + name + `>`)
	return func(b []byte) string {
		if m := re.FindSubmatch(b); m != nil {
			return string(m[1])
		}
		return ""
	}
}

// pathAfter reads the path segment after segment: /restapis/{id}/…
func pathAfter(segment string) func(*http.Request, []byte) []string {
	return func(r *http.Request, _ []byte) []string {
		parts := strings.Split(r.URL.EscapedPath(), "/")
		for i := 0; i+1 < len(parts); i++ {
			if parts[i] == segment {
				id, _ := url.PathUnescape(parts[i+1])
				return []string{id}
			}
		}
		return nil
	}
}

// bucketOf is the bucket a path-style or virtual-hosted S3 request names.
func bucketOf(r *http.Request) string {
	if p := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2); p[0] != "" {
		return p[0]
	}
	host, _, _ := strings.Cut(r.URL.Host, ".")
	return host
}
