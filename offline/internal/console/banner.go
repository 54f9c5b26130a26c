package console

import (
	"net"
	"sort"
	"strings"

	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/service"
)

// PrintRoutes shows what is served; sampling, when traces are printed, says
// which invocations are traced.
func PrintRoutes(out *Console, svc *service.Service, base, daemonAddr, sampling string) {
	out.Printf("gateway", "%s, stage %s, region %s, routes on %s:", svc.Name, svc.Stage, svc.Region, svc.RouteSelectionExpression)
	keys := make([]string, 0, len(svc.Routes))
	for k := range svc.Routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fn := svc.Functions[svc.Routes[k].Function]
		out.Printf("gateway", "  %-14s → %s (%s, %d MB, %s timeout)", k, fn.Key, fn.Name, fn.MemoryMB, fn.Timeout)
		if a := svc.Routes[k].Authorizer; a != nil {
			out.Printf("gateway", "  %-14s   authorized by %s from %s", "", a.Function, strings.Join(a.IdentitySource, ", "))
		}
	}
	endpoint := "http" + base[len("ws"):] + "/" + svc.Stage
	out.Printf("gateway", "  %-14s → %s/@connections/{connectionId}", "@connections", endpoint)
	// Any key signs as an IAM principal would; only the signature's form,
	// service, region and age are checked.
	out.Printf("gateway", "  %-14s   AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws apigatewaymanagementapi post-to-connection "+
		"--region %s --endpoint-url %s --connection-id <id> --data '{\"message\":\"hi\"}'", "", svc.Region, endpoint)
	if sampling != "" {
		out.Printf("gateway", "  %-14s → udp %s, %s", "X-Ray daemon", daemonAddr, sampling)
	}
}

// PrintQueues shows the queues served, a line each, naming the function
// each mapping invokes and how.
func PrintQueues(out *Console, svc *service.Service) {
	for _, line := range eventsource.Summary(svc.Queues, svc.EventSourceMappings) {
		out.Printf("sqs", "%s", strings.TrimPrefix(line, "sqs │ "))
	}
}

// Sampling says which invocations are traced, when traces are printed.
func Sampling(printed, all bool) string {
	switch {
	case !printed:
		return ""
	case all:
		return "every invocation traced (-trace-all)"
	}
	return "traced as Lambda samples: the first invocation of each function every second and 5% of the rest (-trace-all: every one)"
}

// WarnIfExposed warns when host serves other machines too.
func WarnIfExposed(out *Console, host string) {
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		out.Printf("warning", "listening on %s: other machines can connect, sign @connections calls with the local "+
			"runtime's well-known credentials and, with the development secret, tokens for any user. Use it on a network you trust.", host)
	}
}

// DisplayAddr names the listener the way a user types it.
func DisplayAddr(addr net.Addr, host string) string {
	_, port, _ := net.SplitHostPort(addr.String())
	if host == "127.0.0.1" || host == "localhost" || host == "" {
		return "localhost:" + port
	}
	return net.JoinHostPort(host, port)
}
