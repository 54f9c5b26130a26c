package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/connections"
	"wsapi/shared/membership"
)

type recorder struct{ frames []string }

func (r *recorder) Post(_ context.Context, _ string, data []byte) error {
	r.frames = append(r.frames, string(data))
	return nil
}

// fakeRooms holds the rooms of one connection, at most limit of them.
type fakeRooms struct {
	in      map[string]bool
	limit   int
	others  int // members of every room besides the caller
	joined  []membership.Member
	failing error
}

func (f *fakeRooms) Join(_ context.Context, m membership.Member) (int, error) {
	if f.failing != nil {
		return 0, f.failing
	}
	if !f.in[m.Room] {
		if len(f.in) >= f.limit {
			return 0, fmt.Errorf("join: %w", membership.ErrTooManyRooms)
		}
		f.in[m.Room] = true
		f.joined = append(f.joined, m)
	}
	return f.others + 1, nil
}

func request(body string, authorizer any) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Body: body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: "join", EventType: "MESSAGE", ConnectionID: "taroPhone00000=", ConnectedAt: 1764756000000,
			DomainName: "abc.execute-api.ap-northeast-1.amazonaws.com", Stage: "prod", Authorizer: authorizer,
		},
	}
}

func TestHandle(t *testing.T) {
	taro := map[string]any{"principalId": "taro", "userName": "taro"}
	onlyLobby := map[string]any{"principalId": "taro", "userName": "taro", "rooms": `["lobby"]`}
	onlyCafe := map[string]any{"principalId": "taro", "userName": "taro", "rooms": `["caf\u00e9"]`}
	tests := []struct {
		name       string
		body       string
		authorizer any
		already    []string
		limit      int
		status     int
		frame      string
	}{
		{"joins", `{"action":"join","room":"lobby"}`, taro, nil, 50, 200, `{"action":"join","room":"lobby","members":3}`},
		{"joining again answers the same", `{"action":"join","room":"lobby"}`, taro, []string{"lobby"}, 50, 200, `{"action":"join","room":"lobby","members":3}`},
		{"a rooms claim allows its rooms", `{"action":"join","room":"lobby"}`, onlyLobby, nil, 50, 200, `{"action":"join","room":"lobby","members":3}`},
		{"a rooms claim refuses the others", `{"action":"join","room":"ops"}`, onlyLobby, nil, 50, 400, `{"error":"forbidden_room","message":"your token does not allow room ops"}`},
		{"an unreadable claim refuses all", `{"action":"join","room":"lobby"}`, map[string]any{"principalId": "taro", "rooms": "lobby"}, nil, 50, 400, `{"error":"forbidden_room","message":"your token does not allow room lobby"}`},
		{"the room limit", `{"action":"join","room":"lobby"}`, taro, []string{"a", "b"}, 2, 400, `{"error":"too_many_rooms","message":"a connection may be in at most 50 rooms: leave one first"}`},
		{"no identity", `{"action":"join","room":"lobby"}`, nil, nil, 50, 400, `{"error":"unauthenticated","message":"this connection has no verified identity: connect with ?token=…"}`},
		{"not JSON", `lobby`, taro, nil, 50, 400, `{"error":"invalid_json","message":"the message must be a JSON object, e.g. {\"action\":\"join\",\"room\":\"lobby\"}"}`},
		{"no room", `{"action":"join"}`, taro, nil, 50, 400, `{"error":"missing_field","message":"room is required"}`},
		{"a room name with a control character", `{"action":"join","room":"lob\nby"}`, taro, nil, 50, 400, `{"error":"invalid_field","message":"room must not contain control characters"}`},
		// Names that look like another room's.
		{"a zero-width space", `{"action":"join","room":"lobby\u200b"}`, taro, nil, 50, 400, `{"error":"invalid_field","message":"room must not contain format characters (zero-width or bidirectional controls)"}`},
		{"a right-to-left override", `{"action":"join","room":"\u202eybbol"}`, taro, nil, 50, 400, `{"error":"invalid_field","message":"room must not contain format characters (zero-width or bidirectional controls)"}`},
		{"a leading space", `{"action":"join","room":" lobby"}`, taro, nil, 50, 400, `{"error":"invalid_field","message":"room must not begin or end with a space"}`},
		{"a look-alike of the one room a token allows", `{"action":"join","room":"lobby\u200b"}`, onlyLobby, nil, 50, 400, `{"error":"invalid_field","message":"room must not contain format characters (zero-width or bidirectional controls)"}`},
		{"the room given twice", `{"action":"join","room":"lobby","room":"other"}`, taro, nil, 50, 400, `{"error":"invalid_field","message":"room must be given once"}`},
		{"a decomposed name is the composed room", `{"action":"join","room":"cafe\u0301"}`, taro, []string{"caf\u00e9"}, 50, 200, `{"action":"join","room":"caf` + "\u00e9" + `","members":3}`},
		{"a token's composed room allows it decomposed", `{"action":"join","room":"cafe\u0301"}`, onlyCafe, nil, 50, 200, `{"action":"join","room":"caf` + "\u00e9" + `","members":3}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			rooms := &fakeRooms{in: map[string]bool{}, limit: tt.limit, others: 2}
			for _, a := range tt.already {
				rooms.in[a] = true
			}
			h := Handler{Connections: func(string, string) connections.Poster { return r }, Rooms: rooms}
			resp, err := h.Handle(context.Background(), request(tt.body, tt.authorizer))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("Handle = %d, %v; want %d", resp.StatusCode, err, tt.status)
			}
			if len(r.frames) != 1 || r.frames[0] != tt.frame {
				t.Errorf("frames = %q, want %q", r.frames, tt.frame)
			}
			for _, m := range rooms.joined {
				if m.Principal != "taro" || m.ConnectionID != "taroPhone00000=" || m.ConnectedAt.UnixMilli() != 1764756000000 {
					t.Errorf("joined %+v, want taro's connection", m)
				}
			}
		})
	}
}

func TestStoreFails(t *testing.T) {
	boom := errors.New("throttled")
	h := Handler{Connections: func(string, string) connections.Poster { return &recorder{} }, Rooms: &fakeRooms{failing: boom}}
	resp, err := h.Handle(context.Background(), request(`{"action":"join","room":"lobby"}`, map[string]any{"principalId": "taro"}))
	if !errors.Is(err, boom) || resp.StatusCode != 500 {
		t.Errorf("got %d %v, want a failed invocation wrapping %v", resp.StatusCode, err, boom)
	}
}
