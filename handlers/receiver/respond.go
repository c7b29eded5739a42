package main

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// retryAfter is the Retry-After of a 503, in seconds: long enough for a DynamoDB throttle to
// clear, short against providers' own retry schedules.
const retryAfter = 5

type errorBody struct {
	Error string `json:"error"`
}

// ackBody answers a stored webhook; Duplicate says this delivery was a retry of one already
// stored.
type ackBody struct {
	EventID   string `json:"event_id"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func jsonResponse(status int, body any) events.APIGatewayProxyResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
	}
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

func errorResponse(status int, msg string) events.APIGatewayProxyResponse {
	return jsonResponse(status, errorBody{Error: msg})
}

func methodNotAllowed(allow string) events.APIGatewayProxyResponse {
	r := errorResponse(http.StatusMethodNotAllowed, "method not allowed")
	r.Headers["Allow"] = allow
	return r
}

// unavailable asks the caller to retry: nothing was stored, and the cause is expected to pass.
func unavailable(msg string) events.APIGatewayProxyResponse {
	r := errorResponse(http.StatusServiceUnavailable, msg)
	r.Headers["Retry-After"] = strconv.Itoa(retryAfter)
	return r
}
