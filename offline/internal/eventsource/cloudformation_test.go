package eventsource

import (
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
)

var (
	queues = []cloudformation.Queue{
		{LogicalID: "FanoutDLQ", Name: "svc-dlq", ARN: "arn:aws:sqs:us-east-1:1:svc-dlq", VisibilityTimeout: 30 * time.Second},
		{LogicalID: "FanoutQueue", Name: "svc-fanout", ARN: "arn:aws:sqs:us-east-1:1:svc-fanout", VisibilityTimeout: 60 * time.Second,
			Retention: time.Hour, MaxMessageSize: 1024, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
	}
	mapping = cloudformation.EventSourceMapping{LogicalID: "M", Queue: "FanoutQueue", Function: "fanout", BatchSize: 10,
		MaximumConcurrency: 5, ReportBatchItemFailures: true, Enabled: true}
)

func TestFromTemplate(t *testing.T) {
	m, ok := MappingOf(mapping, queues, "us-east-1")
	if !ok || m.Queue != "svc-fanout" || m.QueueARN != "arn:aws:sqs:us-east-1:1:svc-fanout" || m.Function != "fanout" || m.MaximumConcurrency != 5 || !m.ReportBatchItemFailures {
		t.Errorf("MappingOf %+v, %v", m, ok)
	}
	off := mapping
	off.Enabled = false
	if _, ok := MappingOf(off, queues, "us-east-1"); ok {
		t.Error("a disabled mapping is polled")
	}
}
