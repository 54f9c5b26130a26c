package console

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/sqslocal"
)

func TestDisplayAddr(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3001}
	for _, tt := range []struct{ host, want string }{
		{"127.0.0.1", "localhost:3001"},
		{"localhost", "localhost:3001"},
		{"0.0.0.0", "localhost:3001"},
		{"::", "localhost:3001"},
		{"::1", "[::1]:3001"},
		{"192.168.1.5", "192.168.1.5:3001"},
	} {
		if got := DisplayAddr(addr, tt.host); got != tt.want {
			t.Errorf("DisplayAddr(%s) = %s, want %s", tt.host, got, tt.want)
		}
	}
}

func TestSampling(t *testing.T) {
	if got := Sampling(false, true); got != "" {
		t.Errorf("traces not printed: %q, want nothing", got)
	}
	if got := Sampling(true, true); !strings.Contains(got, "every invocation") {
		t.Errorf("-trace-all: %q", got)
	}
	if got := Sampling(true, false); !strings.Contains(got, "5% of the rest") {
		t.Errorf("sampled: %q", got)
	}
}

func TestPrintQueuesTagsEachQueueSqs(t *testing.T) {
	var b strings.Builder
	PrintQueues(New(&b), &deploy.Service{
		Queues: []sqslocal.QueueResource{
			{LogicalID: "FanoutDLQ", VisibilityTimeout: 30 * time.Second},
			{LogicalID: "FanoutQueue", VisibilityTimeout: 60 * time.Second, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
		},
		EventSourceMappings: []eventsource.MappingResource{{Queue: "FanoutQueue", Function: "fanout", BatchSize: 10, Enabled: true}},
	})
	want := "sqs          │ FanoutDLQ (visibility 30 s)\n" +
		"sqs          │ FanoutQueue → fanout (batch 10, window 0 s, concurrency unset, visibility 60 s, DLQ FanoutDLQ after 3)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrintQueuesWithoutQueuesPrintsNothing(t *testing.T) {
	var b strings.Builder
	PrintQueues(New(&b), &deploy.Service{})
	if b.String() != "" {
		t.Errorf("got %q, want nothing", b.String())
	}
}

// TestPrintRoutesShowsThrottling: the banner names the stage's limits for
// every route, and a route's own beside it.
func TestPrintRoutesShowsThrottling(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stage *gateway.Throttle
		hello *gateway.Throttle
		off   bool
		want  []string
		not   string
	}{
		{"the stage's", &gateway.Throttle{RateLimit: 500, BurstLimit: 1000}, &gateway.Throttle{RateLimit: 500, BurstLimit: 1000}, false,
			[]string{"gateway      │   throttling       500 requests a second, burst 1000, each route (the stage's DefaultRouteSettings)\n"},
			"its RouteSettings"},
		{"a route's own", &gateway.Throttle{RateLimit: 500, BurstLimit: 1000}, &gateway.Throttle{RateLimit: 1, BurstLimit: 5}, false,
			[]string{"gateway      │   hello          → hello (svc-hello, 128 MB, 3s timeout)\n" +
				"gateway      │                    throttled at 1 request a second, burst 5 (its RouteSettings)\n",
				"throttling       500 requests a second, burst 1000, each route"}, ""},
		{"off", &gateway.Throttle{RateLimit: 500, BurstLimit: 1000}, &gateway.Throttle{RateLimit: 1, BurstLimit: 5}, true,
			[]string{"gateway      │   throttling       off (-throttle=false): the stage's limits and the routes' are not applied\n"}, "throttled at"},
		{"none", nil, nil, false, []string{"gateway      │   throttling       none: the stage's DefaultRouteSettings set no limit\n"}, "throttled at"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			PrintRoutes(New(&b), &deploy.Service{Name: "svc", Region: "ap-northeast-1",
				Stage: "local", RouteSelectionExpression: "$request.body.action", Throttle: tt.stage,
				Routes:    map[string]gateway.Route{"hello": {Function: "hello", Throttle: tt.hello}},
				Functions: map[string]cloudformation.Function{"hello": {Key: "hello", Name: "svc-hello", MemoryMB: 128, Timeout: 3 * time.Second}},
			}, "ws://localhost:3001", "", "", !tt.off)
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("banner\n%s\nwants %q", b.String(), w)
				}
			}
			if tt.not != "" && strings.Contains(b.String(), tt.not) {
				t.Errorf("banner\n%s\nholds %q", b.String(), tt.not)
			}
		})
	}
}

// TestQueueLines: a line per queue, naming the function each mapping
// invokes and how.
func TestQueueLines(t *testing.T) {
	queues := []sqslocal.QueueResource{
		{LogicalID: "FanoutDLQ", Name: "svc-dlq", ARN: "arn:aws:sqs:us-east-1:1:svc-dlq", VisibilityTimeout: 30 * time.Second},
		{LogicalID: "FanoutQueue", Name: "svc-fanout", ARN: "arn:aws:sqs:us-east-1:1:svc-fanout", VisibilityTimeout: 60 * time.Second,
			Retention: time.Hour, MaxMessageSize: 1024, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
	}
	mapping := eventsource.MappingResource{LogicalID: "M", Queue: "FanoutQueue", Function: "fanout", BatchSize: 10,
		MaximumConcurrency: 5, ReportBatchItemFailures: true, Enabled: true}
	disabled := mapping
	disabled.Enabled, disabled.MaximumConcurrency, disabled.ReportBatchItemFailures, disabled.BatchingWindow = false, 0, false, 2*time.Second
	for _, tc := range []struct {
		name     string
		mappings []eventsource.MappingResource
		want     []string
	}{
		{"polled with a DLQ", []eventsource.MappingResource{mapping}, []string{
			"FanoutDLQ (visibility 30 s)",
			"FanoutQueue → fanout (batch 10, window 0 s, concurrency 5, visibility 60 s, DLQ FanoutDLQ after 3, partial batch failures)",
		}},
		{"disabled, no concurrency set", []eventsource.MappingResource{disabled}, []string{
			"FanoutDLQ (visibility 30 s)",
			"FanoutQueue → fanout (batch 10, window 2 s, concurrency unset, visibility 60 s, DLQ FanoutDLQ after 3, disabled)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := queueLines(queues, tc.mappings); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
