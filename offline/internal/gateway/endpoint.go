package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// maxInflightPerConn bounds the messages of one connection being handled at
// once: past it the gateway stops reading from that client (TCP pushes back)
// rather than queue without limit or drop.
const maxInflightPerConn = 32

// lingerAfterMessage is how long a connection's reader waits for the next
// message before the connection is parked.
const lingerAfterMessage = time.Second

// writeTimeout bounds a frame write to a client that stopped reading.
const writeTimeout = 10 * time.Second

// conn is one client connection.
type conn struct {
	id          string
	sourceIP    string
	userAgent   string
	domainName  string
	connectedAt time.Time
	authorizer  any
	lastActive  atomic.Int64 // unix nanoseconds

	ws        *websocket.Conn
	frames    *frameGuard
	slots     chan struct{}
	idle      *time.Timer
	hardLimit *time.Timer

	// Between messages a connection is parked: no goroutine reads it until
	// its socket is readable or the gateway closes it, and whichever comes
	// first resumes reading.
	watch  *watch
	parked atomic.Bool
	resume func()

	closeOnce   sync.Once
	closeCode   int
	closeReason string
	// closing is held while the library closes the socket: its close
	// handshake reads the connection's buffer, which buffered looks at.
	closing sync.Mutex
}

func (c *conn) touch(idle time.Duration) {
	c.lastActive.Store(time.Now().UnixNano())
	c.idle.Reset(idle)
}

// close ends the connection from the gateway's side with code, which is
// what $disconnect then reports.
func (c *conn) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeReason = code, reason
		c.closing.Lock()
		_ = c.ws.Close(websocket.StatusCode(code), reason)
		c.closing.Unlock()
		// A parked connection has no reader to see the close: start one, so
		// $disconnect runs.
		c.wake()
	})
}

// buffered reports whether bytes already read from c's socket wait to be
// read as frames.
func (c *conn) buffered() bool {
	c.closing.Lock()
	defer c.closing.Unlock()
	return c.frames.buffered()
}

func (c *conn) wake() {
	if c.parked.CompareAndSwap(true, false) {
		go c.resume()
	}
}

func (c *conn) send(data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	err := c.ws.Write(ctx, websocket.MessageText, data)
	if err != nil {
		// The library closes the socket on a failed write, and a closed
		// socket leaves the epoll set without a word: a parked connection
		// needs a reader to see the close and run $disconnect.
		c.wake()
	}
	return err
}

// serveWebSocket runs the handshake through $connect, then hands the
// connection to serve. Once $connect has accepted, $disconnect runs
// whatever happens next, so no registry row outlives its connection.
func (g *Gateway) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	if status, problem := checkUpgrade(r); problem != "" {
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, problem+": connect with a WebSocket client, e.g. wscat -c ws://"+r.Host, status)
		return
	}
	if !g.begin() {
		http.Error(w, "the gateway is shutting down", http.StatusServiceUnavailable)
		return
	}
	now := time.Now()
	c := &conn{
		id:          newID(),
		sourceIP:    sourceIP(r),
		userAgent:   r.UserAgent(),
		domainName:  r.Host,
		connectedAt: now,
		slots:       make(chan struct{}, maxInflightPerConn),
	}
	c.lastActive.Store(now.UnixNano())

	accept := &websocket.AcceptOptions{InsecureSkipVerify: true} // API Gateway does not check Origin.
	if status, ok := g.connect(w, r, c, accept); !ok {
		g.logf("CONNECT     %s  rejected %d", c.id, status)
		g.inflight.Done()
		return
	}
	c.frames = &frameGuard{max: MaxFrameBytes, maxMessage: MaxMessageBytes}
	ws, err := websocket.Accept(&guardedWriter{ResponseWriter: w, guard: c.frames}, r, accept)
	if err != nil {
		// Accept has answered the client already.
		g.logf("CONNECT     %s  handshake failed after $connect: %v", c.id, err)
		go g.disconnect(c, int(websocket.StatusAbnormalClosure), "Handshake failed")
		return
	}
	ws.SetReadLimit(MaxMessageBytes)
	c.ws = ws
	// The timers exist before the connection can be found: a @connections
	// call may touch it as soon as it is registered.
	c.idle = time.AfterFunc(g.cfg.IdleTimeout, func() { c.close(1001, "Going away") })
	c.hardLimit = time.AfterFunc(g.cfg.MaxDuration, func() { c.close(1001, "Going away") })
	if !g.register(c) {
		c.close(1001, "Going away")
		go g.disconnect(c, 1001, "Going away")
		return
	}
	g.logf("CONNECT     %s  from %s", c.id, c.sourceIP)
	// From here the connection is read by a goroutine of its own, started
	// when bytes arrive: the HTTP server's, with the handshake's request
	// and deep stack, ends.
	c.resume = func() { g.serve(c) }
	if sc, ok := c.frames.Conn.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.watch = &watch{rc: rc}
		}
	}
	if c.buffered() || !g.park(c) {
		go g.serve(c)
	}
}

// checkUpgrade refuses, before $connect runs, a request that is no
// WebSocket handshake.
func checkUpgrade(r *http.Request) (int, string) {
	switch {
	case !strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		return http.StatusUpgradeRequired, "this is a WebSocket endpoint"
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, "a WebSocket handshake is a GET"
	case !headerHasToken(r.Header, "Connection", "upgrade"):
		return http.StatusBadRequest, "the handshake has no Connection: Upgrade"
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return http.StatusBadRequest, "the handshake must ask for Sec-WebSocket-Version 13"
	case r.Header.Get("Sec-WebSocket-Key") == "":
		return http.StatusBadRequest, "the handshake has no Sec-WebSocket-Key"
	}
	return 0, ""
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// serve reads c's next message and runs its route. The goroutine that read
// it, already running, carries the message on, and a new one takes over the
// reading; once the socket closes, serve runs $disconnect.
func (g *Gateway) serve(c *conn) {
	data, code, reason, ok := g.read(c)
	if !ok {
		c.idle.Stop()
		c.hardLimit.Stop()
		if p, err := parking(); err == nil && c.watch != nil {
			p.forget(c.watch)
		}
		g.unregister(c)
		g.disconnect(c, code, reason)
		return
	}
	g.inflight.Add(1)
	go g.readOn(c)
	g.message(c, data)
	<-c.slots
	g.inflight.Done()
}

// readOn reads c's next message when bytes come within
// lingerAfterMessage, and otherwise parks c.
func (g *Gateway) readOn(c *conn) {
	if c.watch == nil || c.buffered() || awaitBytes(c.frames.Conn, c.watch, lingerAfterMessage) || !g.park(c) {
		g.serve(c)
	}
}

// park has c's next bytes, or its close, call c.resume. It reports false
// when c cannot be parked and its reader should go on reading. The caller
// has checked that no bytes wait in c's buffer: the socket cannot tell.
func (g *Gateway) park(c *conn) bool {
	p, err := parking()
	if err != nil || c.watch == nil {
		return false
	}
	c.parked.Store(true)
	if err := p.park(c.watch, c.wake); err != nil {
		// Not parked, unless a close resumed c meanwhile: then that reader
		// owns it.
		return !c.parked.CompareAndSwap(true, false)
	}
	return true
}

// connect runs the $connect route, if there is one, while the client waits
// for the handshake. A 2xx accepts; any other status rejects with that
// status, and a failed function with 502. Headers it returns join the
// handshake's response.
func (g *Gateway) connect(w http.ResponseWriter, r *http.Request, c *conn, accept *websocket.AcceptOptions) (int, bool) {
	route, ok := g.routes.Load().routes["$connect"]
	if !ok {
		return http.StatusOK, true
	}
	ev := g.api.connectEvent(c, r, c.connectedAt)
	if route.Authorizer != nil {
		authz, status := g.authorize(route.Authorizer, c, ev)
		if status != http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":%q}`, http.StatusText(status))
			return status, false
		}
		c.authorizer = authz
		ev.RequestContext.Authorizer = authz
	}
	resp, err := g.invoke(route.Function, "$connect", ev)
	if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 599) {
		err = fmt.Errorf("%s returned status %d", route.Function, resp.StatusCode)
	}
	if err != nil {
		g.logf("CONNECT     %s  %s failed: %v", c.id, route.Function, err)
		http.Error(w, `{"message": "Internal server error"}`, http.StatusBadGateway)
		return http.StatusBadGateway, false
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		w.WriteHeader(resp.StatusCode)
		return resp.StatusCode, false
	}
	for k, v := range resp.Headers {
		if strings.EqualFold(k, "Sec-WebSocket-Protocol") {
			accept.Subprotocols = []string{v}
			continue
		}
		w.Header().Set(k, v)
	}
	return resp.StatusCode, true
}

// begin counts a handshake in the work Shutdown waits for; the count
// passes to the connection and ends when its $disconnect has run. False
// once the gateway is shutting down.
func (g *Gateway) begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.inflight.Add(1)
	return true
}

// register makes c reachable by @connections; false if Shutdown has
// already taken its list of connections to close.
func (g *Gateway) register(c *conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.conns[c.id] = c
	return true
}

// unregister makes @connections answer 410 for c from now on.
func (g *Gateway) unregister(c *conn) {
	g.mu.Lock()
	delete(g.conns, c.id)
	g.mu.Unlock()
}

// read returns c's next text message, with a slot of c's in-flight
// messages taken for it, or how c closed.
func (g *Gateway) read(c *conn) (data []byte, code int, reason string, ok bool) {
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			code, reason = closeStatus(c, err)
			return nil, code, reason, false
		}
		if c.frames.tooBig.Load() {
			c.close(int(websocket.StatusMessageTooBig), "Frame too big")
			continue
		}
		if typ == websocket.MessageBinary {
			c.close(int(websocket.StatusUnsupportedData), "Binary frames are not supported")
			continue
		}
		c.touch(g.cfg.IdleTimeout)
		c.slots <- struct{}{}
		return data, 0, "", true
	}
}

// closeStatus is the code and reason $disconnect reports: the gateway's own
// when it closed the socket, else the client's close frame, else 1006.
func closeStatus(c *conn, err error) (int, string) {
	var ce websocket.CloseError
	done := false
	c.closeOnce.Do(func() { done = true })
	switch {
	case !done:
		// The gateway closed it (idle, limits, DELETE, shutdown).
		return c.closeCode, c.closeReason
	case c.frames.messageTooBig.Load():
		// The library closed it with 1009 on reaching its read limit.
		return int(websocket.StatusMessageTooBig), "Message too big"
	case errors.As(err, &ce):
		return int(ce.Code), ce.Reason
	default:
		return int(websocket.StatusAbnormalClosure), "Connection closed abnormally"
	}
}

// message runs the route a message selects and answers as API Gateway does
// when there is no route or the integration fails.
func (g *Gateway) message(c *conn, data []byte) {
	start := time.Now()
	table := g.routes.Load()
	key := table.selector.Select(data)
	if key == "" {
		requestID := newID()
		g.reply(c, fmt.Appendf(nil, `{"message": "Forbidden", "connectionId":"%s", "requestId":"%s"}`, c.id, requestID))
		g.logf("MESSAGE     %s  no route for %.60q: Forbidden", c.id, data)
		return
	}
	route := table.routes[key]
	ev := g.api.messageEvent(c, key, data, start)
	resp, err := g.invoke(route.Function, key, ev)
	if err != nil {
		g.reply(c, fmt.Appendf(nil, `{"message": "Internal server error", "connectionId":"%s", "requestId":"%s"}`, c.id, ev.RequestContext.RequestID))
		g.logf("MESSAGE     %s  %s → %s failed: %v", c.id, key, route.Function, err)
		return
	}
	if route.RouteResponse && resp.Body != "" {
		g.reply(c, []byte(resp.Body))
	}
	g.logf("MESSAGE     %s  %s → %s  %d  %.2f ms", c.id, key, route.Function, resp.StatusCode, ms(time.Since(start)))
}

// reply sends the gateway's own frame to c; one that cannot be written
// (the client left or stopped reading) is logged, not dropped unseen.
func (g *Gateway) reply(c *conn, frame []byte) {
	if err := c.send(frame); err != nil {
		g.logf("MESSAGE     %s  frame not delivered: %v", c.id, err)
	}
}

// disconnect runs $disconnect once the socket is closed.
func (g *Gateway) disconnect(c *conn, code int, reason string) {
	defer g.inflight.Done()
	g.logf("DISCONNECT  %s  %d %s", c.id, code, reason)
	route, ok := g.routes.Load().routes["$disconnect"]
	if !ok {
		return
	}
	ev := g.api.disconnectEvent(c, code, reason, time.Now())
	if _, err := g.invoke(route.Function, "$disconnect", ev); err != nil {
		g.logf("DISCONNECT  %s  %s failed: %v", c.id, route.Function, err)
	}
}

// invoke runs function with ev and reads its proxy response. A response
// without a status counts as 200, as API Gateway takes it.
func (g *Gateway) invoke(function, route string, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode %s event: %w", route, err)
	}
	out, err := g.cfg.Invoker.Invoke(context.Background(), function, route, payload)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	var resp events.APIGatewayProxyResponse
	if len(out) > 0 && string(out) != "null" {
		if err := json.Unmarshal(out, &resp); err != nil {
			return events.APIGatewayProxyResponse{}, fmt.Errorf("%s returned %.80q, not a proxy response: %w", function, out, err)
		}
	}
	if resp.StatusCode == 0 {
		resp.StatusCode = http.StatusOK
	}
	return resp, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
