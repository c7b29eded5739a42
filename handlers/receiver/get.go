package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/handlers/internal/webhook"
)

// getEvent answers GET /events/{eventId} with the stored event and its status. The read is
// consistent, so an event acknowledged a moment ago is found.
func (h *handler) getEvent(ctx context.Context, log *zap.Logger, id string) events.APIGatewayProxyResponse {
	if !webhook.ValidID(id) {
		return errorResponse(http.StatusNotFound, "event not found") // no stored event can have this id
	}
	ctx, cancel := webhook.WithinInvocation(ctx, webhook.SafetyMargin)
	defer cancel()
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(h.table),
		Key:            map[string]types.AttributeValue{webhook.AttrEventID: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	log = log.With(zap.String("event_id", id))
	switch {
	case webhook.Transient(err):
		log.Error("read event", zap.Error(err))
		return unavailable("event store busy; retry later")
	case err != nil:
		log.Error("read event", zap.Error(err))
		return errorResponse(http.StatusInternalServerError, "event not read")
	case out.Item == nil:
		return errorResponse(http.StatusNotFound, "event not found")
	}
	ev, err := webhook.EventFromItem(out.Item)
	if err != nil {
		log.Error("read event", zap.Error(err))
		return errorResponse(http.StatusInternalServerError, "stored event is malformed")
	}
	return jsonResponse(http.StatusOK, ev)
}
