package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/logging"
)

type fakeRegistry struct {
	removed []string
	err     error
}

func (f *fakeRegistry) Remove(_ context.Context, id string) error {
	f.removed = append(f.removed, id)
	return f.err
}

type fakeRooms struct {
	forgot []string
	err    error
}

func (f *fakeRooms) Forget(_ context.Context, id string) error {
	f.forgot = append(f.forgot, id)
	return f.err
}

// A failing store fails the invocation, and the other store still forgets.
func TestStoreFails(t *testing.T) {
	boom := errors.New("throttled")
	tests := []struct {
		name  string
		reg   *fakeRegistry
		rooms *fakeRooms
	}{
		{"registry", &fakeRegistry{err: boom}, &fakeRooms{}},
		{"rooms", &fakeRegistry{}, &fakeRooms{err: boom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := events.APIGatewayWebsocketProxyRequest{RequestContext: events.APIGatewayWebsocketProxyRequestContext{ConnectionID: "c="}}
			resp, err := Handler{Registry: tt.reg, Rooms: tt.rooms}.Handle(context.Background(), req)
			if !errors.Is(err, boom) || resp.StatusCode != 500 {
				t.Errorf("got %d %v, want a failed invocation wrapping %v", resp.StatusCode, err, boom)
			}
			if len(tt.reg.removed) != 1 || len(tt.rooms.forgot) != 1 {
				t.Errorf("removed %v, forgot %v: want both stores to forget c=", tt.reg.removed, tt.rooms.forgot)
			}
		})
	}
}

func TestHandle(t *testing.T) {
	reason := "Client-side close frame status code"
	tests := []struct {
		name       string
		code       int64
		reason     *string
		wantReason string
	}{
		{"client closed", 1001, &reason, reason},
		{"no reason given", 1006, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			log, _ := logging.New(&out, "fn", "")
			ctx := logging.WithInvocation(context.Background(), log, logging.Invocation{Route: "$disconnect", ConnectionID: "XDmENcnwIE0CFEQ="})

			reg := &fakeRegistry{}
			rooms := &fakeRooms{}
			resp, err := Handler{Registry: reg, Rooms: rooms}.Handle(ctx, events.APIGatewayWebsocketProxyRequest{
				RequestContext: events.APIGatewayWebsocketProxyRequestContext{
					RouteKey: "$disconnect", EventType: "DISCONNECT", ConnectionID: "XDmENcnwIE0CFEQ=",
					DisconnectStatusCode: tt.code, DisconnectReason: tt.reason,
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || resp.Body != "Disconnected." {
				t.Errorf("response = %d %q, want 200 Disconnected.", resp.StatusCode, resp.Body)
			}
			var line map[string]any
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatalf("log line %q: %v", out.String(), err)
			}
			if line["disconnectStatusCode"] != float64(tt.code) || line["disconnectReason"] != tt.wantReason {
				t.Errorf("logged code %v reason %v, want %d %q", line["disconnectStatusCode"], line["disconnectReason"], tt.code, tt.wantReason)
			}
			if line["connectionId"] != "XDmENcnwIE0CFEQ=" {
				t.Errorf("logged connectionId %v", line["connectionId"])
			}
			if len(reg.removed) != 1 || reg.removed[0] != "XDmENcnwIE0CFEQ=" {
				t.Errorf("removed %v, want the closed connection", reg.removed)
			}
			if len(rooms.forgot) != 1 || rooms.forgot[0] != "XDmENcnwIE0CFEQ=" {
				t.Errorf("memberships forgotten for %v, want the closed connection", rooms.forgot)
			}
		})
	}
}
