package eventsource

import (
	"slices"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
	"wsapi/offline/internal/sqslocal"
)

var (
	queues = []sqslocal.QueueResource{
		{LogicalID: "FanoutDLQ", Name: "svc-dlq", ARN: "arn:aws:sqs:us-east-1:1:svc-dlq", VisibilityTimeout: 30 * time.Second},
		{LogicalID: "FanoutQueue", Name: "svc-fanout", ARN: "arn:aws:sqs:us-east-1:1:svc-fanout", VisibilityTimeout: 60 * time.Second,
			Retention: time.Hour, MaxMessageSize: 1024, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
	}
	mapping = MappingResource{LogicalID: "M", Queue: "FanoutQueue", Function: "fanout", BatchSize: 10,
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

func TestMappingProperties(t *testing.T) {
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
		mappings int
		mapping  func(MappingResource) bool
		warning  string
	}{
		{name: "mapping defaults, Ref of the function", edits: map[string]any{"Q": queue(nil), "M": mapping(nil)},
			mappings: 1, mapping: func(m MappingResource) bool {
				return m.Queue == "Q" && m.Function == "fn" && m.BatchSize == 10 && m.BatchingWindow == 0 && m.MaximumConcurrency == 0 && !m.ReportBatchItemFailures && m.Enabled
			}},
		{name: "mapping disabled", edits: map[string]any{"Q": queue(nil), "M": mapping(map[string]any{"Enabled": "false", "BatchSize": 100, "MaximumBatchingWindowInSeconds": 2})},
			mappings: 1, mapping: func(m MappingResource) bool { return !m.Enabled && m.BatchSize == 100 }},
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
			tpl, err := cloudformation.Load([]byte(cloudformationtest.WebSocketAPI(tc.edits)), cloudformationtest.PlacedIn(t, "eu-west-1"))
			if err != nil {
				t.Fatal(err)
			}
			mappings := ReadMappings(tpl)
			if len(mappings) != tc.mappings || (tc.mapping != nil && !tc.mapping(mappings[0])) {
				t.Errorf("mappings %+v", mappings)
			}
			if warnings := tpl.Warnings(); tc.warning != "" && !slices.ContainsFunc(warnings, func(w string) bool { return strings.HasPrefix(w, tc.warning) }) {
				t.Errorf("warnings %q, want one starting %q", warnings, tc.warning)
			}
		})
	}
}
