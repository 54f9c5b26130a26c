// Package connections talks to the API Gateway @connections management API:
// it sends data to a connection, reads it and closes it. Every send runs in its
// own X-Ray subsegment and writes one log line, so each message a function
// pushes can be followed from the client's frame back to the invocation.
package connections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"wsapi/shared/logging"
	"wsapi/shared/tracing"
)

// ErrGone means the connection is closed or never existed (HTTP 410): the
// caller should forget it.
var ErrGone = errors.New("connection is gone")

// MaxPayloadBytes is the most one PostToConnection may carry.
const MaxPayloadBytes = 128 << 10

// ErrPayloadTooLarge means the data is over MaxPayloadBytes.
var ErrPayloadTooLarge = errors.New("payload too large")

// ErrThrottled means @connections still answered 429 LimitExceededException
// after the SDK's own retries: the account's rate is spent, or the client's
// buffer is full. Another try later may succeed.
var ErrThrottled = errors.New("throttled")

// Poster sends one frame to one connection: a Client does, and a test's
// fake. Every function that posts takes one.
type Poster interface {
	Post(ctx context.Context, connectionID string, data []byte) error
}

var _ Poster = (*Client)(nil)

// Client is the @connections API of one WebSocket API stage.
type Client struct {
	api      *apigatewaymanagementapi.Client
	endpoint string
}

// New returns a client for endpoint (https://{domainName}/{stage}).
func New(cfg aws.Config, endpoint string) *Client {
	api := apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.HTTPClient = oneWrite{next: o.HTTPClient}
	})
	return &Client{api: api, endpoint: endpoint}
}

// Endpoint returns the client's base URL.
func (c *Client) Endpoint() string { return c.endpoint }

// Post sends data to the connection as one frame.
func (c *Client) Post(ctx context.Context, connectionID string, data []byte) error {
	ctx, span := tracing.Start(ctx, "PostToConnection")
	start := time.Now()
	_, err := c.api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(connectionID),
		Data:         data,
	})
	err = classify(err)
	outcome := Outcome(err)

	span.Annotate("connectionId", connectionID)
	span.Annotate("bytes", len(data))
	span.Annotate("outcome", outcome)
	span.End(err)

	log := logging.ForConnection(ctx, connectionID)
	ev := log.Info()
	if outcome == "error" {
		ev = log.Error().Err(err)
	}
	ev.Int("bytes", len(data)).
		Float64("durationMs", float64(time.Since(start).Microseconds())/1000).
		Str("outcome", outcome).
		Msg("PostToConnection")

	if err != nil {
		return fmt.Errorf("post to connection %s: %w", connectionID, err)
	}
	return nil
}

// Connection is what API Gateway knows of an open connection.
type Connection struct {
	ConnectedAt  time.Time
	LastActiveAt time.Time
	SourceIP     string
	UserAgent    string
}

// Get describes the connection.
func (c *Client) Get(ctx context.Context, connectionID string) (Connection, error) {
	out, err := c.api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{
		ConnectionId: aws.String(connectionID),
	})
	if err != nil {
		return Connection{}, fmt.Errorf("get connection %s: %w", connectionID, classify(err))
	}
	conn := Connection{
		ConnectedAt:  aws.ToTime(out.ConnectedAt),
		LastActiveAt: aws.ToTime(out.LastActiveAt),
	}
	if out.Identity != nil {
		conn.SourceIP = aws.ToString(out.Identity.SourceIp)
		conn.UserAgent = aws.ToString(out.Identity.UserAgent)
	}
	return conn, nil
}

// Delete closes the connection.
func (c *Client) Delete(ctx context.Context, connectionID string) error {
	_, err := c.api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{
		ConnectionId: aws.String(connectionID),
	})
	if err != nil {
		return fmt.Errorf("delete connection %s: %w", connectionID, classify(err))
	}
	return nil
}

// Outcome names a send's result the way logs and traces report it: ok,
// gone, throttled or error.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrGone):
		return "gone"
	case errors.Is(err, ErrThrottled):
		return "throttled"
	default:
		return "error"
	}
}

// classify adds this package's sentinels to the SDK's typed errors, keeping
// the original in the chain.
func classify(err error) error {
	var gone *types.GoneException
	var tooLarge *types.PayloadTooLargeException
	var limit *types.LimitExceededException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &gone):
		return fmt.Errorf("%w: %w", ErrGone, err)
	case errors.As(err, &tooLarge):
		return fmt.Errorf("%w: %w", ErrPayloadTooLarge, err)
	case errors.As(err, &limit):
		return fmt.Errorf("%w: %w", ErrThrottled, err)
	default:
		return err
	}
}

// Retryable reports whether a failed send may succeed if tried again later:
// throttled, cut off by its context, answered with a 5xx, or not answered at
// all. A gone connection, a 403, a 413 or any other 4xx will not.
func Retryable(err error) bool {
	var status interface{ HTTPStatusCode() int }
	switch {
	case err == nil, errors.Is(err, ErrGone):
		return false
	case errors.Is(err, ErrThrottled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return true
	case errors.As(err, &status):
		// 0: the request was never answered (connection refused, reset).
		code := status.HTTPStatusCode()
		return code == 0 || code >= 500
	default:
		return true
	}
}
