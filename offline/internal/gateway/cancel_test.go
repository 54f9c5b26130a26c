package gateway

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
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

// TestAbandonedHandshakeCancelsConnect: a client that gives up while
// $connect runs takes the invocation's context with it.
func TestAbandonedHandshakeCancelsConnect(t *testing.T) {
	h := start(t, func(c *Config) { c.Routes["$connect"] = Route{Function: "hang"} })
	ctx, cancel := context.WithCancel(context.Background())
	dialed := make(chan error, 1)
	go func() {
		_, _, err := websocket.Dial(ctx, h.ws+"/", nil)
		dialed <- err
	}()
	h.await(t, h.fns.started, "$connect did not start")
	cancel()
	<-dialed
	if route := h.await(t, h.fns.canceled, "$connect went on after the client left"); route != "$connect" {
		t.Errorf("canceled %s, want $connect", route)
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
