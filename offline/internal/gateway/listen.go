package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// retryAfterSeconds is what a client that comes while the gateway starts
// is told to wait, in the 503's Retry-After: a start with nothing to build
// takes a few seconds, and a client that retries that often costs nothing.
const retryAfterSeconds = 2

// Port is the gateway's port, served from the moment it listens. Until
// Open hands it a gateway, every request is answered 503 Service
// Unavailable with Retry-After and what the start is doing: a client that
// comes early gets an answer it can act on, where it would otherwise wait
// unanswered in the listen queue for as long as a first build takes.
type Port struct {
	ln     net.Listener
	srv    *http.Server
	served chan error
	open   atomic.Pointer[Gateway]
	// starting is the 503's reason.
	starting atomic.Pointer[string]
}

// Listen listens on host:port and serves the port at once (see Port). A
// port another program holds is the usual failure, most often a gateway
// already running, so its error says how to pick another.
func Listen(host string, port int) (*Port, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen: %w: another program (a gateway already running?) has port %d: "+
			"pick another with PORT=4000 make offline, or make offline ARGS=\"--port 0\" for any free one", err, port)
	}
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return servePort(ln, defaultRequestTimeout), nil
}

// servePort serves ln (see Port) with the timeouts a public endpoint needs: a
// client that trickles its headers or keeps an idle keep-alive connection
// open is cut off after requestTimeout. (A @connections body gets the same
// bound from the gateway; a WebSocket, once open, only the idle timeout.)
func servePort(ln net.Listener, requestTimeout time.Duration) *Port {
	p := &Port{ln: ln, served: make(chan error, 1)}
	p.Starting("the gateway is starting")
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: requestTimeout, IdleTimeout: requestTimeout}
	go func() { p.served <- p.srv.Serve(ln) }()
	return p
}

// Addr is the address the port listens on.
func (p *Port) Addr() net.Addr { return p.ln.Addr() }

// Starting sets what a 503 says the start is doing.
func (p *Port) Starting(reason string) { p.starting.Store(&reason) }

// Open serves g from now on.
func (p *Port) Open(g *Gateway) { p.open.Store(g) }

// Served reports the server's end: an error accepting connections, or
// http.ErrServerClosed after Close.
func (p *Port) Served() <-chan error { return p.served }

// Close stops accepting and closes every connection the HTTP server holds;
// the gateway's own WebSockets are its Shutdown's to close first.
func (p *Port) Close() error { return p.srv.Close() }

func (p *Port) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g := p.open.Load(); g != nil {
		g.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	w.Header().Set("Connection", "close")
	apiError(w, http.StatusServiceUnavailable, "ServiceUnavailableException",
		fmt.Sprintf("Service Unavailable: %s; retry in %d s", *p.starting.Load(), retryAfterSeconds))
}
