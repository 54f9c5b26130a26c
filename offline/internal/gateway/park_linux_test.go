package gateway

import (
	"context"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func watchOf(t *testing.T, c net.Conn) *watch {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return &watch{rc: rc}
}

func waitWake(t *testing.T, woke chan struct{}, what string) {
	t.Helper()
	select {
	case <-woke:
	case <-time.After(10 * time.Second):
		t.Fatalf("no wake after %s", what)
	}
}

func TestParker(t *testing.T) {
	p, err := parking()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		act   func(t *testing.T, server, client net.Conn, park func())
		wakes int
	}{
		{"bytes after parking", func(t *testing.T, server, client net.Conn, park func()) {
			park()
			client.Write([]byte("a"))
		}, 1},
		{"bytes before parking", func(t *testing.T, server, client net.Conn, park func()) {
			// On loopback the byte is in the server's socket when Write
			// returns; parking must still wake for it.
			client.Write([]byte("a"))
			park()
		}, 1},
		{"peer closes", func(t *testing.T, server, client net.Conn, park func()) {
			park()
			client.Close()
		}, 1},
		{"parked again after reading", func(t *testing.T, server, client net.Conn, park func()) {
			park()
			client.Write([]byte("a"))
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server, client := tcpPair(t)
			w := watchOf(t, server)
			woke := make(chan struct{}, 4)
			park := func() {
				if err := p.park(w, func() { woke <- struct{}{} }); err != nil {
					t.Fatal(err)
				}
			}
			tt.act(t, server, client, park)
			for i := range tt.wakes {
				waitWake(t, woke, tt.name)
				if i+1 < tt.wakes {
					// Read what woke it, park again, and send more.
					buf := make([]byte, 16)
					if _, err := server.Read(buf); err != nil {
						t.Fatal(err)
					}
					park()
					client.Write([]byte("b"))
				}
			}
			p.forget(w)
		})
	}
}

func TestParkClosed(t *testing.T) {
	p, err := parking()
	if err != nil {
		t.Fatal(err)
	}
	server, _ := tcpPair(t)
	w := watchOf(t, server)
	server.Close()
	if err := p.park(w, func() { t.Error("woke a closed socket") }); err == nil {
		t.Fatal("parked a closed socket")
	}
}

// Idle connections are parked: they hold no goroutine, and still answer
// messages and pings.
func TestIdleConnectionsHoldNoGoroutine(t *testing.T) {
	h := start(t, nil)
	const n = 50
	before := runtime.NumGoroutine()
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		conns[i] = h.dial(t, "/")
		if got := roundTrip(t, conns[i], `{"action":"echo"}`); got != `echo: {"action":"echo"}` {
			t.Fatalf("got %s", got)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		extra := runtime.NumGoroutine() - before
		if extra < n/5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d more goroutines with %d idle connections", extra, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range conns {
		if got := roundTrip(t, c, `{"action":"echo","n":2}`); got != `echo: {"action":"echo","n":2}` {
			t.Fatalf("second message: got %s", got)
		}
	}
	// A ping wakes a parked connection too. (Its reader then waits for the
	// next message: the library answers pings inside Read.)
	c := conns[0]
	c.CloseRead(context.Background()) // the client's own reader, to see the pong
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("ping a parked connection: %v", err)
	}

	// Every parked connection is closed and sees its $disconnect.
	for _, c := range conns {
		c.CloseNow()
	}
	for range conns {
		h.disconnected(t)
	}
	if err := h.gw.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// The library closes a socket whose write failed (a client that stopped
// reading, past the write timeout). A parked connection closed so must
// still be forgotten and get its $disconnect.
func TestParkedConnectionClosedByFailedWrite(t *testing.T) {
	h := start(t, nil)
	ws := h.dial(t, "/")
	id := connectionID(t, ws)
	c, ok := h.gw.lookup(id)
	if !ok {
		t.Fatal("connection not registered")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !c.parked.Load() {
		if time.Now().After(deadline) {
			t.Fatal("connection never parked")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.ws.CloseNow() // what the library does when a write times out
	if err := c.send([]byte("lost")); err == nil {
		t.Fatal("a write on a closed socket succeeded")
	}
	ev := h.disconnected(t)
	if code := ev.RequestContext.DisconnectStatusCode; code != 1006 {
		t.Errorf("$disconnect reports %d, want 1006", code)
	}
	if _, ok := h.gw.lookup(id); ok {
		t.Error("the closed connection is still registered")
	}
}
