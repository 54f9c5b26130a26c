package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"wsapi/offline/testkit"
)

func TestDomainsServe(t *testing.T) {
	d, err := newDomains("localhost:3001", []string{"gateway.lan", "Docker-Host:8080", "[fd00::1]"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		host string
		want bool
	}{
		{"localhost:3001", true},
		{"LOCALHOST:3001", true},
		{"127.0.0.1:3001", true},
		{"[::1]:3001", true},
		{"gateway.lan:3001", true},
		{"gateway.lan:443", true},
		{"gateway.lan", true},
		{"docker-host:8080", true},
		{"[fd00::1]:3001", true},
		{"docker-host:3001", false},
		{"127.0.0.1:9", false},
		{"localhost:3002", false},
		{"localhost", false},
		{"example.com", false},
		{"attacker.example:3001", false},
		{"", false},
	} {
		if got := d.serves(tt.host); got != tt.want {
			t.Errorf("serves(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestDomainsPort80AlsoServesNoPort(t *testing.T) {
	d, err := newDomains("localhost:80", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]", "localhost:80"} {
		if !d.serves(host) {
			t.Errorf("serves(%q) = false: a client on port 80 writes no port", host)
		}
	}
}

func TestDomainsRefuseBadNames(t *testing.T) {
	for _, own := range []string{"", "localhost", "localhost:0", "localhost:http", ":3001"} {
		if _, err := newDomains(own, nil); err == nil {
			t.Errorf("domain name %q accepted", own)
		}
	}
	for _, alias := range []string{"", "http://gateway", "gateway/local", "gateway:x", "gateway:70000", ":3001", "a b", "fd00::1::x"} {
		if _, err := newDomains("localhost:3001", []string{alias}); err == nil {
			t.Errorf("alias %q accepted", alias)
		}
	}
}

// handshake sends a WebSocket handshake to the gateway naming host in its
// Host header, and returns the answer.
func (h *harness) handshake(t *testing.T, host string) *http.Response {
	t.Helper()
	resp, _ := testkit.Handshake(t, strings.TrimPrefix(h.srv.URL, "http://"), host, "/local")
	return resp
}

// TestForeignHostRefused: a handshake or a @connections call for a name
// the gateway does not serve is refused as API Gateway refuses an unknown
// domain, before any function runs.
func TestForeignHostRefused(t *testing.T) {
	h := start(t, nil)
	for _, host := range []string{"127.0.0.1:9", "attacker.example", "localhost:1"} {
		t.Run("handshake "+host, func(t *testing.T) {
			resp := h.handshake(t, host)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusForbidden || strings.TrimSpace(string(body)) != `{"message":"Forbidden"}` ||
				resp.Header.Get("X-Amzn-ErrorType") != "ForbiddenException" {
				t.Errorf("Host %s: %s %s %q, want 403 ForbiddenException {\"message\":\"Forbidden\"}", host, resp.Status, resp.Header.Get("X-Amzn-ErrorType"), body)
			}
		})
	}
	t.Run("@connections", func(t *testing.T) {
		// A well-formed signature, made for the foreign name.
		id := connectionID(t, h.dial(t, "/local"))
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/local/@connections/"+url.PathEscape(id), strings.NewReader("x"))
		req.Host = "127.0.0.1:9"
		sum := sha256.Sum256([]byte("x"))
		creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: testToken}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "execute-api", "ap-northeast-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("POST for Host 127.0.0.1:9: %s %s, want 403 ForbiddenException", resp.Status, resp.Header.Get("X-Amzn-ErrorType"))
		}
	})
	h.fns.mu.Lock()
	defer h.fns.mu.Unlock()
	// The one connection the @connections case opened, by the gateway's name.
	if n := len(h.fns.events["connect"]); n != 1 {
		t.Errorf("$connect ran %d times, want once: foreign hosts reached it", n)
	}
}

// TestDomainNameIsTheGateways: a client that reaches the gateway by another
// of its names still gets the gateway's own domainName in its events, the
// name the functions post back to.
func TestDomainNameIsTheGateways(t *testing.T) {
	h := start(t, func(c *Config) { c.Aliases = []string{"gateway.lan"} })
	_, port, _ := net.SplitHostPort(h.domain)
	for _, host := range []string{"localhost:" + port, "[::1]:" + port, "gateway.lan:8080", "GATEWAY.LAN"} {
		resp := h.handshake(t, host)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("Host %s: %s, want 101", host, resp.Status)
		}
	}
	h.fns.mu.Lock()
	defer h.fns.mu.Unlock()
	events := h.fns.events["connect"]
	if len(events) != 4 {
		t.Fatalf("%d $connect events, want 4", len(events))
	}
	for _, ev := range events {
		if got := ev.RequestContext.DomainName; got != h.domain {
			t.Errorf("Host %s: domainName %q, want the gateway's own %q", ev.Headers["Host"], got, h.domain)
		}
	}
}
