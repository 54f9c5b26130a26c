package gateway

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// TestDeleteIsImmediate: once DELETE has answered 204 the connection is
// gone, for every call that follows.
func TestDeleteIsImmediate(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/")
	id := connectionID(t, c)
	api := client(h.srv.URL, testKey, testSecret)
	ctx := context.Background()
	if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: &id}); err != nil {
		t.Fatal(err)
	}
	var gone *types.GoneException
	if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: &id}); !errors.As(err, &gone) {
		t.Errorf("second DELETE: %v, want GoneException", err)
	}
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("x")}); !errors.As(err, &gone) {
		t.Errorf("POST after DELETE: %v, want GoneException", err)
	}
	if _, err := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: &id}); !errors.As(err, &gone) {
		t.Errorf("GET after DELETE: %v, want GoneException", err)
	}
	h.disconnected(t)
}

// TestClosingConnectionIsGone: once the gateway has sent its close frame,
// @connections answers 410 for the connection, although the client has not
// answered the close frame yet: a 200 would accept a frame that can no
// longer be sent.
func TestClosingConnectionIsGone(t *testing.T) {
	tests := []struct {
		name string
		tune func(*Config)
	}{
		{"idle timeout", func(c *Config) { c.IdleTimeout = 300 * time.Millisecond }},
		{"connection duration", func(c *Config) { c.MaxDuration = 300 * time.Millisecond }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.tune)
			c := h.rawDial(t, "/") // it never answers a close frame
			h.fns.mu.Lock()
			id := h.fns.events["connect"][0].RequestContext.ConnectionID
			h.fns.mu.Unlock()
			if code, _, ok := c.closeFrame(5 * time.Second); !ok || code != 1001 {
				t.Fatalf("close frame %v %d, want 1001", ok, code)
			}
			api := client(h.srv.URL, testKey, testSecret)
			var gone *types.GoneException
			if _, err := api.PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("x")}); !errors.As(err, &gone) {
				t.Errorf("POST to a connection being closed: %v, want GoneException", err)
			}
			if _, err := api.GetConnection(context.Background(), &apigatewaymanagementapi.GetConnectionInput{ConnectionId: &id}); !errors.As(err, &gone) {
				t.Errorf("GET of a connection being closed: %v, want GoneException", err)
			}
			c.nc.Close()
			h.disconnected(t)
		})
	}
}
