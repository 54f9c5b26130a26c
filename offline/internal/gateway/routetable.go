package gateway

import "maps"

// routeTable is the routes in service and the selector over their keys. It
// is replaced whole, so that a message is routed by one table or the other,
// never by a mix.
type routeTable struct {
	routes   map[string]Route
	selector *RouteSelector
}

func newRouteTable(expression string, routes map[string]Route) (*routeTable, error) {
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sel, err := NewRouteSelector(expression, keys)
	if err != nil {
		return nil, err
	}
	return &routeTable{routes: maps.Clone(routes), selector: sel}, nil
}

// SetRoutes puts new routes in service, as a redeployment of the API does:
// messages from now on are routed by them, while open connections stay open
// with the identity their $connect authorizer gave them. A message for a
// route that is gone is answered as any message no route takes.
func (g *Gateway) SetRoutes(routeSelectionExpression string, routes map[string]Route) error {
	t, err := newRouteTable(routeSelectionExpression, routes)
	if err != nil {
		return err
	}
	g.routes.Store(t)
	return nil
}
