package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// maxSignedBodyBytes bounds what is read of a @connections call to check
// its signature; past it the call is refused unread.
const maxSignedBodyBytes = 1 << 20

// apiError answers a @connections call the way API Gateway does, with the
// error type in X-Amzn-ErrorType: the AWS SDKs pick the typed error from it
// (GoneException, ForbiddenException, PayloadTooLargeException,
// LimitExceededException).
func apiError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}

// readBody reads a @connections body, up to one byte past
// maxSignedBodyBytes. A body of declared length is read into a buffer of
// that size, so that a frame queued for a client holds the memory it is
// counted for and no more.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= maxSignedBodyBytes {
		body := make([]byte, n)
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	return io.ReadAll(io.LimitReader(r.Body, maxSignedBodyBytes+1))
}

// serveManagement is the @connections API: it checks what every operation
// shares (the stage, the signature, the connection) and hands the call to
// the operation's handler, PostToConnection, GetConnection or
// DeleteConnection.
func (g *Gateway) serveManagement(w http.ResponseWriter, r *http.Request, stage, escapedID string) {
	if g.cfg.ManagementDelay > 0 {
		time.Sleep(g.cfg.ManagementDelay)
	}
	start := time.Now()
	id, err := url.PathUnescape(escapedID)
	if err != nil || stage != g.cfg.Stage {
		apiError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
		return
	}
	// A body trickled in is cut off, as the HTTP server cuts off headers.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.cfg.RequestTimeout))
	// The signature covers the body, so it is read (up to a bound) before
	// anything else is judged: an unsigned call is refused whatever its size.
	body, err := readBody(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "BadRequestException", "could not read the request body: "+err.Error())
		return
	}
	if len(body) > maxSignedBodyBytes {
		apiError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", fmt.Sprintf("Message too long: over %d bytes", MaxMessageBytes))
		return
	}
	if err := g.verifier.verify(r.Context(), r, body, time.Now()); err != nil {
		g.logf("@connections %s %s  403: %v", r.Method, id, err)
		apiError(w, http.StatusForbidden, "ForbiddenException", err.Error())
		return
	}
	if len(body) > MaxMessageBytes {
		apiError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", fmt.Sprintf("Message too long: over %d bytes", MaxMessageBytes))
		return
	}
	c, ok := g.lookup(id)
	if !ok {
		g.logf("@connections %s %s  410 gone", r.Method, id)
		apiError(w, http.StatusGone, "GoneException", fmt.Sprintf("connection %s is gone", id))
		return
	}
	switch r.Method {
	case http.MethodPost:
		g.postToConnection(w, c, body, start)
	case http.MethodGet:
		g.getConnection(w, c)
	case http.MethodDelete:
		g.deleteConnection(w, c)
	default:
		apiError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
	}
}

// postToConnection (POST) queues body as a frame for the client and
// answers at once: 200, 410 GoneException once the connection is closing,
// or 429 LimitExceededException while the client's buffer is full.
func (g *Gateway) postToConnection(w http.ResponseWriter, c *conn, body []byte, start time.Time) {
	if err := c.post(body, false); errors.Is(err, errGone) {
		g.logf("@connections POST %s  410: %v", c.id, err)
		apiError(w, http.StatusGone, "GoneException", fmt.Sprintf("connection %s is gone", c.id))
		return
	} else if err != nil {
		g.logf("@connections POST %s  429: %v", c.id, err)
		apiError(w, http.StatusTooManyRequests, "LimitExceededException", "Limit Exceeded: "+err.Error())
		return
	}
	c.touch(g.cfg.IdleTimeout)
	w.WriteHeader(http.StatusOK)
	g.logf("@connections POST %s  200  %d bytes  %.2f ms", c.id, len(body), ms(time.Since(start)))
}

// getConnection (GET) describes the connection: when it connected, who
// from, and when it was last active.
func (g *Gateway) getConnection(w http.ResponseWriter, c *conn) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"connectedAt":  c.connectedAt.UTC().Format(time.RFC3339Nano),
		"identity":     map[string]string{"sourceIp": c.sourceIP, "userAgent": c.userAgent},
		"lastActiveAt": time.Unix(0, c.lastActive.Load()).UTC().Format(time.RFC3339Nano),
	})
}

// deleteConnection (DELETE) answers 204 and closes the connection with
// 1000; it is gone for every call from then on, while its close handshake
// goes on.
func (g *Gateway) deleteConnection(w http.ResponseWriter, c *conn) {
	g.unregister(c)
	go c.close(1000, "")
	w.WriteHeader(http.StatusNoContent)
	g.logf("@connections DELETE %s  204", c.id)
}
