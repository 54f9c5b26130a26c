package gateway

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve runs g behind the HTTP server it configures, as main does.
func serve(t *testing.T, g *Gateway) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := servePort(ln, g.cfg.RequestTimeout)
	p.Open(g)
	t.Cleanup(func() { p.Close() })
	return ln.Addr().String()
}

// TestServerTimeouts: a client that trickles a request, or keeps an idle
// connection open, is cut off; a URL over API Gateway's limit is refused.
func TestServerTimeouts(t *testing.T) {
	h := start(t, func(c *Config) { c.RequestTimeout = 200 * time.Millisecond })
	addr := serve(t, h.gw)

	tests := []struct {
		name string
		send string
	}{
		{"trickled headers", "POST /local/@connections/x HTTP/1.1\r\nHost: " + h.domain + "\r\n"},
		{"trickled body", "POST /local/@connections/x HTTP/1.1\r\nHost: " + h.domain + "\r\nContent-Length: 100\r\n\r\nab"},
		{"idle keep-alive", "GET /nothing HTTP/1.1\r\nHost: " + h.domain + "\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if _, err := nc.Write([]byte(tt.send)); err != nil {
				t.Fatal(err)
			}
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, nc); err != nil {
				t.Errorf("the gateway still held the connection after 5 s: %v", err)
			}
		})
	}

	t.Run("URL over 4096 characters", func(t *testing.T) {
		for _, tt := range []struct {
			path string
			want int
		}{
			{"/local?q=" + strings.Repeat("x", maxURLChars-len("/local?q=")), http.StatusUpgradeRequired},
			{"/local?q=" + strings.Repeat("x", maxURLChars), http.StatusRequestURITooLong},
		} {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.Write([]byte("GET " + tt.path + " HTTP/1.1\r\nHost: " + h.domain + "\r\n\r\n"))
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET of %d characters = %d, want %d", len(tt.path), resp.StatusCode, tt.want)
			}
		}
	})
}
