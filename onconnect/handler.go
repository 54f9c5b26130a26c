package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/logging"
)

// Handle accepts the connection; the 200 completes the handshake.
func Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	id := req.RequestContext.Identity
	logging.From(ctx).Info().
		Str("sourceIp", id.SourceIP).
		Str("userAgent", id.UserAgent).
		Msg("connected")
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "Connected."}, nil
}
