// Package eventsource is Lambda's side of an event source mapping from an
// SQS queue: a poller per mapping gathers batches from the queue (up to
// BatchSize messages, or what arrived within MaximumBatchingWindowInSeconds),
// invokes the function with an events.SQSEvent, at most MaximumConcurrency
// batches at a time, and deletes what the function processed: the whole
// batch on success, all but the reported batchItemFailures with
// ReportBatchItemFailures, nothing when the function fails, so that the
// queue redelivers after its visibility timeout and, after maxReceiveCount
// receives, moves the message to its dead-letter queue.
//
// It lives beside the gateway's Lambda runtime rather than with the queue
// because that is where AWS puts it: the mapping is a Lambda resource, its
// pollers are Lambda's, and the queue knows nothing of them. Likewise it
// reads the template's AWS::Lambda::EventSourceMapping resources
// (cloudformation.go), and sqslocal the queues they poll.
package eventsource
