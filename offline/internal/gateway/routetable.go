package gateway

import (
	"maps"
	"time"
)

// routeTable is the routes in service, the selector over their keys and
// their token buckets. It is replaced whole, so that a message is routed by
// one table or the other, never by a mix; a new table's buckets start full,
// as those of a new deployment.
type routeTable struct {
	routes   map[string]Route
	selector *RouteSelector
	buckets  map[string]*tokenBucket // by route key, for routes with a Throttle
}

// newRouteTable makes the table of routes, each with its token bucket when
// throttled is set.
func newRouteTable(expression string, routes map[string]Route, throttled bool) (*routeTable, error) {
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sel, err := NewRouteSelector(expression, keys)
	if err != nil {
		return nil, err
	}
	buckets := map[string]*tokenBucket{}
	now := time.Now()
	for k, r := range routes {
		if r.Throttle != nil && throttled {
			buckets[k] = newTokenBucket(*r.Throttle, now)
		}
	}
	return &routeTable{routes: maps.Clone(routes), selector: sel, buckets: buckets}, nil
}

// allow takes a token from route's bucket for a request arriving at now:
// false when it is throttled. A route without a bucket is never throttled.
func (t *routeTable) allow(route string, now time.Time) bool {
	b, ok := t.buckets[route]
	return !ok || b.take(now)
}

// SetRoutes puts new routes in service, as a redeployment of the API does:
// messages from now on are routed by them, while open connections stay open
// with the identity their $connect authorizer gave them. A message for a
// route that is gone is answered as any message no route takes.
func (g *Gateway) SetRoutes(routeSelectionExpression string, routes map[string]Route) error {
	t, err := newRouteTable(routeSelectionExpression, routes, !g.cfg.Unthrottled)
	if err != nil {
		return err
	}
	g.routes.Store(t)
	return nil
}
