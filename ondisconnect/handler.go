package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/logging"
)

// Registry forgets closed connections.
type Registry interface {
	Remove(ctx context.Context, connectionID string) error
}

// Handler removes a closed connection from the registry.
type Handler struct {
	Registry Registry
}

// Handle runs after the socket has closed, from either side. API Gateway
// delivers it on a best-effort basis, so the registry's rows also expire on
// their own (expiresAt), and senders drop rows that answer 410.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	reason := ""
	if rc.DisconnectReason != nil {
		reason = *rc.DisconnectReason
	}
	logging.From(ctx).Info().
		Int64("disconnectStatusCode", rc.DisconnectStatusCode).
		Str("disconnectReason", reason).
		Msg("disconnected")
	if err := h.Registry.Remove(ctx, rc.ConnectionID); err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("forget connection: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "Disconnected."}, nil
}
