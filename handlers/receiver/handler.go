package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// store is what the receiver needs of DynamoDB.
type store interface {
	webhook.ItemPutter
	webhook.ItemGetter
}

// handler answers the API's two routes. It never returns an error to Lambda: API Gateway would
// turn one into a bare 502, and every answer, failures included, is JSON the caller can read.
type handler struct {
	table     string
	db        store
	providers map[string]providerConfig // POST /webhook/{provider}
	legacy    *providerConfig           // POST /webhook; nil when not served
	secrets   secretSource
	maxBody   int
	log       *zap.Logger
	now       func() time.Time
}

type route int

const (
	routeNone     route = iota
	routeWebhook        // POST /webhook (legacy: X-Webhook-Provider, X-Webhook-Signature)
	routeProvider       // POST /webhook/{provider}
	routeEvent          // GET /events/{eventId}
)

// Handle routes one API Gateway request.
func (h *handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log := webhook.WithRequest(ctx, h.log)
	switch r, id := match(req); r {
	case routeWebhook, routeProvider:
		if req.HTTPMethod != http.MethodPost {
			return methodNotAllowed(http.MethodPost), nil
		}
		return h.postWebhook(ctx, log, req, id), nil
	case routeEvent:
		if req.HTTPMethod != http.MethodGet {
			return methodNotAllowed(http.MethodGet), nil
		}
		return h.getEvent(ctx, log, id), nil
	default:
		return errorResponse(http.StatusNotFound, "no such route"), nil
	}
}

// match finds the route by the API Gateway resource, and by the path when the resource is not
// one of ours (a greedy proxy resource, or a hand-written test event).
func match(req events.APIGatewayProxyRequest) (route, string) {
	switch req.Resource {
	case "/webhook":
		return routeWebhook, ""
	case "/webhook/{provider}":
		if name := req.PathParameters["provider"]; name != "" {
			return routeProvider, name
		}
		return routeNone, ""
	case "/events/{eventId}":
		return routeEvent, req.PathParameters["eventId"]
	}
	path := strings.TrimSuffix(req.Path, "/")
	if path == "/webhook" {
		return routeWebhook, ""
	}
	if name, ok := strings.CutPrefix(path, "/webhook/"); ok && name != "" && !strings.Contains(name, "/") {
		return routeProvider, name
	}
	if id, ok := strings.CutPrefix(path, "/events/"); ok && id != "" && !strings.Contains(id, "/") {
		return routeEvent, id
	}
	return routeNone, ""
}

// header looks a request header up case-insensitively, as HTTP headers are, whatever case the
// client sent and API Gateway kept.
func header(req events.APIGatewayProxyRequest, name string) string {
	if v, ok := req.Headers[name]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}
