package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/fanout"
	"wsapi/shared/fanoutqueue"
	"wsapi/shared/identity"
	"wsapi/shared/logging"
	"wsapi/shared/message"
	"wsapi/shared/reply"
)

// Rooms reads memberships.
type Rooms interface {
	IsMember(ctx context.Context, room, connectionID string) (bool, error)
	Members(ctx context.Context, room string, page func(ids []string) error) error
}

// Queue hands jobs to the fan-out worker.
type Queue interface {
	Enqueue(ctx context.Context, jobs []fanoutqueue.Job, delay time.Duration) error
}

// Handler delivers a member's message to the rest of its room.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) connections.Poster
	Rooms       Rooms
	Queue       Queue
	// Forget drops every record of a connection that answered 410.
	Forget fanout.Forget
	// Concurrency bounds the posts in flight of a room fanned out here.
	Concurrency int
	// InlineMax is the largest audience posted to here; a larger one goes
	// to the fan-out queue.
	InlineMax int
	// ReceiptTime is kept back from the invocation's deadline: what is not
	// posted by then goes to the queue.
	ReceiptTime time.Duration
	Now         func() time.Time
	// NewID names a message, so that a client can drop a repeat.
	NewID func() string
}

// defaultInlineMax: up to 100 recipients are posted to inside this
// invocation. At 32 posts in flight and some 25 ms a post that is 4 rounds,
// about 0.1 s, the same order as handing them to the queue (a
// SendMessageBatch, then up to a second for the worker to be polled and
// started); above it, posting here would delay the function and spend the
// account's @connections rate outside the share the worker's settings bound.
const defaultInlineMax = 100

// defaultConcurrency bounds a small room's posts in flight.
const defaultConcurrency = 32

// defaultReceiptTime is kept back for the receipt and for queueing what a
// slow fan-out leaves.
const defaultReceiptTime = 2 * time.Second

// retryDelay is how long what this invocation could not deliver waits in
// the queue before the worker tries it.
const retryDelay = 2 * time.Second

type delivery struct {
	Room      string `json:"room"`
	From      string `json:"from"`
	Message   string `json:"message"`
	SentAt    string `json:"sentAt"`
	MessageID string `json:"messageId"`
}

type receipt struct {
	Action     string `json:"action"`
	Room       string `json:"room"`
	Recipients int    `json:"recipients"`
	MessageID  string `json:"messageId"`
}

// Handle sends the message to every other connection in the room and the
// sender a receipt counting them. The sender's own row in the listing of
// the room shows it is a member: a room's one consistent Query is the only
// read before the posts, as a send's one Query of the registry is. A room of up to InlineMax others is
// posted to here, beside the receipt; a larger one is split into jobs for
// the fan-out worker as its members are read, page by page.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	poster := h.Connections(rc.DomainName, rc.Stage)
	log := logging.From(ctx)

	from := identity.User(rc)
	if from == "" {
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("unauthenticated", "this connection has no verified identity: connect with ?token=…"))
	}
	room, text, rejected := parse(req.Body)
	if rejected != nil {
		log.Info().Str("error", rejected.Code).Msg(rejected.Message)
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}
	id := h.NewID()
	frame, rejected, err := message.Frame(delivery{Room: room, From: from, Message: text, SentAt: h.Now().UTC().Format(time.RFC3339), MessageID: id})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode message: %w", err)
	}
	if rejected != nil {
		return reply.Reject(ctx, poster, rc.ConnectionID, rejected)
	}

	job := fanoutqueue.Job{DomainName: rc.DomainName, Stage: rc.Stage, Room: room, MessageID: id, Frame: frame}
	to := audience{sender: rc.ConnectionID, inlineMax: h.InlineMax}
	err = h.Rooms.Members(ctx, room, func(ids []string) error {
		to.add(ids)
		if !to.large() {
			return nil
		}
		// Nothing goes to the queue for a sender not shown to be a member:
		// when its row is not on the pages read so far, ask for it.
		if !to.member {
			in, err := h.Rooms.IsMember(ctx, room, rc.ConnectionID)
			if err != nil {
				return fmt.Errorf("check membership: %w", err)
			}
			if !in {
				return errNotMember
			}
			to.member = true
		}
		return h.enqueue(ctx, job, to.queue(), 0)
	})
	// The listing is read consistently, so a room read to its end without
	// the sender's row shows it is not a member.
	if errors.Is(err, errNotMember) || err == nil && !to.member {
		return reply.Reject(ctx, poster, rc.ConnectionID, reply.Errorf("not_a_member", "join room %s before broadcasting to it", room))
	}
	if err != nil {
		// Jobs already queued go out: a sender who retries may be
		// delivered twice, which the messageId tells apart.
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("broadcast to %s: %w", room, err)
	}
	log.Info().Str("room", room).Str("messageId", id).Int("recipients", to.recipients).Bool("queued", to.queued).Msg("broadcast")

	out, err := json.Marshal(receipt{Action: "broadcast", Room: room, Recipients: to.recipients, MessageID: id})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("encode receipt: %w", err)
	}
	// The receipt goes out beside the room's posts, not before them, so
	// that no member waits a round trip for it; the invocation ends only
	// once it is sent.
	receiptSent := make(chan struct{})
	go func() {
		defer close(receiptSent)
		if err := poster.Post(ctx, rc.ConnectionID, out); err != nil && !errors.Is(err, connections.ErrGone) {
			log.Warn().Err(err).Msg("receipt")
		}
	}()
	defer func() { <-receiptSent }()
	if len(to.pending) == 0 {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	}
	res := fanout.Fanout{Poster: poster, Forget: h.Forget, Concurrency: h.Concurrency, Reserve: h.ReceiptTime, Requeue: true}.Send(ctx, to.pending, frame)
	if len(res.Retry) > 0 {
		// Throttled, cut off or not attempted: the worker tries again.
		job.Attempt = 1
		if err := h.enqueue(ctx, job, res.Retry, retryDelay); err != nil {
			return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, fmt.Errorf("queue %d undelivered: %w", len(res.Retry), err)
		}
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
}

// audience is who a broadcast goes to, gathered as the room's members are
// read page by page: every other member, counted, and held in pending until
// the room turns out larger than inlineMax, from when what is read goes to
// the queue as it comes. A room read to its end without being queued is
// the small room posted to inline: pending is then its whole audience.
type audience struct {
	sender     string
	inlineMax  int
	pending    []string // read and not queued
	recipients int
	queued     bool // some went to the queue: all the rest go too
	member     bool // the sender's own row was read
}

// add takes a page of members.
func (a *audience) add(ids []string) {
	for _, id := range ids {
		if id == a.sender {
			a.member = true
			continue
		}
		a.pending = append(a.pending, id)
		a.recipients++
	}
}

// large reports whether what is pending goes to the queue: the room has
// more than inlineMax others, or some went already.
func (a *audience) large() bool { return a.queued || len(a.pending) > a.inlineMax }

// queue hands over what is pending, for the queue.
func (a *audience) queue() []string {
	ids := a.pending
	a.pending, a.queued = nil, true
	return ids
}

// errNotMember stops the reading of a room's members when the sender turns
// out not to be one.
var errNotMember = errors.New("not a member")

func (h Handler) enqueue(ctx context.Context, job fanoutqueue.Job, ids []string, delay time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	jobs, err := fanoutqueue.Split(job, ids)
	if err != nil {
		return err
	}
	return h.Queue.Enqueue(ctx, jobs, delay)
}

// parse reads {"action":"broadcast","room":"lobby","message":"hi"}.
func parse(body string) (room, text string, rejected *reply.Error) {
	msg, rejected := message.Fields(body, `{"action":"broadcast","room":"lobby","message":"hi"}`)
	if rejected != nil {
		return "", "", rejected
	}
	if room, rejected = message.Room(msg); rejected != nil {
		return "", "", rejected
	}
	if text, rejected = message.Text(msg); rejected != nil {
		return "", "", rejected
	}
	return room, text, nil
}

// newID returns 16 random bytes in hex.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
