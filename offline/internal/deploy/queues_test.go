package deploy

import (
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/cloudformation/cloudformationtest"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/sqslocal"
)

// bootstrapsFor makes a bootstrap file for each function name.
func bootstrapsFor(t *testing.T, names ...string) map[string]cloudformation.Bootstrap {
	t.Helper()
	out := map[string]cloudformation.Bootstrap{}
	for _, n := range names {
		key := strings.TrimPrefix(n, "sqsprobe-dev-")
		out[n] = cloudformationtest.WriteBootstraps(t, key)[key]
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
	s, err := Load(data, Options{Options: cloudformation.Options{Region: "us-east-1", AccountID: "123456789012", StackName: "sqsprobe-dev",
		Bootstraps: bootstrapsFor(t, "sqsprobe-dev-worker", "sqsprobe-dev-hello")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range s.Warnings {
		if strings.Contains(w, "SQS") || strings.Contains(w, "EventSourceMapping") {
			t.Errorf("warning %q", w)
		}
	}
	dlqName := "sqsprobe-dev-FanoutDLQ-" + "F8P2B05EFOXYZ"
	qName := "sqsprobe-dev-FanoutQueue-" + "BOLUF0DYNGXYZ"
	want := []sqslocal.QueueResource{{
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
	wantMappings := []eventsource.MappingResource{{
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
