package sqslocal

import (
	"slices"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

func TestQueueProperties(t *testing.T) {
	queue := func(props map[string]any) map[string]any {
		return map[string]any{"Type": "AWS::SQS::Queue", "Properties": props}
	}
	for _, tc := range []struct {
		name    string
		edits   map[string]any
		queue   func(QueueResource) bool
		warning string
	}{
		{name: "named queue with its attributes", edits: map[string]any{"Q": queue(map[string]any{
			"QueueName": "jobs", "VisibilityTimeout": 90, "DelaySeconds": "5", "ReceiveMessageWaitTimeSeconds": 20, "MessageRetentionPeriod": 600})},
			queue: func(q QueueResource) bool {
				return q.Name == "jobs" && q.URL == "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs" && q.VisibilityTimeout == 90*time.Second &&
					q.Delay == 5*time.Second && q.ReceiveWait == 20*time.Second && q.Retention == 10*time.Minute
			}},
		{name: "redrive policy as a JSON string", edits: map[string]any{
			"D": queue(map[string]any{"QueueName": "dead"}),
			"Q": queue(map[string]any{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dead","maxReceiveCount":"4"}`})},
			queue: func(q QueueResource) bool { return q.DeadLetterQueue == "D" && q.MaxReceiveCount == 4 }},
		{name: "redrive to a queue elsewhere", edits: map[string]any{
			"Q": queue(map[string]any{"RedrivePolicy": map[string]any{"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:999:other", "maxReceiveCount": 2}})},
			queue: func(q QueueResource) bool { return q.DeadLetterQueue == "" }, warning: "Q: RedrivePolicy's deadLetterTargetArn arn:aws:sqs:eu-west-1:999:other is no queue"},
		{name: "FIFO", edits: map[string]any{"Q": queue(map[string]any{"QueueName": "jobs.fifo", "FifoQueue": true})},
			queue: func(q QueueResource) bool { return q.Name == "jobs.fifo" }, warning: "Q: a FIFO queue is served as a standard queue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := cloudformation.Load([]byte(cloudformationtest.WebSocketAPI(tc.edits)), cloudformationtest.PlacedIn(t, "eu-west-1"))
			if err != nil {
				t.Fatal(err)
			}
			queues := ReadQueues(tpl)
			i := slices.IndexFunc(queues, func(q QueueResource) bool { return q.LogicalID == "Q" })
			if i < 0 || !tc.queue(queues[i]) {
				t.Errorf("queues %+v", queues)
			}
			if warnings := tpl.Warnings(); tc.warning != "" && !slices.ContainsFunc(warnings, func(w string) bool { return strings.HasPrefix(w, tc.warning) }) {
				t.Errorf("warnings %q, want one starting %q", warnings, tc.warning)
			}
		})
	}
}

func TestSpecOf(t *testing.T) {
	queues := []QueueResource{
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
