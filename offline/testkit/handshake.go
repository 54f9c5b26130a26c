package testkit

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// UpgradeRequest is a client's opening handshake for path on host, with
// the key of RFC 6455's own example.
func UpgradeRequest(host, path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
}

// RawDial opens a TCP connection to addr, closed when the test ends, and
// upgrades it to a WebSocket on path, sending first (frames, or nil) in the
// same write as the request. It fails the test unless the answer is 101
// Switching Protocols. The reader holds what the server sent after it; reads
// have a deadline 5 s after the handshake until the caller sets another.
func RawDial(t testing.TB, addr, path string, first []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	if _, err := nc.Write(append([]byte(UpgradeRequest(nc.RemoteAddr().String(), path)), first...)); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s", resp.Status)
	}
	return nc, br
}

// Handshake sends a WebSocket handshake for path naming host in its Host
// header to addr, over a connection closed when the test ends, and returns
// the answer with its body ("" for 101 Switching Protocols), which the
// answer's Body still gives.
func Handshake(t testing.TB, addr, host, path string) (*http.Response, string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write([]byte(UpgradeRequest(host, path))); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("no answer from %s: %v", addr, err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return resp, ""
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, string(body)
}
