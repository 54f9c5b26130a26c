package gateway

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"wsapi/offline/testkit"
)

func (h *harness) await(t *testing.T, ch chan string, what string) string {
	t.Helper()
	select {
	case route := <-ch:
		return route
	case <-time.After(10 * time.Second):
		t.Fatal(what)
		return ""
	}
}

// TestShutdownDeadlineCancelsInvocations: once Shutdown's deadline passes,
// invocations still running are abandoned rather than waited for.
func TestShutdownDeadlineCancelsInvocations(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/")
	ctx := context.Background()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"hang"}`)); err != nil {
		t.Fatal(err)
	}
	h.await(t, h.fns.started, "the route did not start")
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := h.gw.Shutdown(sctx); err == nil {
		t.Error("Shutdown returned nil with an invocation still running at its deadline")
	}
	if route := h.await(t, h.fns.canceled, "the invocation went on after Shutdown's deadline"); route != "hang" {
		t.Errorf("canceled %s, want hang", route)
	}
}

// slowHandshake holds the authorizer "slowauth" and the $connect function
// "slowconnect" until released, then they answer allow and status. Like a
// Lambda invocation, they end early with an error if their context is
// cancelled; slowconnect records its event first, as onconnect writes its
// registry row before it answers.
type slowHandshake struct {
	*functions
	status  int
	started chan string
	release chan struct{}
}

func (s slowHandshake) InvokeFor(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	if function != "slowauth" && function != "slowconnect" {
		return s.functions.InvokeFor(ctx, function, route, payload)
	}
	if function == "slowconnect" {
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		s.functions.mu.Lock()
		s.functions.events[function] = append(s.functions.events[function], ev)
		s.functions.mu.Unlock()
	}
	s.started <- function
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if function == "slowconnect" {
		return json.Marshal(map[string]int{"statusCode": s.status})
	}
	var ev authorizerEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"principalId":    "taro",
		"policyDocument": map[string]any{"Statement": map[string]any{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ev.MethodArn}},
	})
}

// TestClientLeavingDuringHandshake: a client that gives up while the
// authorizer or $connect runs does not cut them short; a $connect that
// accepts is followed by exactly one $disconnect, so that what it recorded
// is removed; and the log says the client left, not that a function failed.
func TestClientLeavingDuringHandshake(t *testing.T) {
	tests := []struct {
		name           string
		route          Route
		status         int
		wantConnect    int // $connect calls
		wantDisconnect int
	}{
		{"$connect accepts", Route{Function: "slowconnect"}, 200, 1, 1},
		{"$connect refuses", Route{Function: "slowconnect"}, 401, 1, 0},
		{"authorizer", Route{Function: "slowconnect", Authorizer: &Authorizer{Function: "slowauth"}}, 200, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &testkit.Buffer{}
			slow := slowHandshake{status: tt.status, started: make(chan string, 1), release: make(chan struct{})}
			h := start(t, func(c *Config) {
				slow.functions = c.Invoker.(*functions)
				c.Invoker = slow
				c.Routes["$connect"] = tt.route
				c.Log = log.New(logs, "", 0)
			})
			// The gateway behind a server that says when a handshake's
			// client has gone.
			left := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				stop := context.AfterFunc(r.Context(), func() { left <- struct{}{} })
				defer stop()
				r.Host = h.domain // this server's own address is no name of the gateway
				h.gw.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)

			ctx, cancel := context.WithCancel(context.Background())
			dialed := make(chan error, 1)
			go func() {
				_, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", nil)
				dialed <- err
			}()
			h.await(t, slow.started, "the handshake's function did not start")
			cancel()
			select {
			case <-dialed:
			case <-time.After(10 * time.Second):
				t.Fatal("the client did not give up")
			}
			select {
			case <-left:
			case <-time.After(10 * time.Second):
				t.Fatal("the server did not see the client leave")
			}
			close(slow.release)

			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			if err := h.gw.Shutdown(sctx); err != nil {
				t.Fatal(err)
			}
			h.fns.mu.Lock()
			connects := len(h.fns.events["slowconnect"])
			h.fns.mu.Unlock()
			if connects != tt.wantConnect {
				t.Errorf("$connect ran %d times, want %d", connects, tt.wantConnect)
			}
			n := len(h.fns.disconnects)
			if n != tt.wantDisconnect {
				t.Errorf("$disconnect ran %d times, want %d", n, tt.wantDisconnect)
			}
			if n == 1 {
				rc := (<-h.fns.disconnects).RequestContext
				if rc.DisconnectStatusCode != 1006 || rc.DisconnectReason == nil || *rc.DisconnectReason != "Client left during the handshake" {
					t.Errorf("$disconnect got %d %v, want 1006 Client left during the handshake", rc.DisconnectStatusCode, rc.DisconnectReason)
				}
			}
			out := logs.String()
			if !strings.Contains(out, "client left during the handshake") || strings.Contains(out, "failed") || strings.Contains(out, "rejected") {
				t.Errorf("log:\n%s\nwant the client leaving, and no failure or rejection", out)
			}
		})
	}
}
