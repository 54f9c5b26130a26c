package slsconfig

import (
	"strings"
)

// routes reads the websocket events in file order; other events are for
// other AWS services and the gateway does not serve them.
func (l *loader) routes(c *Config, all []websocketEvents) ([]Route, error) {
	var routes []Route
	lines := map[string]int{}
	for _, fe := range all {
		if fe.events == nil {
			continue
		}
		for i := range fe.events.items {
			event, p, err := l.entry(fe.events, fe.path, i)
			if err != nil {
				return nil, err
			}
			if event == nil || event.kind != mapKind {
				continue
			}
			ws, wp, err := l.child(event, p, "websocket")
			if err != nil {
				return nil, err
			}
			if ws == nil {
				if event.get("websocket") != nil {
					return nil, l.errorf(event, wp, "want a route")
				}
				continue
			}
			r, err := l.route(c, ws, wp, fe.function)
			if err != nil {
				return nil, err
			}
			if line, ok := lines[r.Key]; ok {
				return nil, l.errorf(ws, wp, "route %q is already declared on line %d", r.Key, line)
			}
			lines[r.Key] = ws.line
			routes = append(routes, r)
		}
	}
	return routes, nil
}

// route reads `websocket: $connect` or `websocket: {route: ..., ...}`.
func (l *loader) route(c *Config, ws *node, path, function string) (Route, error) {
	r := Route{Function: function}
	if ws.kind == scalarKind {
		key, ok := ws.value.(string)
		if !ok || key == "" {
			return r, l.errorf(ws, path, "want a route, got %s", describe(ws))
		}
		r.Key = key
		return r, nil
	}
	if ws.kind != mapKind {
		return r, l.errorf(ws, path, "want a route or a mapping with one, got %s", describe(ws))
	}
	l.warnUnknown(ws, path, "route", "routeResponseSelectionExpression", "authorizer")
	var err error
	if r.Key, err = l.required(ws, path, "route", "a route"); err != nil {
		return r, err
	}
	if r.RouteResponseSelectionExpression, err = l.str(ws, path, "routeResponseSelectionExpression"); err != nil {
		return r, err
	}
	if e := r.RouteResponseSelectionExpression; e != "" && e != "$default" {
		n, p, _ := l.child(ws, path, "routeResponseSelectionExpression")
		return r, l.errorf(n, p, "want $default, the only value WebSocket APIs take, got %q", e)
	}
	auth, ap, err := l.child(ws, path, "authorizer")
	if err != nil || auth == nil {
		return r, err
	}
	if r.Key != "$connect" {
		return r, l.errorf(auth, ap, "only the $connect route can have an authorizer, not %q", r.Key)
	}
	r.Authorizer, err = l.authorizer(c, auth, ap)
	return r, err
}

// authorizer reads `authorizer: key`, `authorizer: arn:...` or
// `authorizer: {name: key, arn: ..., identitySource: [...]}`.
func (l *loader) authorizer(c *Config, auth *node, path string) (*Authorizer, error) {
	a := &Authorizer{IdentitySource: []string{"route.request.header.Auth"}}
	name, arn := "", ""
	switch auth.kind {
	case scalarKind:
		s, ok := auth.value.(string)
		if !ok || s == "" {
			return nil, l.errorf(auth, path, "want a function key or an ARN, got %s", describe(auth))
		}
		if strings.Contains(s, ":") {
			arn = s
		} else {
			name = s
		}
	case mapKind:
		l.warnUnknown(auth, path, "name", "arn", "identitySource")
		var err error
		if name, err = l.str(auth, path, "name"); err != nil {
			return nil, err
		}
		if arnNode, p, err := l.child(auth, path, "arn"); err != nil {
			return nil, err
		} else if arnNode != nil {
			// The framework lets an ARN be a CloudFormation expression
			// if a name goes with it.
			arn = name
			if s, ok := arnNode.value.(string); ok && arnNode.kind == scalarKind {
				arn = s
			}
			if arn == "" {
				return nil, l.errorf(arnNode, p, "an arn that is not text needs a name beside it")
			}
		}
		if ids, p, err := l.child(auth, path, "identitySource"); err != nil {
			return nil, err
		} else if ids != nil {
			if a.IdentitySource, err = l.texts(ids, p); err != nil {
				return nil, err
			}
		}
	default:
		return nil, l.errorf(auth, path, "want a function key, an ARN or a mapping, got %s", describe(auth))
	}
	if arn != "" {
		l.warnf(auth, path, "authorizer %s is not a function of this service and cannot run locally; the route runs without it", arn)
		return nil, nil
	}
	if name == "" {
		return nil, l.errorf(auth, path, "want a name (a function key) or an arn")
	}
	if c.Functions[name] == nil {
		return nil, l.errorf(auth, path, "authorizer %q names no function of this service", name)
	}
	a.Function = name
	return a, nil
}

func (l *loader) warnUnknown(n *node, path string, known ...string) {
	for i, k := range n.keys {
		if !contains(known, k) {
			l.warnf(n.items[i], join(path, k), "unknown key, ignored")
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
