package cloudformation

import (
	"math"
	"strconv"
)

// Throttle is the token bucket API Gateway keeps for each route of a stage
// ("Per-API, per-stage throttling limits are applied at the API method
// level for a stage"; a WebSocket stage's DefaultRouteSettings are each
// route's, its RouteSettings one route's).
type Throttle struct {
	// RateLimit is the steady requests a second; BurstLimit how many the
	// bucket holds, the most that may arrive at once.
	RateLimit  float64
	BurstLimit int
}

// The account's limits per region (API Gateway quotas), which stand in for
// a limit a stage leaves unset. They also cap every API of the account
// together, which is not emulated.
const (
	accountRateLimit  = 10000
	accountBurstLimit = 5000
)

// throttling reads the stage's DefaultRouteSettings into the service's
// Throttle and gives each route its own: its RouteSettings' limits over the
// stage's, and the account's for a limit neither sets. A route neither
// names is not throttled here.
func (rd *reading) throttling(stageID string, stage resource) {
	if stageID == "" {
		return
	}
	rd.s.Throttle = rd.throttle(stageID, "DefaultRouteSettings", stage.Properties["DefaultRouteSettings"], nil)
	byRoute, _ := stage.Properties["RouteSettings"].(map[string]any)
	for _, key := range sortedKeys(rd.s.Routes) {
		route := rd.s.Routes[key]
		route.Throttle = rd.throttle(stageID, "RouteSettings."+key, byRoute[key], rd.s.Throttle)
		rd.s.Routes[key] = route
	}
}

// throttle reads the limits of one RouteSettings object over base (nil: the
// account's); nil when neither sets a limit.
func (rd *reading) throttle(stageID, where string, settings any, base *Throttle) *Throttle {
	m, _ := settings.(map[string]any)
	rate, hasRate := rd.limit(stageID, where+".ThrottlingRateLimit", m["ThrottlingRateLimit"])
	burst, hasBurst := rd.limit(stageID, where+".ThrottlingBurstLimit", m["ThrottlingBurstLimit"])
	if !hasRate && !hasBurst {
		return base
	}
	t := Throttle{RateLimit: accountRateLimit, BurstLimit: accountBurstLimit}
	if base != nil {
		t = *base
	}
	if hasRate {
		t.RateLimit = rate
	}
	if hasBurst {
		t.BurstLimit = int(burst)
	}
	return &t
}

// limit reads a limit, a number written as one or as a string; a value
// that is not a number at least 0 is warned about and left unset.
func (rd *reading) limit(stageID, where string, v any) (float64, bool) {
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
		rd.warnf(stageID, "%s is %v, not a number at least 0: not throttled by it", where, v)
		return 0, false
	}
	return n, true
}
