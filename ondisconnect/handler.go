package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/logging"
)

// Handle runs after the socket has closed, from either side. API Gateway
// delivers it on a best-effort basis: nothing here may be the only way a
// connection's state is cleaned up.
func Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	reason := ""
	if rc.DisconnectReason != nil {
		reason = *rc.DisconnectReason
	}
	logging.From(ctx).Info().
		Int64("disconnectStatusCode", rc.DisconnectStatusCode).
		Str("disconnectReason", reason).
		Msg("disconnected")
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "Disconnected."}, nil
}
