package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/authorizer/token"
)

var secret = []byte("a probe test secret of at least 32 bytes")

// fakeAPI answers as the deployed API does, unless fault names one way it
// should not.
type fakeAPI struct {
	fault string
	mu    sync.Mutex
	conns map[*websocket.Conn]string // -> user
	rooms map[string]map[*websocket.Conn]bool
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if tok == "" && f.fault != "no token gets 403" {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	user, err := token.Verify(secret, tok, time.Now())
	if err != nil && f.fault != "forged token accepted" {
		status := http.StatusForbidden
		if f.fault == "forged token gets 401" {
			status = http.StatusUnauthorized
		}
		http.Error(w, "Forbidden", status)
		return
	}
	// Registered before the handshake completes, as $connect does: a send
	// that follows the handshake finds it.
	f.mu.Lock()
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		f.mu.Unlock()
		return
	}
	f.conns[c] = user
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		for _, members := range f.rooms {
			delete(members, c)
		}
		f.mu.Unlock()
	}()
	for {
		_, data, err := c.Read(r.Context())
		if err != nil {
			return
		}
		f.answer(r.Context(), c, user, data)
	}
}

func (f *fakeAPI) answer(ctx context.Context, c *websocket.Conn, user string, data []byte) {
	send := func(c *websocket.Conn, v any) {
		b, _ := json.Marshal(v)
		_ = c.Write(ctx, websocket.MessageText, b)
	}
	var msg map[string]any
	if json.Unmarshal(data, &msg) != nil {
		if f.fault == "no route closes" {
			_ = c.Close(websocket.StatusPolicyViolation, "")
			return
		}
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmEOHlwIE0Fx7g="}`))
		return
	}
	switch msg["action"] {
	case "hello":
		name, ok := msg["userName"].(string)
		switch {
		case !ok && f.fault != "bad input answered":
			send(c, map[string]any{"error": "missing_field", "message": "userName is required"})
		case f.fault == "hello wrong":
			send(c, map[string]any{"message": "hi"})
		default:
			send(c, map[string]any{"message": "hello, " + name + "!"})
		}
	case "send":
		to := msg["to"].(string)
		f.mu.Lock()
		var targets []*websocket.Conn
		for other, u := range f.conns {
			if u == to {
				targets = append(targets, other)
			}
		}
		f.mu.Unlock()
		delivery := map[string]any{"from": user, "message": msg["message"], "sentAt": time.Now().UTC().Format(time.RFC3339)}
		for _, t := range targets {
			send(t, delivery)
			if f.fault == "delivered twice" {
				send(t, delivery)
			}
		}
		receipt := map[string]any{"action": "send", "to": to, "delivered": len(targets), "failed": 0}
		switch f.fault {
		case "receipt counts one":
			receipt["delivered"] = 1
		case "receipt with an unattempted post":
			receipt["unattempted"] = 1
		case "receipt with zero unattempted":
			receipt["unattempted"] = 0
		}
		send(c, receipt)
	case "join":
		room := msg["room"].(string)
		f.mu.Lock()
		if f.rooms[room] == nil {
			f.rooms[room] = map[*websocket.Conn]bool{}
		}
		f.rooms[room][c] = true
		members := len(f.rooms[room])
		f.mu.Unlock()
		if f.fault == "join counts one more" {
			members++
		}
		send(c, map[string]any{"action": "join", "room": room, "members": members})
	case "broadcast":
		room := msg["room"].(string)
		f.mu.Lock()
		var others []*websocket.Conn
		member := f.rooms[room][c]
		for other := range f.rooms[room] {
			if other != c {
				others = append(others, other)
			}
		}
		f.mu.Unlock()
		if !member {
			send(c, map[string]any{"error": "not_a_member", "message": "join room " + room + " before broadcasting to it"})
			return
		}
		id := "m-1"
		send(c, map[string]any{"action": "broadcast", "room": room, "recipients": len(others), "messageId": id})
		if f.fault == "delivery with another messageId" {
			id = "m-2"
		}
		for _, o := range others {
			send(o, map[string]any{"room": room, "from": user, "message": msg["message"], "sentAt": time.Now().UTC().Format(time.RFC3339), "messageId": id})
		}
	case "leave":
		room := msg["room"].(string)
		f.mu.Lock()
		if f.fault != "leave keeps the member" {
			delete(f.rooms[room], c)
		}
		f.mu.Unlock()
		send(c, map[string]any{"action": "leave", "room": room})
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		fault    string
		wantStep string // "" when every step passes
		wantGot  string
	}{
		{"", "", ""},
		{"receipt with zero unattempted", "", ""},
		{"hello wrong", "hello", `got {"message":"hi"}`},
		{"no route closes", "no route", "got error"},
		{"bad input answered", "bad input", `got {"message":"hello, !"}`},
		{"delivered twice", "send to both", "on the first connection"},
		{"receipt counts one", "send to both", `"delivered":1`},
		{"receipt with an unattempted post", "send to both", `"unattempted":1`},
		{"join counts one more", "join a room", `"members":2,`},
		{"delivery with another messageId", "broadcast", `"messageId":"m-2"`},
		{"leave keeps the member", "leave the room", `"recipients":1`},
		{"no token gets 403", "no token", "want handshake refused with 401, got 403"},
		{"forged token accepted", "forged token", "got an open connection"},
		{"forged token gets 401", "forged token", "want handshake refused with 403, got 401"},
	}
	for _, tt := range tests {
		name := tt.fault
		if name == "" {
			name = "the API as deployed"
		}
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeAPI{fault: tt.fault, conns: map[*websocket.Conn]string{}, rooms: map[string]map[*websocket.Conn]bool{}})
			defer srv.Close()
			tok, err := token.Sign(secret, "taro", time.Minute, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err = Run(t.Context(), Config{URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Token: tok, User: "taro", Out: &out, StepTimeout: 5 * time.Second})
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if tt.wantStep == "" {
				if err != nil {
					t.Fatalf("Run: %v\n%s", err, out.String())
				}
				if len(lines) != 12 {
					t.Errorf("printed %d lines, want one per step (12):\n%s", len(lines), out.String())
				}
				for _, l := range lines {
					if !strings.HasPrefix(l, "ok ") || !strings.HasSuffix(l, " ms") {
						t.Errorf("line %q, want ok, the step and its latency in ms", l)
					}
				}
				return
			}
			var se *StepError
			if !errors.As(err, &se) || se.Step != tt.wantStep || !strings.Contains(se.Error(), tt.wantGot) {
				t.Fatalf("Run = %v, want a failure at step %q with %q\n%s", err, tt.wantStep, tt.wantGot, out.String())
			}
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, fmt.Sprintf("FAIL  %-18s", tt.wantStep)) || !strings.Contains(last, "want ") {
				t.Errorf("last line %q, want FAIL, the step, what was wanted and what came", last)
			}
		})
	}
}

func TestRunUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	srv.Close()
	var out bytes.Buffer
	err := Run(t.Context(), Config{URL: url, Token: "x", User: "taro", Out: &out, StepTimeout: time.Second})
	var se *StepError
	if !errors.As(err, &se) || se.Step != "connect" || se.Err == nil {
		t.Fatalf("Run = %v, want a failure to connect", err)
	}
}
