package eventsource

import (
	"wsapi/offline/internal/cloudformation"
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

func queueByID(queues []cloudformation.Queue, id string) (cloudformation.Queue, bool) {
	for _, q := range queues {
		if q.LogicalID == id {
			return q, true
		}
	}
	return cloudformation.Queue{}, false
}
