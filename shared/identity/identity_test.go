package identity

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestUser(t *testing.T) {
	tests := []struct {
		name, event, want string
	}{
		{"authorized", `{"requestContext":{"authorizer":{"principalId":"taro","userName":"taro","integrationLatency":12}}}`, "taro"},
		{"no authorizer", `{"requestContext":{}}`, ""},
		{"principal not a string", `{"requestContext":{"authorizer":{"principalId":7}}}`, ""},
		{"authorizer not an object", `{"requestContext":{"authorizer":"taro"}}`, ""},
	}
	for _, tt := range tests {
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal([]byte(tt.event), &ev); err != nil {
			t.Fatal(err)
		}
		if got := User(ev.RequestContext); got != tt.want {
			t.Errorf("%s: User = %q, want %q", tt.name, got, tt.want)
		}
	}
}
