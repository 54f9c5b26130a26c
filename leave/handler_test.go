package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
)

type recorder struct{ frames []string }

func (r *recorder) Post(_ context.Context, _ string, data []byte) error {
	r.frames = append(r.frames, string(data))
	return nil
}

type fakeRooms struct {
	in  map[string]bool
	err error
}

func (f *fakeRooms) Leave(_ context.Context, room, _ string) (bool, error) {
	was := f.in[room]
	delete(f.in, room)
	return was, f.err
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		frame  string
		after  bool // still in lobby
	}{
		{"leaves", `{"action":"leave","room":"lobby"}`, 200, `{"action":"leave","room":"lobby"}`, false},
		{"a room it is not in", `{"action":"leave","room":"ops"}`, 400, `{"error":"not_a_member","message":"you are not in room ops"}`, true},
		{"no room", `{"action":"leave"}`, 400, `{"error":"missing_field","message":"room is required"}`, true},
		{"room not a string", `{"action":"leave","room":1}`, 400, `{"error":"invalid_field","message":"room must be a string"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			rooms := &fakeRooms{in: map[string]bool{"lobby": true}}
			h := Handler{Connections: func(string, string) connections.Poster { return r }, Rooms: rooms}
			resp, err := h.Handle(context.Background(), events.APIGatewayWebsocketProxyRequest{
				Body:           tt.body,
				RequestContext: events.APIGatewayWebsocketProxyRequestContext{RouteKey: "leave", ConnectionID: "c1="},
			})
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("Handle = %d, %v; want %d", resp.StatusCode, err, tt.status)
			}
			if len(r.frames) != 1 || r.frames[0] != tt.frame {
				t.Errorf("frames = %q, want %q", r.frames, tt.frame)
			}
			if rooms.in["lobby"] != tt.after {
				t.Errorf("in lobby: %v, want %v", rooms.in["lobby"], tt.after)
			}
		})
	}
	boom := errors.New("throttled")
	h := Handler{Connections: func(string, string) connections.Poster { return &recorder{} }, Rooms: &fakeRooms{err: boom}}
	if resp, err := h.Handle(context.Background(), events.APIGatewayWebsocketProxyRequest{Body: `{"action":"leave","room":"lobby"}`}); !errors.Is(err, boom) || resp.StatusCode != 500 {
		t.Errorf("a failing store: %d %v", resp.StatusCode, err)
	}
	// Out of the room but a count not taken down: the client is told it
	// left, as a retry could only answer not_a_member.
	r := &recorder{}
	h = Handler{Connections: func(string, string) connections.Poster { return r }, Rooms: &fakeRooms{in: map[string]bool{"lobby": true}, err: boom}}
	if resp, err := h.Handle(context.Background(), events.APIGatewayWebsocketProxyRequest{Body: `{"action":"leave","room":"lobby"}`}); err != nil || resp.StatusCode != 200 ||
		len(r.frames) != 1 || r.frames[0] != `{"action":"leave","room":"lobby"}` {
		t.Errorf("left with a count not taken down: %d %v %q; want 200 and the answer", resp.StatusCode, err, r.frames)
	}
}
