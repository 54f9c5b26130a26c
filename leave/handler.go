package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/logging"
	"wsapi/shared/message"
	"wsapi/shared/reply"
)

// Rooms records memberships.
type Rooms interface {
	// Leave reports whether the connection was in room; an error with
	// true means it is out, but a count could not be taken down.
	Leave(ctx context.Context, room, connectionID string) (bool, error)
}

// Handler takes the caller out of a room.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) connections.Poster
	Rooms       Rooms
}

type left struct {
	Action string `json:"action"`
	Room   string `json:"room"`
}

// Handle takes the caller's connection out of the room. Leaving a room it
// is not in is the client's mistake, told as not_a_member.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	poster := h.Connections(rc.DomainName, rc.Stage)

	room, rejected := parse(req.Body)
	if rejected != nil {
		logging.From(ctx).Info().Str("error", rejected.Code).Msg(rejected.Message)
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}
	was, err := h.Rooms.Leave(ctx, room, rc.ConnectionID)
	switch {
	case err != nil && !was:
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("leave %s: %w", room, err)
	case err != nil:
		// Out of the room, with a count left one high: answered as left,
		// since a retry would only be told it is not a member.
		logging.From(ctx).Warn().Err(err).Str("room", room).Msg("left, not uncounted")
	}
	if !was {
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("not_a_member", "you are not in room %s", room))
	}
	logging.From(ctx).Info().Str("room", room).Msg("left")
	frame, err := json.Marshal(left{Action: "leave", Room: room})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode answer: %w", err)
	}
	if err := poster.Post(ctx, rc.ConnectionID, frame); err != nil && !errors.Is(err, connections.ErrGone) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("answer leave: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// parse reads {"action":"leave","room":"lobby"}.
func parse(body string) (string, *reply.Error) {
	msg, rejected := message.Fields(body, `{"action":"leave","room":"lobby"}`)
	if rejected != nil {
		return "", rejected
	}
	return message.Room(msg)
}
