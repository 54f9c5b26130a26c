package gateway

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// domains are the names the gateway answers for. API Gateway answers only
// for its own domain names, {apiId}.execute-api.{region}.amazonaws.com and
// the custom domains mapped to the API, and refuses any other Host with 403
// Forbidden; its events' requestContext.domainName is that name, never
// what a client wrote. The functions build their @connections endpoint from
// domainName, so a Host taken as it came would let any client point their
// signed posts at any address.
type domains struct {
	// own is the gateway's name, host:port: every event's domainName.
	own string
	// exact holds host:port names, anyPort bare host names served on any
	// port (a name behind a port mapping or a proxy); both in lower case.
	exact, anyPort map[string]bool
}

// newDomains serves own (host:port), the loopback forms of its port
// (localhost, 127.0.0.1 and [::1]: the functions and local clients reach
// the gateway by them) and each alias, "host" for any port or "host:port".
func newDomains(own string, aliases []string) (domains, error) {
	host, port, err := net.SplitHostPort(own)
	if err != nil || host == "" || !validPort(port) {
		return domains{}, fmt.Errorf("gateway: domain name %q: want host:port, such as localhost:3001", own)
	}
	d := domains{own: own, exact: map[string]bool{}, anyPort: map[string]bool{}}
	d.add(own)
	for _, loopback := range []string{"localhost", "127.0.0.1", "::1"} {
		d.add(net.JoinHostPort(loopback, port))
	}
	for _, alias := range aliases {
		if err := d.alias(alias); err != nil {
			return domains{}, err
		}
	}
	return d, nil
}

// alias adds a name given as "host" or "host:port".
func (d domains) alias(name string) error {
	bad := func() error {
		return fmt.Errorf("gateway: domain name %q: want a host name, with a port or without one (any port), such as gateway or gateway:3001", name)
	}
	if name == "" || strings.ContainsAny(name, "/@?#\\ \t") {
		return bad()
	}
	if host, port, err := net.SplitHostPort(name); err == nil {
		if host == "" || !validPort(port) {
			return bad()
		}
		d.add(name)
		return nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return bad()
	}
	d.anyPort[strings.ToLower(host)] = true
	return nil
}

// add serves a host:port name. Port 80 is also the Host a client writes
// without a port.
func (d domains) add(name string) {
	host, port, _ := net.SplitHostPort(name)
	d.exact[strings.ToLower(net.JoinHostPort(host, port))] = true
	if port == "80" {
		d.exact[strings.ToLower(bracketed(host))] = true
	}
}

// serves reports whether a request's Host names the gateway.
func (d domains) serves(hostHeader string) bool {
	h := strings.ToLower(hostHeader)
	if d.exact[h] {
		return true
	}
	host := h
	if hh, _, err := net.SplitHostPort(h); err == nil {
		host = hh
	}
	return d.anyPort[strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")]
}

// names lists what is served, for the log line of a refusal.
func (d domains) names() string {
	names := slices.Sorted(maps.Keys(d.exact))
	for _, host := range slices.Sorted(maps.Keys(d.anyPort)) {
		names = append(names, host+" (any port)")
	}
	return strings.Join(names, ", ")
}

// refuseForeignHost answers a request for a name the gateway does not
// serve as API Gateway answers one for an unknown domain, and reports
// whether it did.
func (g *Gateway) refuseForeignHost(w http.ResponseWriter, r *http.Request) bool {
	if g.domains.serves(r.Host) {
		return false
	}
	g.logf("REFUSED     Host %q: 403, the gateway answers for %s", r.Host, g.domains.names())
	apiError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
	return true
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 1<<16
}

func bracketed(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}
