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

func TestRegistryFails(t *testing.T) {
	boom := errors.New("throttled")
	resp, err := Handler{Registry: &fakeRegistry{err: boom}}.Handle(context.Background(), events.APIGatewayWebsocketProxyRequest{})
	if !errors.Is(err, boom) || resp.StatusCode != 500 {
		t.Errorf("got %d %v, want a failed invocation wrapping %v", resp.StatusCode, err, boom)
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
			resp, err := Handler{Registry: reg}.Handle(ctx, events.APIGatewayWebsocketProxyRequest{
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
		})
	}
}
