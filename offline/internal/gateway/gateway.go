// Package gateway is the local stand-in for an API Gateway WebSocket API: the
// wss endpoint with its $connect handshake, route selection and $disconnect,
// the quotas it enforces, and the @connections management API on the same
// port. Functions are reached through an Invoker, as API Gateway reaches
// Lambda; what the gateway does is laid out file by file after the API
// Gateway developer guide: endpoint.go (connections and messages),
// connstate.go (a connection's life: open, closing, closed), limits.go (the
// quotas), throttle.go (the stage's throttling), routes.go (route
// selection), events.go (the Lambda proxy events), frames.go (the frame
// rules), outbox.go (frames waiting for a client), management.go
// (@connections), sigv4.go (request signing), domain.go (the names it
// answers for), listen.go (the port) and cloudformation.go (the API, its
// routes and its stage's throttling, as a template declares them).
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Route is one route key's integration.
type Route struct {
	Function string
	// RouteResponse sends the function's returned body back to the client as a
	// frame (routeResponseSelectionExpression: $default); otherwise the route
	// is one-way.
	RouteResponse bool
	// Authorizer runs before the function; $connect only.
	Authorizer *Authorizer
	// Throttle is the route's token bucket; nil throttles nothing.
	Throttle *Throttle
}

// Invoker runs a function with an event and returns its response payload. An
// error means the integration failed: the function reported an error, timed
// out or crashed. ConnectionOf(ctx) names the connection it is invoked for.
type Invoker interface {
	InvokeFor(ctx context.Context, function string, route string, payload []byte) ([]byte, error)
}

type connectionKey struct{}

// WithConnection returns a context whose invocations are for connection id.
func WithConnection(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, connectionKey{}, id)
}

// ConnectionOf is the id of the connection an invocation's ctx is for: the
// client whose message, handshake or disconnect it handles.
func ConnectionOf(ctx context.Context) string {
	id, _ := ctx.Value(connectionKey{}).(string)
	return id
}

// Config is what a gateway serves.
type Config struct {
	APIID, AccountID, Region string
	Stage                    string
	// DomainName is the gateway's own name, host:port as its banner shows
	// it: every event's requestContext.domainName, from which the functions
	// build their @connections endpoint, whatever Host a client sent.
	DomainName string
	// Aliases are other names clients reach the gateway by (a LAN or
	// container host name), "host" on any port or "host:port". The gateway
	// answers for DomainName, the loopback forms of its port and these, and
	// refuses any other Host with 403, as API Gateway refuses an unknown
	// domain.
	Aliases                  []string
	RouteSelectionExpression string
	Routes                   map[string]Route
	// Unthrottled serves the routes without their token buckets, for load
	// tests that go past the stage's limits on purpose.
	Unthrottled bool
	Invoker     Invoker
	// Credentials the local Lambda runtime gives every function: signatures
	// made with this key are checked exactly; any other key's are taken
	// when well formed, as there is no IAM offline.
	AccessKeyID, SecretAccessKey, SessionToken string
	IdleTimeout, MaxDuration                   time.Duration
	// RequestTimeout bounds reading a @connections body; 30 s when zero.
	// The Port it is served on bounds the headers and idle keep-alive
	// connections.
	RequestTimeout time.Duration
	// WriteTimeout bounds a frame write to a client that stopped reading:
	// past it the connection ends, its $disconnect saying why; 10 s when
	// zero.
	WriteTimeout time.Duration
	// ManagementDelay is added to every @connections call, standing in for the
	// network between Lambda and API Gateway.
	ManagementDelay time.Duration
	// Log receives one line per connection, message and @connections call;
	// nil logs nothing.
	Log *log.Logger
}

// Gateway serves WebSocket clients and the @connections API over HTTP.
type Gateway struct {
	cfg      Config
	api      api
	routes   atomic.Pointer[routeTable] // swapped whole by SetRoutes
	verifier *verifier
	domains  domains

	mu       sync.RWMutex
	conns    map[string]*conn
	closing  bool
	inflight sync.WaitGroup // invocations and $disconnects under way
}

// New checks cfg and returns a gateway for it.
func New(cfg Config) (*Gateway, error) {
	if cfg.Invoker == nil {
		return nil, errors.New("gateway: no Invoker")
	}
	if cfg.Stage == "" {
		return nil, errors.New("gateway: no stage")
	}
	domains, err := newDomains(cfg.DomainName, cfg.Aliases)
	if err != nil {
		return nil, err
	}
	routes, err := newRouteTable(cfg.RouteSelectionExpression, cfg.Routes, !cfg.Unthrottled)
	if err != nil {
		return nil, err
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = defaultIdleTimeout
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = defaultMaxDuration
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	g := &Gateway{
		cfg:      cfg,
		api:      api{id: cfg.APIID, stage: cfg.Stage, domainName: cfg.DomainName},
		domains:  domains,
		verifier: &verifier{accessKeyID: cfg.AccessKeyID, secret: cfg.SecretAccessKey, token: cfg.SessionToken, region: cfg.Region, signer: v4.NewSigner()},
		conns:    make(map[string]*conn),
	}
	g.routes.Store(routes)
	return g, nil
}

// ServeHTTP refuses a request for a name the gateway does not serve, then
// routes it to the WebSocket endpoint (/ or /{stage}) or the @connections
// API (/{stage}/@connections/{connectionId}).
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.refuseForeignHost(w, r) {
		return
	}
	if len(r.RequestURI) > maxURLChars {
		http.Error(w, fmt.Sprintf("the URL is over API Gateway's limit of %d characters", maxURLChars), http.StatusRequestURITooLong)
		return
	}
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	switch {
	case len(segs) == 3 && (segs[1] == "@connections" || segs[1] == "%40connections"):
		g.serveManagement(w, r, segs[0], segs[2])
	case r.URL.Path == "/" || r.URL.Path == "/"+g.cfg.Stage || r.URL.Path == "/"+g.cfg.Stage+"/":
		g.serveWebSocket(w, r)
	default:
		http.Error(w, fmt.Sprintf("nothing here: connect to ws://%s/ or ws://%s/%s", r.Host, r.Host, g.cfg.Stage), http.StatusNotFound)
	}
}

// Connections returns how many clients are connected.
func (g *Gateway) Connections() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.conns)
}

// Shutdown closes every connection with 1001 (going away), runs their
// $disconnect and waits for the invocations under way, or for ctx: once
// ctx ends, the invocations still running are cancelled.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closing = true
	conns := slices.Collect(maps.Values(g.conns))
	g.mu.Unlock()

	for _, c := range conns {
		go c.close(1001, "Going away")
	}
	done := make(chan struct{})
	go func() {
		g.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range conns {
			c.cancel()
		}
		return fmt.Errorf("gateway shutdown: %w", ctx.Err())
	}
}

// lookup finds a connection that is open: one the gateway has begun to
// close is gone.
func (g *Gateway) lookup(id string) (*conn, bool) {
	g.mu.RLock()
	c, ok := g.conns[id]
	g.mu.RUnlock()
	if !ok || c.state.Post() != nil {
		return nil, false
	}
	return c, true
}

func (g *Gateway) logf(format string, args ...any) {
	if g.cfg.Log != nil {
		g.cfg.Log.Printf(format, args...)
	}
}
