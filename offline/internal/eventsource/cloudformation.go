package eventsource

import (
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
