package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/identity"
	"wsapi/shared/logging"
	"wsapi/shared/reply"
	"wsapi/shared/username"
)

// MaxMessageBytes bounds a message: what one client frame may carry.
const MaxMessageBytes = 32 << 10

// Poster sends one frame to one connection.
type Poster interface {
	Post(ctx context.Context, connectionID string, data []byte) error
}

// Directory finds a user's connections and forgets stale ones.
type Directory interface {
	ConnectionsOf(ctx context.Context, userName string) ([]string, error)
	Remove(ctx context.Context, connectionID string) error
}

// Handler delivers a message to every connection of one user.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) Poster
	Registry    Directory
	// Concurrency bounds the posts in flight for one message.
	Concurrency int
	// ReceiptTime is kept back from the invocation's deadline for the
	// receipt: no post starts, and none still in flight goes on, once less
	// than this is left.
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

// tally is what became of a message's posts: together they count every
// connection of the recipient.
type tally struct {
	delivered, gone, failed, skipped int
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
	frame, err := encode(delivery{From: from, Message: text, SentAt: h.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode message: %w", err)
	}
	if len(frame) > connections.MaxPayloadBytes {
		// JSON escapes control characters six bytes each: a message within
		// its own limit can still grow past what one frame may carry.
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf(reply.CodeInvalidField,
			"message must fit one frame once encoded: %d bytes, at most %d", len(frame), connections.MaxPayloadBytes))
	}
	n := h.fanOut(ctx, poster, ids, frame)
	logging.From(ctx).Info().Str("from", from).Str("to", to).
		Int("connections", len(ids)).Int("delivered", n.delivered).Int("gone", n.gone).Int("failed", n.failed).Int("skipped", n.skipped).
		Msg("send")

	if n.delivered+n.failed+n.skipped == 0 {
		resp, err := reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("not_connected", "%s is not connected", to))
		resp.StatusCode = http.StatusNotFound
		return resp, err
	}
	out, err := json.Marshal(receipt{Action: "send", To: to, Delivered: n.delivered, Failed: n.failed, Skipped: n.skipped})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode receipt: %w", err)
	}
	if err := poster.Post(ctx, rc.ConnectionID, out); err != nil && !errors.Is(err, connections.ErrGone) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("send receipt: %w", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// fanOut posts frame to every id, at most Concurrency at a time. A
// connection that is gone loses its registry row on the spot. When ctx has
// a deadline (Lambda's, from the function's timeout), the fan-out ends
// ReceiptTime before it: posts still in flight are cancelled and counted as
// failed, the ones not started are skipped, and the receipt still has time
// to go out.
func (h Handler) fanOut(ctx context.Context, poster Poster, ids []string, frame []byte) tally {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-h.ReceiptTime))
		defer cancel()
	}
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		n       tally
		started int
	)
	slots := make(chan struct{}, max(h.Concurrency, 1))
	for _, id := range ids {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		started++
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			err := poster.Post(ctx, id, frame)
			if errors.Is(err, connections.ErrGone) {
				if rerr := h.Registry.Remove(ctx, id); rerr != nil {
					logging.From(ctx).Warn().Err(rerr).Str("to", id).Msg("remove stale connection")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				n.delivered++
			case errors.Is(err, connections.ErrGone):
				n.gone++
			default:
				n.failed++
			}
		}()
	}
	wg.Wait()
	n.skipped = len(ids) - started
	return n
}

// encode is JSON without HTML escaping: a message full of '<' or '&' keeps
// its size, instead of growing sixfold into \u003c.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// parse reads and checks a send message: {"action":"send","to":"hanako","message":"…"}.
func parse(body string) (to, text string, rejected *reply.Error) {
	var msg map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &msg); err != nil || msg == nil {
		return "", "", reply.Errorf(reply.CodeInvalidJSON, `the message must be a JSON object, e.g. {"action":"send","to":"hanako","message":"hi"}`)
	}
	if to, rejected = stringField(msg, "to"); rejected != nil {
		return "", "", rejected
	}
	if err := username.Check(to); err != nil {
		return "", "", reply.Errorf(reply.CodeInvalidField, "to %v", err)
	}
	if text, rejected = stringField(msg, "message"); rejected != nil {
		return "", "", rejected
	}
	switch {
	case text == "":
		return "", "", reply.Errorf(reply.CodeInvalidField, "message must not be empty")
	case len(text) > MaxMessageBytes:
		return "", "", reply.Errorf(reply.CodeInvalidField, "message must be at most %d bytes, got %d", MaxMessageBytes, len(text))
	}
	return to, text, nil
}

func stringField(msg map[string]json.RawMessage, name string) (string, *reply.Error) {
	raw, ok := msg[name]
	if !ok || string(raw) == "null" {
		return "", reply.Errorf(reply.CodeMissingField, "%s is required", name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", reply.Errorf(reply.CodeInvalidField, "%s must be a string", name)
	}
	return s, nil
}
