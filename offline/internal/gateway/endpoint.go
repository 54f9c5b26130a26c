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
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// conn is one client connection.
type conn struct {
	// writeTimeout bounds a frame write to a client that stopped reading.
	writeTimeout time.Duration
	id           string
	sourceIP     string
	userAgent    string
	connectedAt  time.Time
	authorizer   any
	lastActive   atomic.Int64 // unix nanoseconds

	// base carries the handshake's values to every read and write without
	// its cancellation, which comes with the handshake's end; ctx is what
	// the connection's invocations run under, cancelled when Shutdown gives
	// up waiting for them.
	base   context.Context
	ctx    context.Context
	cancel context.CancelFunc

	ws        *websocket.Conn
	frames    *frameGuard
	backlog   *backlog      // bytes read and not yet handled
	slots     chan struct{} // messages being handled
	serial    chan struct{} // the one message being handled while flooding
	idle      *time.Timer
	hardLimit *time.Timer

	outMu sync.Mutex
	out   outbox

	// state is where the connection is in its life, shared with the frame
	// guard, which closes it for a rule the client broke or a socket that
	// failed.
	state connState
}

func (c *conn) touch(idle time.Duration) {
	c.lastActive.Store(time.Now().UnixNano())
	c.idle.Reset(idle)
}

// close ends an open connection from the gateway's side, or for a rule
// the client broke, with a close handshake: the close frame, then what the
// client still sends is read and dropped until its close frame, for at
// most closeHandshakeTimeout. code is what $disconnect then reports.
func (c *conn) close(code int, reason string) {
	if c.state.Close(code, reason) == nil {
		c.frames.linger()
		_ = c.ws.Close(websocket.StatusCode(code), reason)
	}
}

// abort drops a connection that can no longer be written to.
func (c *conn) abort(reason string) {
	_ = c.state.Close(int(websocket.StatusAbnormalClosure), reason)
	_ = c.ws.CloseNow()
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
	now := time.Now()
	if g.refuseThrottledHandshake(w, now) {
		return
	}
	if !g.begin() {
		http.Error(w, "the gateway is shutting down", http.StatusServiceUnavailable)
		return
	}
	c := &conn{
		id:           newID(),
		sourceIP:     sourceIP(r),
		userAgent:    r.UserAgent(),
		connectedAt:  now,
		base:         context.WithoutCancel(r.Context()),
		backlog:      newBacklog(),
		slots:        make(chan struct{}, maxInflightPerConn),
		serial:       make(chan struct{}, 1),
		writeTimeout: g.cfg.WriteTimeout,
	}
	// Every invocation for the connection says whose it is: the Lambda
	// stand-in shares a function's instances out between connections.
	c.ctx, c.cancel = context.WithCancel(WithConnection(c.base, c.id))
	c.lastActive.Store(now.UnixNano())

	accept := &websocket.AcceptOptions{InsecureSkipVerify: true} // API Gateway does not check Origin.
	status, ok := g.connect(w, r, c, accept)
	if r.Context().Err() != nil {
		// The client gave up during the handshake. A $connect that accepted
		// may have recorded the connection: its $disconnect follows, as on
		// API Gateway.
		if ok {
			g.logf("CONNECT     %s  client left during the handshake, after $connect accepted", c.id)
			go g.disconnect(c, int(websocket.StatusAbnormalClosure), "Client left during the handshake")
			return
		}
		g.logf("CONNECT     %s  client left during the handshake", c.id)
		c.cancel()
		g.inflight.Done()
		return
	}
	if !ok {
		g.logf("CONNECT     %s  rejected %d", c.id, status)
		c.cancel()
		g.inflight.Done()
		return
	}
	c.frames = &frameGuard{max: MaxFrameBytes, maxMessage: MaxMessageBytes, state: &c.state}
	ws, err := websocket.Accept(&guardedWriter{ResponseWriter: w, guard: c.frames}, r, accept)
	if err != nil {
		// Accept has answered the client already.
		g.logf("CONNECT     %s  handshake failed after $connect: %v", c.id, err)
		go g.disconnect(c, int(websocket.StatusAbnormalClosure), "Handshake failed")
		return
	}
	// The guard refuses a message over the quota before the library reads
	// it; the library's own limit (32 KB unless set) must not come first.
	ws.SetReadLimit(MaxMessageBytes)
	c.ws = ws
	// The timers exist before the connection can be found: a @connections
	// call may touch it as soon as it is registered.
	c.idle = time.AfterFunc(g.cfg.IdleTimeout, func() { c.close(1001, "Going away") })
	c.hardLimit = time.AfterFunc(g.cfg.MaxDuration, func() { c.close(1001, "Going away") })
	if !g.register(c) {
		c.close(1001, "Going away")
		go g.serve(c)
		return
	}
	g.logf("CONNECT     %s  from %s", c.id, c.sourceIP)
	// The HTTP server's goroutine, with the handshake's request and deep
	// stack, ends here; the connection gets a reader of its own.
	go g.serve(c)
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

// serve reads c's messages as they arrive: each is routed and judged by
// its route's bucket at once, as API Gateway judges it on arrival, then
// handed to a goroutine of its own, so a slow route holds back neither the
// next message nor the throttling of a flood. Once the connection ends,
// whoever ended it, serve releases the socket and runs $disconnect.
func (g *Gateway) serve(c *conn) {
	for {
		typ, data, err := c.ws.Read(c.base)
		if err != nil {
			g.end(c, err)
			return
		}
		switch {
		case typ == websocket.MessageBinary:
			c.close(int(websocket.StatusUnsupportedData), "Binary frames are not supported")
		case !utf8.Valid(data):
			c.close(int(websocket.StatusInvalidFramePayloadData), "Invalid UTF-8 in a text message")
		default:
			arrived := time.Now()
			c.touch(g.cfg.IdleTimeout)
			table := g.routes.Load()
			key := table.selector.Select(data)
			if key != "" && !table.allow(key, arrived) {
				c.backlog.throttle()
				g.reply(c, tooManyRequestsFrame(c.id, newID()))
				g.logf("MESSAGE     %s  %s throttled: Too Many Requests", c.id, key)
				continue
			}
			c.backlog.add(len(data))
			g.inflight.Add(1)
			go func() {
				defer g.inflight.Done()
				defer c.backlog.done(len(data))
				c.slots <- struct{}{}
				defer func() { <-c.slots }()
				if c.backlog.flooding() {
					c.serial <- struct{}{}
					defer func() { <-c.serial }()
				}
				g.message(c, table, key, data, arrived)
			}()
		}
	}
}

// connect runs the $connect route, if there is one, while the client waits
// for the handshake. A 2xx accepts; any other status rejects with that
// status, and a failed function with 502. Headers it returns join the
// handshake's response. The authorizer and $connect run to their end under
// the connection's context even if the client leaves meanwhile, as Lambda
// invocations do; $connect is not called for a client that left during the
// authorizer.
func (g *Gateway) connect(w http.ResponseWriter, r *http.Request, c *conn, accept *websocket.AcceptOptions) (int, bool) {
	route, ok := g.routes.Load().routes["$connect"]
	if !ok {
		return http.StatusOK, true
	}
	ctx := c.ctx
	ev := g.api.connectEvent(c, r, c.connectedAt)
	if route.Authorizer != nil {
		authz, status := g.authorize(ctx, route.Authorizer, c, ev)
		if r.Context().Err() != nil {
			return status, false
		}
		if status != http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":%q}`, http.StatusText(status))
			return status, false
		}
		c.authorizer = authz
		ev.RequestContext.Authorizer = authz
	}
	resp, err := g.invoke(ctx, route.Function, "$connect", ev)
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

// end finishes c once its reader has failed with err, whoever ended it:
// the gateway or a rule the client broke (their close handshake, if under
// way, is waited for), the client's close frame, or the socket failing
// (1006). A read that failed for none of these is what the library refused
// from the client: a protocol error. Then the socket is released and
// $disconnect runs with the code and reason of the first to close.
func (g *Gateway) end(c *conn, err error) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		// The library has answered the client's close frame.
		_ = c.state.Close(int(ce.Code), ce.Reason)
	}
	c.close(int(websocket.StatusProtocolError), "Protocol error")
	if code, reason := c.state.Ending(); code != int(websocket.StatusAbnormalClosure) {
		// The handshake another goroutine began, or the one a rule the
		// frame guard caught calls for: the library runs it once.
		_ = c.ws.Close(websocket.StatusCode(code), reason)
	}
	c.idle.Stop()
	c.hardLimit.Stop()
	_ = c.ws.CloseNow()
	g.unregister(c)
	code, reason, _ := c.state.Release()
	g.disconnect(c, code, reason)
}

// message runs the route key the message selected from table on arrival,
// and answers as API Gateway does when there is no route or the
// integration fails.
func (g *Gateway) message(c *conn, table *routeTable, key string, data []byte, start time.Time) {
	if key == "" {
		requestID := newID()
		g.reply(c, fmt.Appendf(nil, `{"message": "Forbidden", "connectionId":"%s", "requestId":"%s"}`, c.id, requestID))
		g.logf("MESSAGE     %s  no route for %.60q: Forbidden", c.id, data)
		return
	}
	route := table.routes[key]
	ev := g.api.messageEvent(c, key, data, start)
	resp, err := g.invoke(c.ctx, route.Function, key, ev)
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

// reply sends the gateway's own frame to c; one the client's full buffer
// refuses is logged, not dropped unseen.
func (g *Gateway) reply(c *conn, frame []byte) {
	if err := c.post(frame, true); err != nil {
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
	if _, err := g.invoke(c.ctx, route.Function, "$disconnect", ev); err != nil {
		g.logf("DISCONNECT  %s  %s failed: %v", c.id, route.Function, err)
	}
}

// invoke runs function with ev and reads its proxy response. A response
// without a status counts as 200, as API Gateway takes it.
func (g *Gateway) invoke(ctx context.Context, function, route string, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode %s event: %w", route, err)
	}
	out, err := g.cfg.Invoker.InvokeFor(ctx, function, route, payload)
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
