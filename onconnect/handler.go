package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/identity"
	"wsapi/shared/logging"
	"wsapi/shared/registry"
)

// Registry records who is connected.
type Registry interface {
	Add(ctx context.Context, e registry.Entry) error
}

// Handler accepts a connection once it is recorded under its verified user.
type Handler struct {
	Registry Registry
}

// Handle records the connection; the 200 completes the handshake. A
// connection that cannot be recorded is refused rather than left unreachable.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	user := identity.User(rc)
	log := logging.From(ctx)
	if user == "" {
		log.Warn().Msg("refused: no verified user (is the authorizer on $connect?)")
		return events.APIGatewayProxyResponse{StatusCode: http.StatusForbidden}, nil
	}
	err := h.Registry.Add(ctx, registry.Entry{
		ConnectionID: rc.ConnectionID,
		UserName:     user,
		SourceIP:     rc.Identity.SourceIP,
		ConnectedAt:  time.UnixMilli(rc.ConnectedAt),
	})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("record connection: %w", err)
	}
	log.Info().
		Str("userName", user).
		Str("sourceIp", rc.Identity.SourceIP).
		Str("userAgent", rc.Identity.UserAgent).
		Msg("connected")
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: "Connected."}, nil
}
