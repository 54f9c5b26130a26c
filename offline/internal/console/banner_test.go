package console

import (
	"net"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/service"
)

func TestDisplayAddr(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3001}
	for _, tt := range []struct{ host, want string }{
		{"127.0.0.1", "localhost:3001"},
		{"localhost", "localhost:3001"},
		{"0.0.0.0", "0.0.0.0:3001"},
		{"::1", "[::1]:3001"},
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
	PrintQueues(New(&b), &service.Service{Service: &cloudformation.Service{
		Queues: []cloudformation.Queue{
			{LogicalID: "FanoutDLQ", VisibilityTimeout: 30 * time.Second},
			{LogicalID: "FanoutQueue", VisibilityTimeout: 60 * time.Second, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
		},
		EventSourceMappings: []cloudformation.EventSourceMapping{{Queue: "FanoutQueue", Function: "fanout", BatchSize: 10, Enabled: true}},
	}})
	want := "sqs          │ FanoutDLQ (visibility 30 s)\n" +
		"sqs          │ FanoutQueue → fanout (batch 10, window 0 s, concurrency unset, visibility 60 s, DLQ FanoutDLQ after 3)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPrintQueuesWithoutQueuesPrintsNothing(t *testing.T) {
	var b strings.Builder
	PrintQueues(New(&b), &service.Service{Service: &cloudformation.Service{}})
	if b.String() != "" {
		t.Errorf("got %q, want nothing", b.String())
	}
}
