package gateway

import (
	"bufio"
	"errors"
	"io"
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
	p := Serve(ln, time.Second)
	t.Cleanup(func() { p.Close() })
	p.Starting("building the functions")

	resp, body := handshake(t, ln.Addr().String(), h.domain)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
		!strings.Contains(body, "building the functions") || !resp.Close {
		t.Errorf("during the start: %s, Retry-After %q, close %v, body %s; want 503, Retry-After 2, the reason and the connection closed",
			resp.Status, resp.Header.Get("Retry-After"), resp.Close, body)
	}

	p.Open(h.gw)
	if resp, body := handshake(t, ln.Addr().String(), h.domain); resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("once open: %s %s, want 101 Switching Protocols", resp.Status, body)
	}
}

// handshake sends a WebSocket handshake for host to addr and returns the
// answer.
func handshake(t *testing.T, addr, host string) (*http.Response, string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write([]byte(testkit.UpgradeRequest(host, "/"))); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return resp, ""
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}
