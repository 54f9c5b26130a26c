package gateway

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

func TestListenOnAPortHeldSaysHowToPickAnother(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port

	ln, err := Listen("127.0.0.1", port)
	if err == nil {
		ln.Close()
		t.Fatalf("listened on port %d, which another listener holds", port)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %v, want it to wrap EADDRINUSE", err)
	}
	for _, want := range []string{"has port " + strconv.Itoa(port) + ":", "PORT=4000 make offline", `ARGS="--port 0"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
}

func TestListenOnAFreePort(t *testing.T) {
	ln, err := Listen("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if port := ln.Addr().(*net.TCPAddr).Port; port == 0 {
		t.Errorf("listening on %s, want a port picked", ln.Addr())
	}
}

// A client that comes while the gateway starts is answered at once with
// 503, Retry-After and the reason, not left waiting in the listen queue;
// once the gateway is open the same port serves it, WebSocket and all.
func TestPortAnswers503UntilOpen(t *testing.T) {
	h := start(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := servePort(ln, time.Second)
	t.Cleanup(func() { p.Close() })
	p.Starting("building the functions")

	resp, body := testkit.Handshake(t, ln.Addr().String(), h.domain, "/")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
		!strings.Contains(body, "building the functions") || !resp.Close {
		t.Errorf("during the start: %s, Retry-After %q, close %v, body %s; want 503, Retry-After 2, the reason and the connection closed",
			resp.Status, resp.Header.Get("Retry-After"), resp.Close, body)
	}

	p.Open(h.gw)
	if resp, body := testkit.Handshake(t, ln.Addr().String(), h.domain, "/"); resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("once open: %s %s, want 101 Switching Protocols", resp.Status, body)
	}
}
