package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/identity"
	"wsapi/shared/logging"
	"wsapi/shared/membership"
	"wsapi/shared/message"
	"wsapi/shared/reply"
	"wsapi/shared/rooms"
)

// Rooms records memberships.
type Rooms interface {
	// Join returns how many connections the room holds, m's included.
	Join(ctx context.Context, m membership.Member) (int, error)
}

// Handler puts the caller in a room its token allows.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) connections.Poster
	Rooms       Rooms
}

type joined struct {
	Action  string `json:"action"`
	Room    string `json:"room"`
	Members int    `json:"members"`
}

// Handle joins the caller's connection to the room and tells it how many
// connections the room holds, its own included. Joining a room twice is
// answered the same as once.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	poster := h.Connections(rc.DomainName, rc.Stage)
	log := logging.From(ctx)

	user := identity.User(rc)
	if user == "" {
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("unauthenticated", "this connection has no verified identity: connect with ?token=…"))
	}
	room, rejected := parse(req.Body)
	if rejected == nil {
		policy, err := rooms.PolicyOf(rc)
		if err != nil {
			log.Warn().Err(err).Msg("rooms claim")
		}
		if !policy.Allows(room) {
			rejected = reply.Errorf("forbidden_room", "your token does not allow room %s", room)
		}
	}
	if rejected != nil {
		log.Info().Str("error", rejected.Code).Msg(rejected.Message)
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}

	n, err := h.Rooms.Join(ctx, membership.Member{Room: room, ConnectionID: rc.ConnectionID, Principal: user, ConnectedAt: time.UnixMilli(rc.ConnectedAt)})
	if errors.Is(err, membership.ErrTooManyRooms) {
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("too_many_rooms", "a connection may be in at most %d rooms: leave one first", rooms.MaxPerConnection))
	}
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("join %s: %w", room, err)
	}
	log.Info().Str("room", room).Int("members", n).Msg("joined")
	frame, err := json.Marshal(joined{Action: "join", Room: room, Members: n})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode answer: %w", err)
	}
	if err := poster.Post(ctx, rc.ConnectionID, frame); err != nil && !errors.Is(err, connections.ErrGone) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("answer join: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// parse reads {"action":"join","room":"lobby"}.
func parse(body string) (string, *reply.Error) {
	msg, rejected := message.Fields(body, `{"action":"join","room":"lobby"}`)
	if rejected != nil {
		return "", rejected
	}
	return message.Room(msg)
}
