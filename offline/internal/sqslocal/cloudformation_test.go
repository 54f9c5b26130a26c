package sqslocal

import (
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
)

func TestSpecOf(t *testing.T) {
	queues := []cloudformation.Queue{
		{LogicalID: "FanoutDLQ", Name: "svc-dlq", ARN: "arn:aws:sqs:us-east-1:1:svc-dlq", VisibilityTimeout: 30 * time.Second},
		{LogicalID: "FanoutQueue", Name: "svc-fanout", ARN: "arn:aws:sqs:us-east-1:1:svc-fanout", VisibilityTimeout: 60 * time.Second,
			Retention: time.Hour, MaxMessageSize: 1024, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
	}
	spec := SpecOf(queues[1], queues)
	want := QueueSpec{Name: "svc-fanout", VisibilityTimeout: 60 * time.Second, Retention: time.Hour, MaxMessageSize: 1024,
		DeadLetterQueue: "svc-dlq", MaxReceiveCount: 3}
	if spec != want {
		t.Errorf("SpecOf %+v, want %+v", spec, want)
	}
}
