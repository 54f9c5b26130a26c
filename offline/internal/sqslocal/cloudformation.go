package sqslocal

import (
	"slices"

	"wsapi/offline/internal/cloudformation"
)

// SpecOf is what the local SQS serves for a template's queue, its
// dead-letter queue named as the template's queues have it.
func SpecOf(q cloudformation.Queue, queues []cloudformation.Queue) QueueSpec {
	spec := QueueSpec{
		Name: q.Name, VisibilityTimeout: q.VisibilityTimeout, Delay: q.Delay, ReceiveWait: q.ReceiveWait,
		Retention: q.Retention, MaxMessageSize: q.MaxMessageSize, MaxReceiveCount: q.MaxReceiveCount,
	}
	if i := slices.IndexFunc(queues, func(d cloudformation.Queue) bool { return d.LogicalID == q.DeadLetterQueue }); i >= 0 {
		spec.DeadLetterQueue = queues[i].Name
	}
	return spec
}
