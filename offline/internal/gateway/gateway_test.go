package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/coder/websocket"

	"wsapi/offline/testkit"
)

const (
	testKey    = "AKIDLOCAL"
	testSecret = "local-secret"
	testToken  = "local-token"
)

// functions plays the Lambda side in-process: each function is a Go func
// receiving the event, as a bootstrap would.
type functions struct {
	mu          sync.Mutex
	events      map[string][]events.APIGatewayWebsocketProxyRequest
	disconnects chan events.APIGatewayWebsocketProxyRequest
	// started hears of each call to hang, canceled of its context ending.
	started, canceled chan string
	srv               func() string // the gateway's URL, for functions that call @connections
}

func (f *functions) InvokeFor(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.events[function] = append(f.events[function], ev)
	f.mu.Unlock()
	switch function {
	case "connect":
		q := ev.QueryStringParameters
		if q["fail"] != "" {
			return nil, errors.New("connect crashed")
		}
		status := 200
		if s := q["status"]; s != "" {
			status, _ = strconv.Atoi(s)
		}
		resp := events.APIGatewayProxyResponse{StatusCode: status}
		if p := q["proto"]; p != "" {
			resp.Headers = map[string]string{"Sec-WebSocket-Protocol": p}
		}
		return json.Marshal(resp)
	case "echo":
		return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: "echo: " + ev.Body})
	case "post":
		// What a route function does: reply through @connections, signed.
		_, err := client(f.srv(), testKey, testSecret).PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: aws.String(ev.RequestContext.ConnectionID),
			Data:         []byte("posted: " + ev.Body),
		})
		return []byte(`{"statusCode":200}`), err
	case "caller":
		return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: ConnectionOf(ctx)})
	case "boom":
		return nil, errors.New("function failed")
	case "hang":
		// A function still running: it ends when the gateway gives up on it.
		f.started <- route
		<-ctx.Done()
		f.canceled <- route
		return nil, ctx.Err()
	case "disconnect":
		f.disconnects <- ev
		return []byte(`{"statusCode":200}`), nil
	}
	return nil, fmt.Errorf("no function %s", function)
}

func client(url, key, secret string) *apigatewaymanagementapi.Client {
	return clientIn("ap-northeast-1", url, key, secret)
}

func clientIn(region, url, key, secret string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, testToken),
		BaseEndpoint:     aws.String(url + "/local"),
		RetryMaxAttempts: 1,
	})
}

type harness struct {
	gw  *Gateway
	srv *httptest.Server
	fns *functions
	ws  string
	// domain is the gateway's own name, the Host its clients send.
	domain string
}

func start(t *testing.T, tune func(*Config)) *harness {
	t.Helper()
	fns := &functions{events: map[string][]events.APIGatewayWebsocketProxyRequest{}, disconnects: make(chan events.APIGatewayWebsocketProxyRequest, 16),
		started: make(chan string, 16), canceled: make(chan string, 16)}
	cfg := Config{
		APIID: "a1b2c3d4e5", Stage: "local", Region: "ap-northeast-1",
		RouteSelectionExpression: "$request.body.action",
		Routes: map[string]Route{
			"$connect":    {Function: "connect"},
			"$disconnect": {Function: "disconnect"},
			"echo":        {Function: "echo", RouteResponse: true},
			"post":        {Function: "post"},
			"boom":        {Function: "boom"},
			"caller":      {Function: "caller", RouteResponse: true},
			"quiet":       {Function: "echo"},
			"hang":        {Function: "hang"},
		},
		Invoker:     fns,
		AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: testToken,
	}
	// The gateway's name is its server's address, known once it listens.
	srv := httptest.NewUnstartedServer(nil)
	cfg.DomainName = srv.Listener.Addr().String()
	if tune != nil {
		tune(&cfg)
	}
	gw, err := New(cfg)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Config.Handler = gw
	srv.Start()
	fns.srv = func() string { return srv.URL }
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
		srv.Close()
	})
	return &harness{gw: gw, srv: srv, fns: fns, ws: "ws" + strings.TrimPrefix(srv.URL, "http"), domain: cfg.DomainName}
}

func (h *harness) dial(t *testing.T, path string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, h.ws+path, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func roundTrip(t *testing.T, c *websocket.Conn, msg string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
	_, got, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("no answer to %s: %v", msg, err)
	}
	return string(got)
}

// connectionID learns the caller's id the way a client can: from the Forbidden frame.
func connectionID(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	var f struct{ ConnectionID string }
	if err := json.Unmarshal([]byte(roundTrip(t, c, `{}`)), &f); err != nil || f.ConnectionID == "" {
		t.Fatalf("no connection id: %v", err)
	}
	return f.ConnectionID
}

func (h *harness) disconnected(t *testing.T) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	select {
	case ev := <-h.fns.disconnects:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("$disconnect did not run")
		return events.APIGatewayWebsocketProxyRequest{}
	}
}

func TestMessages(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/local")
	tests := []struct {
		name, send string
		want       func(id string) string
	}{
		{"no route and no $default", `{"action":"nope"}`, nil},
		{"not JSON", `hello`, nil},
		{"route response", `{"action":"echo","x":1}`, func(string) string { return `echo: {"action":"echo","x":1}` }},
		{"reply through @connections", `{"action":"post"}`, func(string) string { return `posted: {"action":"post"}` }},
		{"failed integration", `{"action":"boom"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, c, tt.send)
			switch tt.name {
			case "no route and no $default", "not JSON":
				var f struct{ ConnectionID, RequestID string }
				_ = json.Unmarshal([]byte(got), &f)
				want := fmt.Sprintf(`{"message": "Forbidden", "connectionId":"%s", "requestId":"%s"}`, f.ConnectionID, f.RequestID)
				if got != want || len(f.ConnectionID) != 16 || len(f.RequestID) != 16 {
					t.Errorf("got %s, want %s with 16-character ids", got, want)
				}
			case "failed integration":
				var f struct{ ConnectionID, RequestID string }
				_ = json.Unmarshal([]byte(got), &f)
				want := fmt.Sprintf(`{"message": "Internal server error", "connectionId":"%s", "requestId":"%s"}`, f.ConnectionID, f.RequestID)
				if got != want || f.ConnectionID == "" {
					t.Errorf("got %s, want %s", got, want)
				}
			default:
				if want := tt.want(""); got != want {
					t.Errorf("got %s, want %s", got, want)
				}
			}
		})
	}
	// A one-way route sends nothing back; the connection is still open after all of the above.
	if got := roundTrip(t, c, `{"action":"echo"}`); got != `echo: {"action":"echo"}` {
		t.Errorf("after errors the connection answers %q", got)
	}
}

// Each connection's invocations count as its own when a function's
// instances are shared out, so that one client's flood waits its turn.
func TestInvocationsNameTheirConnectionAsCaller(t *testing.T) {
	h := start(t, nil)
	seen := map[string]bool{}
	for range 2 {
		c := h.dial(t, "/local")
		id := connectionID(t, c)
		if got := roundTrip(t, c, `{"action":"caller"}`); got != id || seen[got] {
			t.Errorf("a message of connection %s was invoked for caller %q", id, got)
		}
		seen[id] = true
	}
}

// TestLargeMessageInFrames sends a message over the frame quota but within
// the message quota, split into frames of 25 KB: API Gateway takes it whole.
func TestLargeMessageInFrames(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/")
	c.SetReadLimit(-1)
	ctx := context.Background()
	body := `{"action":"echo","pad":"` + strings.Repeat("x", 100<<10) + `"}`
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	for chunk := range slices.Chunk([]byte(body), 25<<10) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, got, err := c.Read(ctx)
	if err != nil || string(got) != "echo: "+body {
		t.Fatalf("got %d bytes, err %v; want the message echoed whole", len(got), err)
	}
}

func TestConnectEvent(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/local?token=abc&x=1")
	id := connectionID(t, c)
	roundTrip(t, c, `{"action":"echo","n":1}`)

	h.fns.mu.Lock()
	conn := h.fns.events["connect"][0]
	msg := h.fns.events["echo"][0]
	h.fns.mu.Unlock()

	rc := conn.RequestContext
	if rc.EventType != "CONNECT" || rc.RouteKey != "$connect" || rc.ConnectionID != id || rc.Stage != "local" ||
		rc.DomainName != strings.TrimPrefix(h.srv.URL, "http://") || rc.APIID != "a1b2c3d4e5" || rc.MessageDirection != "IN" ||
		rc.RequestID == "" || rc.RequestID != rc.ExtendedRequestID || rc.Identity.SourceIP != "127.0.0.1" {
		t.Errorf("CONNECT requestContext = %+v", rc)
	}
	if _, err := time.Parse(clfTime, rc.RequestTime); err != nil {
		t.Errorf("requestTime %q is not CLF: %v", rc.RequestTime, err)
	}
	if conn.QueryStringParameters["token"] != "abc" || conn.Headers["Host"] == "" || conn.Headers["Sec-Websocket-Key"] == "" {
		t.Errorf("CONNECT carries query %v headers %v", conn.QueryStringParameters, conn.Headers)
	}
	mc := msg.RequestContext
	if mc.EventType != "MESSAGE" || mc.RouteKey != "echo" || mc.MessageID == nil || msg.Body != `{"action":"echo","n":1}` ||
		msg.Headers != nil || mc.ConnectedAt != rc.ConnectedAt || mc.RequestTimeEpoch < rc.RequestTimeEpoch {
		t.Errorf("MESSAGE event = %+v", msg)
	}
}

func TestHandshake(t *testing.T) {
	h := start(t, nil)
	tests := []struct {
		query  string
		status int
	}{
		{"status=401", 401},
		{"status=403", 403},
		{"status=500", 500},
		{"fail=1", 502},
		{"status=99", 502},
		{"status=1000", 502},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, resp, err := websocket.Dial(ctx, h.ws+"/local?"+tt.query, nil)
			if err == nil || resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("handshake: err %v resp %v, want rejected with %d", err, resp, tt.status)
			}
		})
	}
	if n := h.gw.Connections(); n != 0 {
		t.Errorf("rejected handshakes left %d connections", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, h.ws+"/?proto=chat", &websocket.DialOptions{Subprotocols: []string{"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if c.Subprotocol() != "chat" {
		t.Errorf("subprotocol = %q, want the one $connect returned", c.Subprotocol())
	}

	resp, err := http.Get(h.srv.URL + "/local")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("plain GET = %d, want 426", resp.StatusCode)
	}
}

// TestNotAHandshake: a request that is no valid WebSocket handshake is
// refused before $connect runs, so nothing is recorded for a connection
// that never opens.
func TestNotAHandshake(t *testing.T) {
	h := start(t, nil)
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"no key", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}, 400},
		{"no Connection: Upgrade", map[string]string{"Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}, 400},
		{"old version", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "8", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}, 400},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/local", nil)
		for k, v := range tt.headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
	h.fns.mu.Lock()
	defer h.fns.mu.Unlock()
	if n := len(h.fns.events["connect"]); n != 0 {
		t.Errorf("$connect ran %d times for requests that were no handshake", n)
	}
}

func TestManagementAPI(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/local")
	id := connectionID(t, c)
	ctx := context.Background()
	api := client(h.srv.URL, testKey, testSecret)

	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("pushed")}); err != nil {
		t.Fatalf("POST: %v", err)
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != "pushed" {
		t.Fatalf("client got %q %v, want pushed", got, err)
	}

	got, err := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: &id})
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if got.ConnectedAt == nil || got.LastActiveAt == nil || got.Identity == nil || aws.ToString(got.Identity.SourceIp) != "127.0.0.1" {
		t.Errorf("GET = %+v", got)
	}

	var tooLarge *types.PayloadTooLargeException
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: bytes.Repeat([]byte("x"), MaxMessageBytes+1)}); !errors.As(err, &tooLarge) {
		t.Errorf("POST over 128 KB: %v, want PayloadTooLargeException", err)
	}
	var forbidden *types.ForbiddenException
	if _, err := client(h.srv.URL, testKey, "wrong").PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("x")}); !errors.As(err, &forbidden) {
		t.Errorf("POST with a wrong secret: %v, want ForbiddenException", err)
	}
	if _, err := clientIn("us-east-1", h.srv.URL, testKey, testSecret).PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("x")}); !errors.As(err, &forbidden) {
		t.Errorf("POST signed for another region: %v, want ForbiddenException", err)
	}
	for _, body := range []string{"unsigned", strings.Repeat("x", MaxMessageBytes+1)} {
		resp, err := http.Post(h.srv.URL+"/local/@connections/"+strings.ReplaceAll(id, "=", "%3D"), "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("unsigned POST of %d bytes = %d %q, want 403 ForbiddenException", len(body), resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	}
	var gone *types.GoneException
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("NoSuchConnXXXX="), Data: []byte("x")}); !errors.As(err, &gone) {
		t.Errorf("POST to an unknown connection: %v, want GoneException", err)
	}

	if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: &id}); err != nil {
		t.Fatalf("DELETE: %v", err)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("after DELETE the client read %v, want close 1000", err)
	}
	if ev := h.disconnected(t); ev.RequestContext.ConnectionID != id || ev.RequestContext.EventType != "DISCONNECT" {
		t.Errorf("$disconnect event = %+v", ev.RequestContext)
	}
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("x")}); !errors.As(err, &gone) {
		t.Errorf("POST after DELETE: %v, want GoneException", err)
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		name       string
		tune       func(*Config)
		act        func(t *testing.T, c *websocket.Conn)
		wantCode   int
		wantReason string
	}{
		{"client closes", nil, func(t *testing.T, c *websocket.Conn) {
			c.Close(websocket.StatusNormalClosure, "bye")
		}, 1000, "bye"},
		{"client vanishes", nil, func(t *testing.T, c *websocket.Conn) {
			c.CloseNow()
		}, 1006, "Connection closed abnormally"},
		{"binary frame", nil, func(t *testing.T, c *websocket.Conn) {
			c.Write(context.Background(), websocket.MessageBinary, []byte{1, 2})
			_, _, err := c.Read(context.Background())
			if websocket.CloseStatus(err) != websocket.StatusUnsupportedData {
				t.Errorf("client read %v, want close 1003", err)
			}
		}, 1003, "Binary frames are not supported"},
		{"message over 128 KB", nil, func(t *testing.T, c *websocket.Conn) {
			c.Write(context.Background(), websocket.MessageText, bytes.Repeat([]byte("x"), MaxMessageBytes+1))
			_, _, err := c.Read(context.Background())
			if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
				t.Errorf("client read %v, want close 1009", err)
			}
		}, 1009, "Message too big: the limit is 131072 bytes"},
		{"message over 128 KB in frames of 25 KB", nil, func(t *testing.T, c *websocket.Conn) {
			w, err := c.Writer(context.Background(), websocket.MessageText)
			if err != nil {
				t.Fatal(err)
			}
			for chunk := range slices.Chunk(bytes.Repeat([]byte("x"), MaxMessageBytes+1), 25<<10) {
				if _, err := w.Write(chunk); err != nil {
					break // the gateway may close before the last frame
				}
			}
			w.Close()
			_, _, err = c.Read(context.Background())
			if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
				t.Errorf("client read %v, want close 1009", err)
			}
		}, 1009, "Message too big: the limit is 131072 bytes"},
		{"frame over 32 KB", nil, func(t *testing.T, c *websocket.Conn) {
			// One Write is one frame.
			c.Write(context.Background(), websocket.MessageText, bytes.Repeat([]byte("x"), MaxFrameBytes+1))
			_, _, err := c.Read(context.Background())
			if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
				t.Errorf("client read %v, want close 1009", err)
			}
		}, 1009, "Frame too big: the limit is 32768 bytes"},
		{"idle timeout", func(c *Config) { c.IdleTimeout = 50 * time.Millisecond }, func(t *testing.T, c *websocket.Conn) {
			_, _, err := c.Read(context.Background())
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("client read %v, want close 1001", err)
			}
		}, 1001, "Going away"},
		{"connection duration", func(c *Config) { c.MaxDuration = 50 * time.Millisecond }, func(t *testing.T, c *websocket.Conn) {
			_, _, err := c.Read(context.Background())
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("client read %v, want close 1001", err)
			}
		}, 1001, "Going away"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.tune)
			c := h.dial(t, "/")
			tt.act(t, c)
			ev := h.disconnected(t)
			rc := ev.RequestContext
			if rc.DisconnectStatusCode != int64(tt.wantCode) || rc.DisconnectReason == nil || *rc.DisconnectReason != tt.wantReason {
				t.Errorf("$disconnect got %d %v, want %d %q", rc.DisconnectStatusCode, rc.DisconnectReason, tt.wantCode, tt.wantReason)
			}
		})
	}
}

func TestShutdown(t *testing.T) {
	h := start(t, nil)
	clients := []*websocket.Conn{h.dial(t, "/"), h.dial(t, "/local")}
	for _, c := range clients {
		connectionID(t, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan error, len(clients))
	for _, c := range clients {
		go func() {
			_, _, err := c.Read(ctx)
			errs <- err
		}()
	}
	if err := h.gw.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for range clients {
		if err := <-errs; websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Errorf("client read %v, want close 1001", err)
		}
	}
	// Shutdown returned only after every $disconnect ran.
	if n := len(h.fns.disconnects); n != len(clients) {
		t.Errorf("%d $disconnect ran before Shutdown returned, want %d", n, len(clients))
	}
}

// A client may send its first frame in the same write as its handshake:
// the HTTP server reads it ahead, and the gateway must still deliver it
// although the socket has nothing more to read.
func TestFrameWithHandshake(t *testing.T) {
	h := start(t, nil)
	payload := []byte(`{"action":"echo"}`)
	mask := [4]byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask[:]...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	_, br := testkit.RawDial(t, strings.TrimPrefix(h.srv.URL, "http://"), "/", frame)
	want := `echo: {"action":"echo"}`
	got := make([]byte, 2+len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatalf("no reply to the frame sent with the handshake: %v", err)
	}
	if got[0] != 0x81 || int(got[1]) != len(want) || string(got[2:]) != want {
		t.Errorf("reply frame %q, want a text frame %q", got, want)
	}
}
