package gateway

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"wsapi/offline/internal/cloudformation"
)

// ResourceTypes are the resource types the gateway reads.
var ResourceTypes = []string{
	"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::RouteResponse",
	"AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Authorizer",
}

// API is the WebSocket API of a template, as the gateway serves it: the
// first AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET, and its stage.
type API struct {
	ID, Name                 string
	RouteSelectionExpression string
	Stage                    string
	// Throttle is the stage's DefaultRouteSettings throttling, each route's
	// unless its RouteSettings say otherwise; nil when it sets none. It is
	// read with the routes.
	Throttle *Throttle
	stageID  string
	// routeResponses are the routes with a RouteResponse, by RouteId.
	routeResponses map[string]bool
}

// ReadAPI finds the template's WebSocket API and its stage, warning about
// any other API; stage is the one served when the template declares none.
func ReadAPI(t *cloudformation.Template, stage string) (*API, error) {
	var apis []string
	for _, id := range t.OfType("AWS::ApiGatewayV2::Api") {
		if p := t.Properties(id); cloudformation.String(p["ProtocolType"]) == "WEBSOCKET" {
			apis = append(apis, id)
		} else {
			t.Warnf(id, "a %s API is not emulated: only WebSocket APIs are served", cloudformation.String(p["ProtocolType"]))
		}
	}
	if len(apis) == 0 {
		return nil, errors.New("the template has no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET: nothing to serve")
	}
	for _, id := range apis[1:] {
		t.Warnf(id, "a second WebSocket API: the gateway serves one, %s", apis[0])
	}
	p := t.Properties(apis[0])
	api := &API{ID: t.PhysicalID(apis[0]), Name: cloudformation.String(p["Name"]),
		RouteSelectionExpression: cloudformation.String(p["RouteSelectionExpression"]), Stage: stage,
		routeResponses: map[string]bool{}}
	for _, id := range t.IDs() {
		switch t.Type(id) {
		case "AWS::ApiGatewayV2::Stage":
			if api.ours(t, id) {
				api.Stage = cloudformation.String(t.Properties(id)["StageName"])
				api.stageID = id
			}
		case "AWS::ApiGatewayV2::RouteResponse":
			if api.ours(t, id) {
				api.routeResponses[cloudformation.String(t.Properties(id)["RouteId"])] = true
			}
		}
	}
	return api, nil
}

// ReadRoutes reads the API's routes, each with its integration's function,
// its authorizer and its throttling, making their functions served; a
// route the gateway cannot serve as AWS would is warned about and left out.
func (api *API) ReadRoutes(t *cloudformation.Template) map[string]Route {
	routes := map[string]Route{}
	for _, id := range t.OfType("AWS::ApiGatewayV2::Route") {
		if api.ours(t, id) {
			api.route(t, routes, id, api.routeResponses[t.PhysicalID(id)])
		}
	}
	api.throttling(t, routes)
	return routes
}

// ours reports whether a route, integration or stage belongs to the API
// served.
func (api *API) ours(t *cloudformation.Template, id string) bool {
	return cloudformation.String(t.Properties(id)["ApiId"]) == api.ID
}

// byRef finds the resource of a type whose Ref is ref.
func byRef(t *cloudformation.Template, typ, ref string) (string, map[string]any, bool) {
	for _, id := range t.OfType(typ) {
		if t.PhysicalID(id) == ref {
			return id, t.Properties(id), true
		}
	}
	return "", nil, false
}

func (api *API) route(t *cloudformation.Template, routes map[string]Route, id string, hasRouteResponse bool) {
	str := cloudformation.String
	p := t.Properties(id)
	key := str(p["RouteKey"])
	notServed := func(format string, args ...any) {
		t.Warnf(id, "route %s: %s: not served", key, fmt.Sprintf(format, args...))
	}
	switch auth := str(p["AuthorizationType"]); auth {
	case "", "NONE", "CUSTOM":
	case "AWS_IAM":
		notServed("AuthorizationType AWS_IAM asks for SigV4-signed handshakes, and the gateway has no IAM to check them against")
		return
	default:
		notServed("AuthorizationType %s is not one a WebSocket API takes", auth)
		return
	}
	target, ok := strings.CutPrefix(str(p["Target"]), "integrations/")
	if !ok {
		notServed("no Target integrations/{IntegrationId}")
		return
	}
	intID, integration, ok := byRef(t, "AWS::ApiGatewayV2::Integration", target)
	if !ok {
		notServed("its Target %s is no integration of this template", target)
		return
	}
	if typ := str(integration["IntegrationType"]); typ != "AWS_PROXY" {
		notServed("integration %s is %s %s, and the gateway emulates only AWS_PROXY to a function of the template",
			intID, typ, str(integration["IntegrationUri"]))
		return
	}
	fn, ok := function(t, integration["IntegrationUri"])
	if !ok {
		notServed("integration %s calls %s, which is not a function of this template", intID, str(integration["IntegrationUri"]))
		return
	}
	var route Route
	// Both the function and the authorizer's are looked at, so that every
	// function with no bootstrap is named.
	route.Function, _ = t.ServeFunction(fn)
	if str(p["AuthorizationType"]) == "CUSTOM" {
		authID, a, ok := byRef(t, "AWS::ApiGatewayV2::Authorizer", str(p["AuthorizerId"]))
		if !ok {
			notServed("its AuthorizerId %s is no authorizer of this template", str(p["AuthorizerId"]))
			return
		}
		if typ := str(a["AuthorizerType"]); typ != "REQUEST" {
			notServed("authorizer %s is %s, and a WebSocket API takes REQUEST authorizers", authID, typ)
			return
		}
		fn, ok := function(t, a["AuthorizerUri"])
		if !ok {
			notServed("authorizer %s calls %s, which is not a function of this template", authID, str(a["AuthorizerUri"]))
			return
		}
		authFn, ok := t.ServeFunction(fn)
		if !ok {
			return
		}
		route.Authorizer = &Authorizer{Function: authFn, IdentitySource: cloudformation.Strings(a["IdentitySource"])}
	}
	if route.Function == "" {
		return
	}
	expr := str(p["RouteResponseSelectionExpression"])
	switch {
	case expr != "" && hasRouteResponse:
		route.RouteResponse = true
	case expr != "":
		t.Warnf(id, "route %s has a RouteResponseSelectionExpression but no AWS::ApiGatewayV2::RouteResponse: the function's body is not sent back", key)
	case hasRouteResponse:
		t.Warnf(id, "route %s has a RouteResponse but no RouteResponseSelectionExpression: the function's body is not sent back", key)
	}
	routes[key] = route
}

// function finds the function an integration or authorizer URI invokes:
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations.
func function(t *cloudformation.Template, uri any) (string, bool) {
	arn := cloudformation.String(uri)
	if _, rest, ok := strings.Cut(arn, ":lambda:path/2015-03-31/functions/"); ok {
		arn = strings.TrimSuffix(rest, "/invocations")
	}
	return t.FunctionByARN(arn)
}

// The account's limits per region (API Gateway quotas), which stand in for
// a limit a stage leaves unset. They also cap every API of the account
// together, which is not emulated.
const (
	accountRateLimit  = 10000
	accountBurstLimit = 5000
)

// throttling reads the stage's DefaultRouteSettings into the API's
// Throttle and gives each route its own: its RouteSettings' limits over the
// stage's, and the account's for a limit neither sets. A route neither
// names is not throttled here.
func (api *API) throttling(t *cloudformation.Template, routes map[string]Route) {
	if api.stageID == "" {
		return
	}
	stage := t.Properties(api.stageID)
	api.Throttle = readThrottle(t, api.stageID, "DefaultRouteSettings", stage["DefaultRouteSettings"], nil)
	byRoute, _ := stage["RouteSettings"].(map[string]any)
	for _, key := range slices.Sorted(maps.Keys(routes)) {
		route := routes[key]
		route.Throttle = readThrottle(t, api.stageID, "RouteSettings."+key, byRoute[key], api.Throttle)
		routes[key] = route
	}
}

// readThrottle reads the limits of one RouteSettings object over base (nil:
// the account's); nil when neither sets a limit.
func readThrottle(t *cloudformation.Template, stageID, where string, settings any, base *Throttle) *Throttle {
	m, _ := settings.(map[string]any)
	rate, hasRate := limit(t, stageID, where+".ThrottlingRateLimit", m["ThrottlingRateLimit"])
	burst, hasBurst := limit(t, stageID, where+".ThrottlingBurstLimit", m["ThrottlingBurstLimit"])
	if !hasRate && !hasBurst {
		return base
	}
	th := Throttle{RateLimit: accountRateLimit, BurstLimit: accountBurstLimit}
	if base != nil {
		th = *base
	}
	if hasRate {
		th.RateLimit = rate
	}
	if hasBurst {
		th.BurstLimit = int(burst)
	}
	return &th
}

// limit reads a limit, a number written as one or as a string; a value
// that is not a number at least 0 is warned about and left unset.
func limit(t *cloudformation.Template, stageID, where string, v any) (float64, bool) {
	var n float64
	switch x := v.(type) {
	case nil:
		return 0, false
	case float64:
		n = x
	case string:
		var err error
		if n, err = strconv.ParseFloat(x, 64); err != nil {
			n = -1
		}
	default:
		n = -1
	}
	if n < 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		t.Warnf(stageID, "%s is %v, not a number at least 0: not throttled by it", where, v)
		return 0, false
	}
	return n, true
}
