package gateway

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Throttle is a route's limits, as the stage's DefaultRouteSettings or
// RouteSettings set them: RateLimit requests a second steady, BurstLimit
// the most the bucket holds, how many may arrive at once.
type Throttle struct {
	RateLimit  float64
	BurstLimit int
}

// tokenBucket throttles one route as API Gateway does ("Protect your
// WebSocket APIs"): a request takes a token; tokens come back at the rate,
// up to the burst; a request that finds none is throttled and reaches no
// function. The bucket starts full.
type tokenBucket struct {
	rate, burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newTokenBucket(t Throttle, now time.Time) *tokenBucket {
	return &tokenBucket{rate: t.RateLimit, burst: float64(t.BurstLimit), tokens: float64(t.BurstLimit), last: now}
}

// take spends a token on a request arriving at now; false when there is
// none, and the request is throttled.
func (b *tokenBucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// tooManyRequestsFrame is what a throttled message gets back, the
// connection staying open. AWS documents only that "clients may receive
// 429 Too Many Requests"; the frame takes the form of API Gateway's other
// WebSocket error frames ("Forbidden", "Internal server error") with the
// message of its 429 gateway response.
func tooManyRequestsFrame(connectionID, requestID string) []byte {
	return fmt.Appendf(nil, `{"message": "Too Many Requests", "connectionId":"%s", "requestId":"%s"}`, connectionID, requestID)
}

// refuseThrottledHandshake answers a handshake that $connect's bucket
// throttles with 429, before any authorizer or function runs, and reports
// whether it did.
func (g *Gateway) refuseThrottledHandshake(w http.ResponseWriter, now time.Time) bool {
	if g.routes.Load().allow("$connect", now) {
		return false
	}
	g.logf("CONNECT     throttled: 429 Too Many Requests")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprint(w, `{"message":"Too Many Requests"}`)
	return true
}
