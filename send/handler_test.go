package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
)

// api stands in for the @connections API: it records every frame, and
// answers some connections with an error. With fillTo set, each post waits
// until fillTo posts are in flight at once (or 5 s pass), to show how many
// the handler lets run together.
type api struct {
	mu       sync.Mutex
	frames   map[string][]string
	fail     map[string]error
	fillTo   int
	inflight int
	peak     int
	full     chan struct{}
}

func (a *api) Post(_ context.Context, id string, data []byte) error {
	a.mu.Lock()
	a.inflight++
	if a.inflight > a.peak {
		a.peak = a.inflight
		if a.fillTo > 0 && a.peak == a.fillTo {
			close(a.full)
		}
	}
	a.mu.Unlock()
	if a.fillTo > 0 {
		select {
		case <-a.full:
		case <-time.After(5 * time.Second):
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inflight--
	if err := a.fail[id]; err != nil {
		return err
	}
	a.frames[id] = append(a.frames[id], string(data))
	return nil
}

// directory stands in for the registry.
type directory struct {
	mu      sync.Mutex
	users   map[string][]string
	removed []string
	err     error
}

func (d *directory) ConnectionsOf(_ context.Context, user string) ([]string, error) {
	return d.users[user], d.err
}

func (d *directory) Remove(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removed = append(d.removed, id)
	return nil
}

var sentAt = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func request(body string, authorizer any) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Body: body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: "send", EventType: "MESSAGE", ConnectionID: "taroPhone00000=",
			DomainName: "abc.execute-api.ap-northeast-1.amazonaws.com", Stage: "prod",
			Authorizer: authorizer,
		},
	}
}

var taro = map[string]any{"principalId": "taro", "userName": "taro", "integrationLatency": float64(3)}

func gone(id string) error {
	return fmt.Errorf("post to connection %s: %w", id, connections.ErrGone)
}

func TestHandle(t *testing.T) {
	users := map[string][]string{
		"hanako": {"hanakoPhone000=", "hanakoLaptop00="},
		"jiro":   {"jiroGone000000="},
		"many":   {"m1=", "m2=", "m3=", "m4=", "m5="},
	}
	tests := []struct {
		name        string
		body        string
		authorizer  any
		fail        map[string]error
		status      int
		frames      map[string][]string // what each connection received
		wantRemoved []string
	}{
		{
			name: "every connection of the recipient", body: `{"action":"send","to":"hanako","message":"hi"}`, authorizer: taro, status: 200,
			frames: map[string][]string{
				"hanakoPhone000=": {`{"from":"taro","message":"hi","sentAt":"2026-11-25T10:00:00Z"}`},
				"hanakoLaptop00=": {`{"from":"taro","message":"hi","sentAt":"2026-11-25T10:00:00Z"}`},
				"taroPhone00000=": {`{"action":"send","to":"hanako","delivered":2,"failed":0}`},
			},
		},
		{
			name: "a claimed sender in the body changes nothing", body: `{"action":"send","to":"hanako","message":"hi","from":"hanako"}`, authorizer: taro, status: 200,
			frames: map[string][]string{
				"hanakoPhone000=": {`{"from":"taro","message":"hi","sentAt":"2026-11-25T10:00:00Z"}`},
				"hanakoLaptop00=": {`{"from":"taro","message":"hi","sentAt":"2026-11-25T10:00:00Z"}`},
				"taroPhone00000=": {`{"action":"send","to":"hanako","delivered":2,"failed":0}`},
			},
		},
		{
			name: "a stale connection is removed, not counted", body: `{"action":"send","to":"hanako","message":"hi"}`, authorizer: taro,
			fail: map[string]error{"hanakoLaptop00=": gone("hanakoLaptop00=")}, status: 200,
			frames: map[string][]string{
				"hanakoPhone000=": {`{"from":"taro","message":"hi","sentAt":"2026-11-25T10:00:00Z"}`},
				"taroPhone00000=": {`{"action":"send","to":"hanako","delivered":1,"failed":0}`},
			},
			wantRemoved: []string{"hanakoLaptop00="},
		},
		{
			name: "other failures are reported", body: `{"action":"send","to":"hanako","message":"hi"}`, authorizer: taro,
			fail: map[string]error{"hanakoLaptop00=": errors.New("LimitExceededException")}, status: 200,
			frames: map[string][]string{
				"hanakoPhone000=": {`{"from":"taro","message":"hi","sentAt":"2026-11-25T10:00:00Z"}`},
				"taroPhone00000=": {`{"action":"send","to":"hanako","delivered":1,"failed":1}`},
			},
		},
		{
			name: "markup is not escaped into a bigger frame", body: `{"action":"send","to":"hanako","message":"<b>&</b>"}`, authorizer: taro, status: 200,
			frames: map[string][]string{
				"hanakoPhone000=": {`{"from":"taro","message":"<b>&</b>","sentAt":"2026-11-25T10:00:00Z"}`},
				"hanakoLaptop00=": {`{"from":"taro","message":"<b>&</b>","sentAt":"2026-11-25T10:00:00Z"}`},
				"taroPhone00000=": {`{"action":"send","to":"hanako","delivered":2,"failed":0}`},
			},
		},
		{
			name: "recipient not connected", body: `{"action":"send","to":"nobody","message":"hi"}`, authorizer: taro, status: 404,
			frames: map[string][]string{"taroPhone00000=": {`{"error":"not_connected","message":"nobody is not connected"}`}},
		},
		{
			name: "recipient's only connection is stale", body: `{"action":"send","to":"jiro","message":"hi"}`, authorizer: taro,
			fail: map[string]error{"jiroGone000000=": gone("jiroGone000000=")}, status: 404,
			frames:      map[string][]string{"taroPhone00000=": {`{"error":"not_connected","message":"jiro is not connected"}`}},
			wantRemoved: []string{"jiroGone000000="},
		},
		{
			name: "no verified identity", body: `{"action":"send","to":"hanako","message":"hi"}`, authorizer: nil, status: 400,
			frames: map[string][]string{"taroPhone00000=": {`{"error":"unauthenticated","message":"this connection has no verified identity: connect with ?token=…"}`}},
		},
	}
	bad := []struct{ name, body, frame string }{
		{"not JSON", `hanako hi`, `{"error":"invalid_json","message":"the message must be a JSON object, e.g. {\"action\":\"send\",\"to\":\"hanako\",\"message\":\"hi\"}"}`},
		{"to missing", `{"action":"send","message":"hi"}`, `{"error":"missing_field","message":"to is required"}`},
		{"to not a string", `{"action":"send","to":["hanako"],"message":"hi"}`, `{"error":"invalid_field","message":"to must be a string"}`},
		{"to empty", `{"action":"send","to":"","message":"hi"}`, `{"error":"invalid_field","message":"to must not be empty"}`},
		{"to too long", `{"action":"send","to":"` + strings.Repeat("a", 65) + `","message":"hi"}`, `{"error":"invalid_field","message":"to must be at most 64 characters, got 65"}`},
		{"message missing", `{"action":"send","to":"hanako"}`, `{"error":"missing_field","message":"message is required"}`},
		{"message empty", `{"action":"send","to":"hanako","message":""}`, `{"error":"invalid_field","message":"message must not be empty"}`},
		{"message not a string", `{"action":"send","to":"hanako","message":{"text":"hi"}}`, `{"error":"invalid_field","message":"message must be a string"}`},
		{"message over 32 KB", `{"action":"send","to":"hanako","message":"` + strings.Repeat("x", 32<<10+1) + `"}`, `{"error":"invalid_field","message":"message must be at most 32768 bytes, got 32769"}`},
	}
	bad = append(bad, struct{ name, body, frame string }{
		"message that outgrows a frame once encoded",
		`{"action":"send","to":"hanako","message":"` + strings.Repeat(`\u0001`, 21900) + `"}`,
		`{"error":"invalid_field","message":"message must fit one frame once encoded: 131460 bytes, at most 131072"}`,
	})
	for _, b := range bad {
		tests = append(tests, struct {
			name        string
			body        string
			authorizer  any
			fail        map[string]error
			status      int
			frames      map[string][]string
			wantRemoved []string
		}{name: b.name, body: b.body, authorizer: taro, status: 400, frames: map[string][]string{"taroPhone00000=": {b.frame}}})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &api{frames: map[string][]string{}, fail: tt.fail}
			dir := &directory{users: users}
			h := Handler{Connections: func(string, string) connections.Poster { return a }, Registry: dir, Concurrency: 4, Now: func() time.Time { return sentAt }}
			resp, err := h.Handle(context.Background(), request(tt.body, tt.authorizer))
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if fmt.Sprint(a.frames) != fmt.Sprint(tt.frames) {
				t.Errorf("frames =\n  %v\nwant\n  %v", a.frames, tt.frames)
			}
			slices.Sort(dir.removed)
			if fmt.Sprint(dir.removed) != fmt.Sprint(tt.wantRemoved) {
				t.Errorf("removed %v, want %v", dir.removed, tt.wantRemoved)
			}
		})
	}
}

func TestFanOutIsBounded(t *testing.T) {
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("c%02d=", i)
	}
	a := &api{frames: map[string][]string{}, fillTo: 8, full: make(chan struct{})}
	h := Handler{Connections: func(string, string) connections.Poster { return a }, Registry: &directory{users: map[string][]string{"hanako": ids}}, Concurrency: 8, Now: time.Now}
	if _, err := h.Handle(context.Background(), request(`{"action":"send","to":"hanako","message":"hi"}`, taro)); err != nil {
		t.Fatal(err)
	}
	if a.peak != 8 {
		t.Errorf("%d posts were in flight at once, want the bound, 8", a.peak)
	}
	for _, id := range ids {
		if len(a.frames[id]) != 1 {
			t.Errorf("%s got %d frames, want exactly 1", id, len(a.frames[id]))
		}
	}
}

func TestRegistryFails(t *testing.T) {
	a := &api{frames: map[string][]string{}}
	h := Handler{Connections: func(string, string) connections.Poster { return a }, Registry: &directory{err: errors.New("throttled")}, Concurrency: 4, Now: time.Now}
	resp, err := h.Handle(context.Background(), request(`{"action":"send","to":"hanako","message":"hi"}`, taro))
	if err == nil || resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("got %d %v, want a failed invocation (API Gateway tells the sender)", resp.StatusCode, err)
	}
}
