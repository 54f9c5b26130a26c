package gateway

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// authorizing adds to functions an authorizer, auth, that lets everyone in
// as taro.
type authorizing struct{ *functions }

func (a authorizing) InvokeFor(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	if function != "auth" {
		return a.functions.InvokeFor(ctx, function, route, payload)
	}
	var ev authorizerEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"principalId": "taro",
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ev.MethodArn},
		}},
		"context": map[string]any{"userName": "taro"},
	})
}

func TestSetRoutesKeepsConnectionsAndTheirIdentity(t *testing.T) {
	h := start(t, func(cfg *Config) {
		cfg.Invoker = authorizing{cfg.Invoker.(*functions)}
		cfg.Routes["$connect"] = Route{Function: "connect", Authorizer: &Authorizer{Function: "auth"}}
	})
	c := h.dial(t, "/local")
	id := connectionID(t, c)
	if got := roundTrip(t, c, `{"action":"echo"}`); got != `echo: {"action":"echo"}` {
		t.Fatalf("before SetRoutes: %s", got)
	}

	err := h.gw.SetRoutes("$request.body.action", map[string]Route{
		"$connect":    {Function: "connect", Authorizer: &Authorizer{Function: "auth"}},
		"$disconnect": {Function: "disconnect"},
		"shout":       {Function: "echo", RouteResponse: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, `{"action":"echo"}`); !strings.HasPrefix(got, `{"message": "Forbidden", "connectionId":"`+id+`"`) {
		t.Errorf("a removed route: %s, want the Forbidden of an unmatched message", got)
	}
	if got := roundTrip(t, c, `{"action":"shout"}`); got != `echo: {"action":"shout"}` {
		t.Errorf("an added route: %s", got)
	}
	h.fns.mu.Lock()
	evs := h.fns.events["echo"]
	h.fns.mu.Unlock()
	authz, _ := evs[len(evs)-1].RequestContext.Authorizer.(map[string]any)
	if authz["principalId"] != "taro" || authz["userName"] != "taro" {
		t.Errorf("authorizer after SetRoutes = %v, want principalId and userName taro", authz)
	}
	if got := connectionID(t, c); got != id {
		t.Errorf("connection id went from %s to %s", id, got)
	}
	select {
	case ev := <-h.fns.disconnects:
		t.Errorf("$disconnect ran for %s", ev.RequestContext.ConnectionID)
	default:
	}
}

func TestSetRoutesRefusesABadExpressionAndKeepsServing(t *testing.T) {
	h := start(t, nil)
	c := h.dial(t, "/local")
	if err := h.gw.SetRoutes("$request.header.x", map[string]Route{"shout": {Function: "echo"}}); err == nil {
		t.Fatal("SetRoutes took $request.header.x")
	}
	if got := roundTrip(t, c, `{"action":"echo"}`); got != `echo: {"action":"echo"}` {
		t.Errorf("after a refused SetRoutes: %s, want the old routes", got)
	}
}
