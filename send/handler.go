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
	"wsapi/shared/fanout"
	"wsapi/shared/identity"
	"wsapi/shared/logging"
	"wsapi/shared/message"
	"wsapi/shared/reply"
	"wsapi/shared/username"
)

// Directory finds a user's connections and forgets stale ones.
type Directory interface {
	ConnectionsOf(ctx context.Context, userName string) ([]string, error)
	Remove(ctx context.Context, connectionID string) error
}

// defaultConcurrency bounds the posts in flight for one message
// (SEND_CONCURRENCY).
const defaultConcurrency = 32

// Handler delivers a message to every connection of one user.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) connections.Poster
	Registry    Directory
	// Forget drops every record of a connection that answered 410 (its
	// memberships too); nil: its registry row only.
	Forget fanout.Forget
	// Concurrency bounds the posts in flight for one message.
	Concurrency int
	// ReceiptTime is kept back from the invocation's deadline for the
	// receipt: no post starts once less than this is left, and one in
	// flight has until half of it is left (fanout.Fanout's Reserve).
	ReceiptTime time.Duration
	Now         func() time.Time
}

// defaultReceiptTime is what main keeps back for the receipt: one post
// takes tens of milliseconds, the rest is headroom for a slow or retried one.
const defaultReceiptTime = 2 * time.Second

type delivery struct {
	From    string `json:"from"`
	Message string `json:"message"`
	SentAt  string `json:"sentAt"`
}

type receipt struct {
	Action    string `json:"action"`
	To        string `json:"to"`
	Delivered int    `json:"delivered"`
	Failed    int    `json:"failed"`
	// Skipped counts the connections not attempted because the invocation
	// was running out of time: absent when every one was.
	Skipped int `json:"skipped,omitempty"`
}

// Handle sends {"from","message","sentAt"} to each connection of `to` and
// answers the sender with a receipt. The sender is who the authorizer said
// the connection is, whatever the body claims.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	poster := h.Connections(rc.DomainName, rc.Stage)

	from := identity.User(rc)
	if from == "" {
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("unauthenticated", "this connection has no verified identity: connect with ?token=…"))
	}
	to, text, rejected := parse(req.Body)
	if rejected != nil {
		logging.From(ctx).Info().Str("error", rejected.Code).Msg(rejected.Message)
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}

	ids, err := h.Registry.ConnectionsOf(ctx, to)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("find %s: %w", to, err)
	}
	frame, rejected, err := message.Frame(delivery{From: from, Message: text, SentAt: h.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode message: %w", err)
	}
	if rejected != nil {
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}
	// When ctx has a deadline (Lambda's, from the function's timeout), the
	// fan-out ends at least ReceiptTime/2 before it, so the receipt still
	// goes out.
	forget := h.Forget
	if forget == nil {
		forget = h.Registry.Remove
	}
	n := fanout.Fanout{Poster: poster, Forget: forget, Concurrency: h.Concurrency, Reserve: h.ReceiptTime}.Send(ctx, ids, frame)
	logging.From(ctx).Info().Str("from", from).Str("to", to).
		Int("connections", len(ids)).Int("delivered", n.Delivered).Int("gone", n.Gone).Int("failed", n.Failed).Int("skipped", n.Skipped).
		Msg("send")

	if n.Delivered+n.Failed+n.Skipped == 0 {
		resp, err := reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("not_connected", "%s is not connected", to))
		resp.StatusCode = http.StatusNotFound
		return resp, err
	}
	out, err := json.Marshal(receipt{Action: "send", To: to, Delivered: n.Delivered, Failed: n.Failed, Skipped: n.Skipped})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode receipt: %w", err)
	}
	if err := poster.Post(ctx, rc.ConnectionID, out); err != nil && !errors.Is(err, connections.ErrGone) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("send receipt: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// parse reads and checks a send message: {"action":"send","to":"hanako","message":"…"}.
func parse(body string) (to, text string, rejected *reply.Error) {
	msg, rejected := message.Fields(body, `{"action":"send","to":"hanako","message":"hi"}`)
	if rejected != nil {
		return "", "", rejected
	}
	if to, rejected = message.StringField(msg, "to"); rejected != nil {
		return "", "", rejected
	}
	if err := username.Check(to); err != nil {
		return "", "", reply.Errorf(reply.CodeInvalidField, "to %v", err)
	}
	if text, rejected = message.Text(msg); rejected != nil {
		return "", "", rejected
	}
	return to, text, nil
}
