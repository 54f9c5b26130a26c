package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// echoServer answers a WebSocket's first message with the same text.
func echoServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/echo" {
			http.Error(w, "no such path", http.StatusNotFound)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		typ, msg, err := c.Read(r.Context())
		if err != nil {
			return
		}
		_ = c.Write(r.Context(), typ, msg)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// The frame sent with the handshake reaches the server, and its answer is
// in the reader returned.
func TestRawDialSendsTheFirstFrame(t *testing.T) {
	addr := echoServer(t)
	payload := []byte("ping")
	mask := [4]byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask[:]...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	_, br := RawDial(t, addr, "/echo", frame)
	got := make([]byte, 2+len(payload))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatalf("no echo: %v", err)
	}
	if want := "\x81\x04ping"; string(got) != want {
		t.Errorf("echo frame %q, want %q", got, want)
	}
}

func TestRawDialFailsWithoutAnUpgrade(t *testing.T) {
	addr := echoServer(t)
	got := failure(t, func(tb testing.TB) { RawDial(tb, addr, "/elsewhere", nil) })
	if want := "handshake: 404 Not Found"; got != want {
		t.Errorf("failed with %q, want %q", got, want)
	}
}

func TestUpgradeRequest(t *testing.T) {
	got := UpgradeRequest("localhost:3001", "/?token=x")
	for _, want := range []string{"GET /?token=x HTTP/1.1\r\n", "Host: localhost:3001\r\n", "Upgrade: websocket\r\n", "Connection: Upgrade\r\n", "Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("request %q lacks %q", got, want)
		}
	}
	if !strings.HasSuffix(got, "\r\n\r\n") {
		t.Errorf("request %q does not end its headers", got)
	}
}
