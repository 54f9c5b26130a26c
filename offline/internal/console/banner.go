package console

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/sqslocal"
)

// PrintRoutes shows what is served; sampling, when traces are printed, says
// which invocations are traced; throttled, whether the routes' limits hold.
func PrintRoutes(out *Console, svc *deploy.Service, base, daemonAddr, sampling string, throttled bool) {
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
		if t := svc.Routes[k].Throttle; throttled && t != nil && (svc.Throttle == nil || *t != *svc.Throttle) {
			out.Printf("gateway", "  %-14s   throttled at %s (its RouteSettings)", "", throttleText(*t))
		}
	}
	switch {
	case !throttled:
		out.Printf("gateway", "  %-14s   off (-throttle=false): the stage's limits and the routes' are not applied", "throttling")
	case svc.Throttle != nil:
		out.Printf("gateway", "  %-14s   %s, each route (the stage's DefaultRouteSettings)", "throttling", throttleText(*svc.Throttle))
	default:
		out.Printf("gateway", "  %-14s   none: the stage's DefaultRouteSettings set no limit", "throttling")
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

// throttleText says a token bucket's limits as a user reads them.
func throttleText(t gateway.Throttle) string {
	unit := "requests"
	if t.RateLimit == 1 {
		unit = "request"
	}
	return fmt.Sprintf("%s %s a second, burst %d", strconv.FormatFloat(t.RateLimit, 'f', -1, 64), unit, t.BurstLimit)
}

// PrintQueues shows the queues served, a line each, naming the function
// each mapping invokes and how:
// "FanoutQueue → fanout (batch 10, window 0 s, concurrency 5, visibility 60 s, DLQ FanoutDLQ after 3)".
func PrintQueues(out *Console, svc *deploy.Service) {
	for _, line := range queueLines(svc.Queues, svc.EventSourceMappings) {
		out.Printf("sqs", "%s", line)
	}
}

func queueLines(queues []sqslocal.QueueResource, mappings []eventsource.MappingResource) []string {
	var lines []string
	for _, q := range queues {
		redrive := ""
		if q.DeadLetterQueue != "" {
			redrive = fmt.Sprintf(", DLQ %s after %d", q.DeadLetterQueue, q.MaxReceiveCount)
		}
		polled := false
		for _, m := range mappings {
			if m.Queue != q.LogicalID {
				continue
			}
			polled = true
			concurrency := "unset"
			if m.MaximumConcurrency > 0 {
				concurrency = fmt.Sprint(m.MaximumConcurrency)
			}
			disabled := ""
			if !m.Enabled {
				disabled = ", disabled"
			}
			failures := ""
			if m.ReportBatchItemFailures {
				failures = ", partial batch failures"
			}
			lines = append(lines, fmt.Sprintf("%s → %s (batch %d, window %s, concurrency %s, visibility %s%s%s%s)",
				q.LogicalID, m.Function, m.BatchSize, secs(m.BatchingWindow), concurrency, secs(q.VisibilityTimeout), redrive, failures, disabled))
		}
		if !polled {
			lines = append(lines, fmt.Sprintf("%s (visibility %s%s)", q.LogicalID, secs(q.VisibilityTimeout), redrive))
		}
	}
	return lines
}

func secs(d time.Duration) string { return fmt.Sprintf("%d s", int(d/time.Second)) }

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
			"runtime's well-known credentials and, with the development secret, tokens for any user. Use it on a network you trust. "+
			"Give the name they reach it by with -domain-name: any other Host is refused.", host)
	}
}

// DisplayAddr names the listener the way a user types it: localhost for a
// loopback or unspecified address (0.0.0.0 serves this machine too), so
// that it is also a name the functions reach the gateway by.
func DisplayAddr(addr net.Addr, host string) string {
	_, port, _ := net.SplitHostPort(addr.String())
	switch ip := net.ParseIP(host); {
	case host == "" || host == "localhost" || host == "127.0.0.1", ip != nil && ip.IsUnspecified():
		return "localhost:" + port
	}
	return net.JoinHostPort(host, port)
}
