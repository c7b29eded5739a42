package faults

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// protocol is how a service writes its errors on the wire.
type protocol int

const (
	awsJSON  protocol = iota // {"__type": …, "message": …}, status 400 (DynamoDB, SQS, SSM, Logs)
	awsQuery                 // <ErrorResponse><Error><Code>, status 400 (IAM, STS, CloudWatch)
	ec2Query                 // <Response><Errors><Error><Code>, EC2's own
	restJSON                 // X-Amzn-ErrorType header and a JSON body (API Gateway, Lambda)
	restXML                  // <Error><Code> (S3)
)

// shape is one service's error form and its throttling error, as AWS answers them.
type shape struct {
	proto          protocol
	typePrefix     string // awsJSON: the namespace some services put before __type's code
	throttleCode   string
	throttleStatus int
	queryCompat    bool // SQS: the query-protocol code also travels in X-Amzn-Query-Error
	lambdaBody     bool // Lambda: {"Type": "User", "message": …}
	crc32          bool // DynamoDB: X-Amz-Crc32 of the body, which its client checks
}

// shapes by the SDK's service id.
var shapes = map[string]shape{
	"DynamoDB":         {proto: awsJSON, typePrefix: "com.amazonaws.dynamodb.v20120810#", throttleCode: "ThrottlingException", throttleStatus: 400, crc32: true},
	"DynamoDB Streams": {proto: awsJSON, typePrefix: "com.amazonaws.dynamodb.v20120810#", throttleCode: "ThrottlingException", throttleStatus: 400},
	"SQS":              {proto: awsJSON, typePrefix: "com.amazonaws.sqs#", throttleCode: "ThrottlingException", throttleStatus: 400, queryCompat: true},
	"SSM":              {proto: awsJSON, throttleCode: "ThrottlingException", throttleStatus: 400},
	"CloudWatch Logs":  {proto: awsJSON, throttleCode: "ThrottlingException", throttleStatus: 400},
	"IAM":              {proto: awsQuery, throttleCode: "Throttling", throttleStatus: 400},
	"STS":              {proto: awsQuery, throttleCode: "Throttling", throttleStatus: 400},
	"CloudWatch":       {proto: awsQuery, throttleCode: "Throttling", throttleStatus: 400},
	"EC2":              {proto: ec2Query, throttleCode: "RequestLimitExceeded", throttleStatus: 503},
	"API Gateway":      {proto: restJSON, throttleCode: "TooManyRequestsException", throttleStatus: 429},
	"Lambda":           {proto: restJSON, throttleCode: "TooManyRequestsException", throttleStatus: 429, lambdaBody: true},
	"S3":               {proto: restXML, throttleCode: "SlowDown", throttleStatus: 503},
}

// shapeOf finds the error shape for a call; ok is false for a wire form it cannot answer in
// (CloudWatch over RPCv2 CBOR, an unknown service without a JSON target or a form body).
func shapeOf(service string, req *http.Request) (shape, bool) {
	ct := req.Header.Get("Content-Type")
	form := strings.HasPrefix(ct, "application/x-www-form-urlencoded")
	s, known := shapes[service]
	switch {
	case known && s.proto == awsQuery && !form:
		return shape{}, false // e.g. CloudWatch speaking CBOR
	case known:
		return s, true
	case req.Header.Get("X-Amz-Target") != "":
		return shape{proto: awsJSON, throttleCode: "ThrottlingException", throttleStatus: 400}, true
	case form:
		return shape{proto: awsQuery, throttleCode: "Throttling", throttleStatus: 400}, true
	}
	return shape{}, false
}

// throttle is the service's answer to a call over its rate.
func (s shape) throttle(req *http.Request) *http.Response {
	msg := "Rate exceeded"
	if s.proto == restXML {
		msg = "Please reduce your request rate."
	}
	return s.answer(req, s.throttleStatus, s.throttleCode, s.throttleCode, msg)
}

// answer writes an error in the service's form. queryCode is what SQS's query compatibility
// header carries (for others it is unused).
func (s shape) answer(req *http.Request, status int, code, queryCode, msg string) *http.Response {
	h := http.Header{}
	h.Set("X-Amzn-Requestid", "faults-injected")
	var body []byte
	switch s.proto {
	case awsJSON:
		h.Set("Content-Type", req.Header.Get("Content-Type"))
		body, _ = json.Marshal(map[string]string{"__type": s.typePrefix + code, "message": msg})
		if s.queryCompat {
			h.Set("X-Amzn-Query-Error", queryCode+";Sender")
		}
	case restJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", code)
		fields := map[string]string{"message": msg}
		if s.lambdaBody {
			fields["Type"] = "User"
		}
		body, _ = json.Marshal(fields)
	case awsQuery:
		h.Set("Content-Type", "text/xml")
		body = fmt.Appendf(nil, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>faults-injected</RequestId></ErrorResponse>`, code, escape(msg))
	case ec2Query:
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		body = fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>faults-injected</RequestID></Response>`, code, escape(msg))
	case restXML:
		h.Set("Content-Type", "application/xml")
		if req.Method != http.MethodHead { // a HEAD answer has no body; the SDK goes by the status
			body = fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>faults-injected</RequestId></Error>`, code, escape(msg))
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if s.crc32 {
		h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
