package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/logging"
)

// Registry forgets closed connections.
type Registry interface {
	Remove(ctx context.Context, connectionID string) error
}

// Rooms forgets a closed connection's memberships.
type Rooms interface {
	Forget(ctx context.Context, connectionID string) error
}

// Handler removes a closed connection from the registry and its rooms.
type Handler struct {
	Registry Registry
	Rooms    Rooms
}

// Handle runs after the socket has closed, from either side. API Gateway
// delivers it on a best-effort basis, so the registry's rows also expire on
// their own (expiresAt), and senders drop rows that answer 410. A failure
// in one store does not keep the other from forgetting.
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
	if err := errors.Join(h.Rooms.Forget(ctx, rc.ConnectionID), h.Registry.Remove(ctx, rc.ConnectionID)); err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("forget connection: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "Disconnected."}, nil
}
