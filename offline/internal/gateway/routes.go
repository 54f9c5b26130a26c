package gateway

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// RouteSelector picks the route of an incoming message the way API Gateway
// evaluates a route selection expression such as $request.body.action: the
// value at that path of a JSON body, matched exactly against the route keys;
// $default when nothing matches or the body cannot be read.
type RouteSelector struct {
	path   []string
	routes map[string]bool
}

// NewRouteSelector returns a selector for expression over the given route keys.
// Only $request.body.* expressions exist for WebSocket APIs.
func NewRouteSelector(expression string, routeKeys []string) (*RouteSelector, error) {
	rest, ok := strings.CutPrefix(expression, "$request.body.")
	if !ok || rest == "" {
		return nil, fmt.Errorf("route selection expression %q: want $request.body.<field>, e.g. $request.body.action", expression)
	}
	path := strings.Split(rest, ".")
	for _, p := range path {
		if p == "" {
			return nil, fmt.Errorf("route selection expression %q: empty field name", expression)
		}
	}
	s := &RouteSelector{path: path, routes: make(map[string]bool)}
	for _, k := range routeKeys {
		s.routes[k] = true
	}
	return s, nil
}

// Select returns the route key for body, or "" when no route takes it
// (no match and no $default).
func (s *RouteSelector) Select(body []byte) string {
	if key, ok := s.evaluate(body); ok && s.routes[key] && !strings.HasPrefix(key, "$") {
		return key
	}
	if s.routes["$default"] {
		return "$default"
	}
	return ""
}

// evaluate reads the expression's value from body; a string is taken as it
// is, a number or boolean as its JSON text. Only the objects on the path are
// decoded, not the whole body.
func (s *RouteSelector) evaluate(body []byte) (string, bool) {
	raw := json.RawMessage(body)
	for _, p := range s.path {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", false
		}
		var ok bool
		if raw, ok = obj[p]; !ok {
			return "", false
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
