package connections

import (
	"net"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Endpoint returns the @connections base URL of the API a request came
// through: https://{domainName}/{stage}. A loopback domain (a local
// gateway) is served over plain http.
func Endpoint(domainName, stage string) string {
	scheme := "https"
	if isLoopback(domainName) {
		scheme = "http"
	}
	return scheme + "://" + domainName + "/" + stage
}

func isLoopback(domainName string) bool {
	host := domainName
	if h, _, err := net.SplitHostPort(domainName); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Pool builds one Client per endpoint and keeps it for the life of the
// container, so warm invocations reuse its connections and credentials.
type Pool struct {
	cfg     aws.Config
	mu      sync.Mutex
	clients map[string]*Client
}

// NewPool returns a pool whose clients use cfg.
func NewPool(cfg aws.Config) *Pool {
	return &Pool{cfg: cfg, clients: make(map[string]*Client)}
}

// For returns the client of the API at domainName and stage.
func (p *Pool) For(domainName, stage string) *Client {
	endpoint := Endpoint(domainName, stage)
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[endpoint]
	if !ok {
		c = New(p.cfg, endpoint)
		p.clients[endpoint] = c
	}
	return c
}
