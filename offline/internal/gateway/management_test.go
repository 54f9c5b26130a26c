package gateway

import (
	"context"
	"errors"
	"testing"

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
