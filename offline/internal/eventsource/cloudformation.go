package eventsource

import (
	"fmt"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/sqslocal"
)

// MappingOf is what a template's mapping polls; false when the mapping is
// disabled or its queue is not in queues.
func MappingOf(m cloudformation.EventSourceMapping, queues []cloudformation.Queue, region string) (Mapping, bool) {
	q, ok := queueByID(queues, m.Queue)
	if !ok || !m.Enabled {
		return Mapping{}, false
	}
	return Mapping{
		ID: m.LogicalID, Queue: q.Name, QueueARN: q.ARN, Region: region, Function: m.Function,
		BatchSize: m.BatchSize, BatchingWindow: m.BatchingWindow,
		MaximumConcurrency: m.MaximumConcurrency, ReportBatchItemFailures: m.ReportBatchItemFailures,
	}, true
}

// QueueSpec is what the local SQS serves for a template's queue.
func QueueSpec(q cloudformation.Queue, queues []cloudformation.Queue) sqslocal.QueueSpec {
	spec := sqslocal.QueueSpec{
		Name: q.Name, VisibilityTimeout: q.VisibilityTimeout, Delay: q.Delay, ReceiveWait: q.ReceiveWait,
		Retention: q.Retention, MaxMessageSize: q.MaxMessageSize, MaxReceiveCount: q.MaxReceiveCount,
	}
	if dlq, ok := queueByID(queues, q.DeadLetterQueue); ok {
		spec.DeadLetterQueue = dlq.Name
	}
	return spec
}

func queueByID(queues []cloudformation.Queue, id string) (cloudformation.Queue, bool) {
	for _, q := range queues {
		if q.LogicalID == id {
			return q, true
		}
	}
	return cloudformation.Queue{}, false
}

// Summary is a line per queue for the gateway's ready banner, naming the
// function each mapping invokes and how:
// "sqs │ FanoutQueue → fanout (batch 10, window 0 s, concurrency 5, visibility 60 s, DLQ FanoutDLQ after 3)".
func Summary(queues []cloudformation.Queue, mappings []cloudformation.EventSourceMapping) []string {
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
			lines = append(lines, fmt.Sprintf("sqs │ %s → %s (batch %d, window %s, concurrency %s, visibility %s%s%s%s)",
				q.LogicalID, m.Function, m.BatchSize, secs(m.BatchingWindow), concurrency, secs(q.VisibilityTimeout), redrive, failures, disabled))
		}
		if !polled {
			lines = append(lines, fmt.Sprintf("sqs │ %s (visibility %s%s)", q.LogicalID, secs(q.VisibilityTimeout), redrive))
		}
	}
	return lines
}

func secs(d time.Duration) string { return fmt.Sprintf("%d s", int(d/time.Second)) }
