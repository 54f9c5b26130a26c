package gateway

import "time"

// The limits a connection lives within, in one place. Those API Gateway
// sets come from its quotas page ("Amazon API Gateway quotas for
// configuring and running a WebSocket API"); the others are the gateway's
// own, named for what they protect.
const (
	// MaxMessageBytes: message payload size, 128 KB; a larger message
	// closes the connection with 1009.
	MaxMessageBytes = 128 << 10
	// MaxFrameBytes: WebSocket frame size, 32 KB; a larger frame closes the
	// connection with 1009.
	MaxFrameBytes = 32 << 10
	// maxURLChars: the URL of a WebSocket API, query included, 4,096
	// characters.
	maxURLChars = 4096
	// defaultIdleTimeout: idle connection timeout, 10 minutes.
	defaultIdleTimeout = 10 * time.Minute
	// defaultMaxDuration: connection duration, 2 hours.
	defaultMaxDuration = 2 * time.Hour
	// maxAuthorizerResultBytes: Lambda authorizer result size, 8 KB; a
	// larger result fails the handshake.
	maxAuthorizerResultBytes = 8 << 10

	// defaultRequestTimeout bounds reading a request's headers or a
	// @connections body and keeping an idle keep-alive connection: a
	// client that trickles a request is cut off.
	defaultRequestTimeout = 30 * time.Second

	// maxQueuedBytes bounds what waits to be written to one client: past it
	// a post is refused with 429 LimitExceededException, as API Gateway
	// refuses posts to a client whose buffer is full (apigatewaymanagementapi
	// documentation), rather than wait for a client that does not read.
	maxQueuedBytes = 256 << 10
	// maxInflightPerConn bounds the messages of one connection being handled
	// at once; the others wait, within maxBacklogBytes. A connection that
	// has had a message throttled is flooding, and has one handled at a time
	// until none waits. API Gateway has neither bound: here a function has
	// 10 instances on a laptop's cores, and a client flooding at the stage's
	// rate would take the cores the other clients' messages run on, however
	// fairly the instances are shared.
	maxInflightPerConn = 4
	// maxBacklogBytes bounds what one connection has sent that waits to be
	// handled: past it the gateway stops reading from that client (TCP
	// pushes back) rather than queue without limit or drop. It is large
	// enough that the reader keeps up with a flood of small messages, so
	// that throttling judges them as they arrive.
	maxBacklogBytes = 1 << 20
	// maxBacklogMessages bounds the same by count: a flood of tiny messages
	// under maxBacklogBytes would otherwise hold tens of thousands of
	// goroutines for one client.
	maxBacklogMessages = 1024
	// closeHandshakeTimeout bounds how long the gateway, after its close
	// frame, reads and discards what the client still sends while waiting
	// for the client's close frame (RFC 6455 §7.1.1): closing the socket
	// with the client's data unread would reset it and lose the close frame.
	closeHandshakeTimeout = 2 * time.Second
)
