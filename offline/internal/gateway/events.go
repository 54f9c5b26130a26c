package gateway

import (
	"crypto/rand"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID returns an id in the form API Gateway gives connections, requests
// and messages: 15 letters and digits and a trailing '=', such as
// XDmENcnwIE0CFEQ=. The '=' makes clients URL-encode ids in @connections
// paths, as they must on AWS.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:15]) // crypto/rand.Read never fails on Linux.
	for i := range 15 {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	b[15] = '='
	return string(b[:])
}

// clfTime is API Gateway's requestTime: 20/Jan/2024:11:55:08 +0000.
const clfTime = "02/Jan/2006:15:04:05 -0700"

// api describes the API a connection came through, as events name it.
type api struct {
	id, stage string
	// domainName is the gateway's own name, never a client's Host.
	domainName string
}

// requestContext fills what every WebSocket event carries.
func (a api) requestContext(c *conn, route, eventType string, now time.Time) events.APIGatewayWebsocketProxyRequestContext {
	id := newID()
	return events.APIGatewayWebsocketProxyRequestContext{
		RouteKey:          route,
		EventType:         eventType,
		ExtendedRequestID: id,
		RequestID:         id,
		RequestTime:       now.UTC().Format(clfTime),
		RequestTimeEpoch:  now.UnixMilli(),
		MessageDirection:  "IN",
		Stage:             a.stage,
		ConnectedAt:       c.connectedAt.UnixMilli(),
		Identity:          events.APIGatewayRequestIdentity{SourceIP: c.sourceIP, UserAgent: c.userAgent},
		DomainName:        a.domainName,
		ConnectionID:      c.id,
		APIID:             a.id,
		Authorizer:        c.authorizer,
	}
}

// connectEvent is the $connect event: the handshake's headers and query string, no body.
func (a api) connectEvent(c *conn, r *http.Request, now time.Time) events.APIGatewayWebsocketProxyRequest {
	headers := make(map[string]string, len(r.Header)+1)
	multi := make(map[string][]string, len(r.Header)+1)
	for k, v := range r.Header {
		headers[k] = v[len(v)-1]
		multi[k] = v
	}
	headers["Host"] = r.Host
	multi["Host"] = []string{r.Host}
	ev := events.APIGatewayWebsocketProxyRequest{
		Headers:           headers,
		MultiValueHeaders: multi,
		RequestContext:    a.requestContext(c, "$connect", "CONNECT", now),
		IsBase64Encoded:   false,
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = q
		for k, v := range q {
			ev.QueryStringParameters[k] = v[len(v)-1]
		}
	}
	return ev
}

// messageEvent is the event of one message: its body as sent, and a messageId.
func (a api) messageEvent(c *conn, route string, body []byte, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := a.requestContext(c, route, "MESSAGE", now)
	rc.MessageID = newID()
	return events.APIGatewayWebsocketProxyRequest{RequestContext: rc, Body: string(body), IsBase64Encoded: false}
}

// disconnectEvent is the $disconnect event, with how the socket closed.
func (a api) disconnectEvent(c *conn, code int, reason string, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := a.requestContext(c, "$disconnect", "DISCONNECT", now)
	rc.DisconnectStatusCode = int64(code)
	rc.DisconnectReason = &reason
	return events.APIGatewayWebsocketProxyRequest{RequestContext: rc, IsBase64Encoded: false}
}

// sourceIP is the client's address without its port.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
