package cloudformation

import (
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// bootstrapsFor makes a bootstrap file for each function name.
func bootstrapsFor(t *testing.T, names ...string) map[string]Bootstrap {
	t.Helper()
	out := map[string]Bootstrap{}
	for _, n := range names {
		key := strings.TrimPrefix(n, "sqsprobe-dev-")
		out[n] = writeBootstraps(t, key)[key]
	}
	return out
}

// The template osls 4.3.1 writes for testdata/sqs-osls-4.3.1.serverless.yml:
// a worker with an sqs event on a queue that redrives to a DLQ.
func TestQueuesAndMappingsFromTheFramework(t *testing.T) {
	data, err := os.ReadFile("testdata/sqs-osls-4.3.1.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(data, Options{Region: "us-east-1", AccountID: "123456789012", StackName: "sqsprobe-dev",
		Bootstraps: bootstrapsFor(t, "sqsprobe-dev-worker", "sqsprobe-dev-hello")})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range s.Warnings {
		if strings.Contains(w, "SQS") || strings.Contains(w, "EventSourceMapping") {
			t.Errorf("warning %q", w)
		}
	}
	dlqName := "sqsprobe-dev-FanoutDLQ-" + physicalSuffix("FanoutDLQ")
	qName := "sqsprobe-dev-FanoutQueue-" + physicalSuffix("FanoutQueue")
	want := []Queue{{
		LogicalID: "FanoutDLQ", Name: dlqName,
		URL: "https://sqs.us-east-1.amazonaws.com/123456789012/" + dlqName, ARN: "arn:aws:sqs:us-east-1:123456789012:" + dlqName,
		VisibilityTimeout: 30 * time.Second, Retention: 96 * time.Hour, MaxMessageSize: 262144,
	}, {
		LogicalID: "FanoutQueue", Name: qName,
		URL: "https://sqs.us-east-1.amazonaws.com/123456789012/" + qName, ARN: "arn:aws:sqs:us-east-1:123456789012:" + qName,
		VisibilityTimeout: 60 * time.Second, Retention: 96 * time.Hour, MaxMessageSize: 262144,
		DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3,
	}}
	if !reflect.DeepEqual(s.Queues, want) {
		t.Errorf("queues\n got %+v\nwant %+v", s.Queues, want)
	}
	wantMappings := []EventSourceMapping{{
		LogicalID: "WorkerEventSourceMappingSQSFanoutQueue", Queue: "FanoutQueue", Function: "worker",
		BatchSize: 10, BatchingWindow: time.Second, MaximumConcurrency: 5, ReportBatchItemFailures: true, Enabled: true,
	}}
	if !reflect.DeepEqual(s.EventSourceMappings, wantMappings) {
		t.Errorf("mappings\n got %+v\nwant %+v", s.EventSourceMappings, wantMappings)
	}
	if _, ok := s.Functions["worker"]; !ok {
		t.Errorf("the worker, a mapping's only function, is not served: %v", slices.Sorted(maps.Keys(s.Functions)))
	}
}

func TestQueueProperties(t *testing.T) {
	queue := func(props map[string]any) map[string]any {
		return map[string]any{"Type": "AWS::SQS::Queue", "Properties": props}
	}
	mapping := func(props map[string]any) map[string]any {
		base := map[string]any{"EventSourceArn": map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}, "FunctionName": map[string]any{"Ref": "Fn"}}
		for k, v := range props {
			base[k] = v
		}
		return map[string]any{"Type": "AWS::Lambda::EventSourceMapping", "Properties": base}
	}
	for _, tc := range []struct {
		name     string
		edits    map[string]any
		queue    func(Queue) bool
		mappings int
		mapping  func(EventSourceMapping) bool
		warning  string
	}{
		{name: "named queue with its attributes", edits: map[string]any{"Q": queue(map[string]any{
			"QueueName": "jobs", "VisibilityTimeout": 90, "DelaySeconds": "5", "ReceiveMessageWaitTimeSeconds": 20, "MessageRetentionPeriod": 600})},
			queue: func(q Queue) bool {
				return q.Name == "jobs" && q.URL == "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs" && q.VisibilityTimeout == 90*time.Second &&
					q.Delay == 5*time.Second && q.ReceiveWait == 20*time.Second && q.Retention == 10*time.Minute
			}},
		{name: "redrive policy as a JSON string", edits: map[string]any{
			"D": queue(map[string]any{"QueueName": "dead"}),
			"Q": queue(map[string]any{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dead","maxReceiveCount":"4"}`})},
			queue: func(q Queue) bool { return q.DeadLetterQueue == "D" && q.MaxReceiveCount == 4 }},
		{name: "redrive to a queue elsewhere", edits: map[string]any{
			"Q": queue(map[string]any{"RedrivePolicy": map[string]any{"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:999:other", "maxReceiveCount": 2}})},
			queue: func(q Queue) bool { return q.DeadLetterQueue == "" }, warning: "Q: RedrivePolicy's deadLetterTargetArn arn:aws:sqs:eu-west-1:999:other is no queue"},
		{name: "FIFO", edits: map[string]any{"Q": queue(map[string]any{"QueueName": "jobs.fifo", "FifoQueue": true})},
			queue: func(q Queue) bool { return q.Name == "jobs.fifo" }, warning: "Q: a FIFO queue is served as a standard queue"},
		{name: "mapping defaults, Ref of the function", edits: map[string]any{"Q": queue(nil), "M": mapping(nil)},
			mappings: 1, mapping: func(m EventSourceMapping) bool {
				return m.Queue == "Q" && m.Function == "fn" && m.BatchSize == 10 && m.BatchingWindow == 0 && m.MaximumConcurrency == 0 && !m.ReportBatchItemFailures && m.Enabled
			}},
		{name: "mapping disabled", edits: map[string]any{"Q": queue(nil), "M": mapping(map[string]any{"Enabled": "false", "BatchSize": 100, "MaximumBatchingWindowInSeconds": 2})},
			mappings: 1, mapping: func(m EventSourceMapping) bool { return !m.Enabled && m.BatchSize == 100 }},
		{name: "batch over 10 with no window", edits: map[string]any{"Q": queue(nil), "M": mapping(map[string]any{"BatchSize": 100})},
			warning: "M: BatchSize 100 over 10 needs a MaximumBatchingWindowInSeconds"},
		{name: "concurrency out of range", edits: map[string]any{"Q": queue(nil), "M": mapping(map[string]any{"ScalingConfig": map[string]any{"MaximumConcurrency": 1}})},
			warning: "M: ScalingConfig.MaximumConcurrency 1 is outside 2 to 1000"},
		{name: "a stream source", edits: map[string]any{"M": mapping(map[string]any{"EventSourceArn": map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}})},
			warning: "M: event source arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/1970-01-01T00:00:00.000 is not emulated"},
		{name: "a function elsewhere", edits: map[string]any{"Q": queue(nil), "M": mapping(map[string]any{"FunctionName": "arn:aws:lambda:eu-west-1:999:function:x"})},
			warning: "M: FunctionName arn:aws:lambda:eu-west-1:999:function:x is no function of this template"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load([]byte(stack(tc.edits)), Options{Region: "eu-west-1", AccountID: "123456789012", StackName: "svc-dev",
				Bootstraps: map[string]Bootstrap{"svc-fn": writeBootstraps(t, "fn")["fn"]}})
			if err != nil {
				t.Fatal(err)
			}
			if tc.queue != nil {
				i := slices.IndexFunc(s.Queues, func(q Queue) bool { return q.LogicalID == "Q" })
				if i < 0 || !tc.queue(s.Queues[i]) {
					t.Errorf("queues %+v", s.Queues)
				}
			}
			if len(s.EventSourceMappings) != tc.mappings || (tc.mapping != nil && !tc.mapping(s.EventSourceMappings[0])) {
				t.Errorf("mappings %+v", s.EventSourceMappings)
			}
			if tc.warning != "" && !slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.HasPrefix(w, tc.warning) }) {
				t.Errorf("warnings %q, want one starting %q", s.Warnings, tc.warning)
			}
		})
	}
}

func TestQueueReturnValues(t *testing.T) {
	out := map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"FunctionName": "other",
		"Environment": map[string]any{"Variables": map[string]any{
			"REF": map[string]any{"Ref": "Q"}, "URL": map[string]any{"Fn::GetAtt": []any{"Q", "QueueUrl"}},
			"ARN": map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}, "NAME": map[string]any{"Fn::GetAtt": []any{"Q", "QueueName"}}}}}}
	edits := map[string]any{"Q": map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"QueueName": "jobs"}}, "Fn": out}
	s, err := Load([]byte(stack(edits)), Options{Region: "eu-west-1", AccountID: "123456789012", StackName: "svc-dev",
		Bootstraps: map[string]Bootstrap{"other": writeBootstraps(t, "fn")["fn"]}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(s.Functions["fn"].Env)
	want := `{"ARN":"arn:aws:sqs:eu-west-1:123456789012:jobs","NAME":"jobs","REF":"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs","URL":"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"}`
	if string(got) != want {
		t.Errorf("env %s, want %s", got, want)
	}
}
