package sqslocal

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"wsapi/offline/internal/cloudformation"
)

// ResourceTypes are the resource types sqslocal reads.
var ResourceTypes = []string{"AWS::SQS::Queue"}

// QueueResource is an AWS::SQS::Queue of a template with its properties
// read, SQS's defaults filled in.
type QueueResource struct {
	LogicalID string
	Name      string // QueueName, or the name CloudFormation makes up
	URL, ARN  string
	// VisibilityTimeout is 30 s unless set; Retention 4 days.
	VisibilityTimeout, Delay, ReceiveWait, Retention time.Duration
	MaxMessageSize                                   int // bytes
	// DeadLetterQueue is the logical id of RedrivePolicy's
	// deadLetterTargetArn, a message moving there once received
	// MaxReceiveCount times; "" without a RedrivePolicy.
	DeadLetterQueue string
	MaxReceiveCount int
}

// ReadQueues reads the template's queues, sorted by logical id.
func ReadQueues(t *cloudformation.Template) []QueueResource {
	var queues []QueueResource
	for _, id := range t.OfType("AWS::SQS::Queue") {
		p := t.Properties(id)
		q := QueueResource{
			LogicalID:         id,
			Name:              t.Name(id),
			VisibilityTimeout: cloudformation.Seconds(p["VisibilityTimeout"], defaultVisibility),
			Delay:             cloudformation.Seconds(p["DelaySeconds"], 0),
			ReceiveWait:       cloudformation.Seconds(p["ReceiveMessageWaitTimeSeconds"], 0),
			Retention:         cloudformation.Seconds(p["MessageRetentionPeriod"], defaultRetention),
			MaxMessageSize:    defaultMaxMessageSize,
		}
		q.URL = t.Ref(id)
		q.ARN = t.ARN("sqs", q.Name)
		if n, ok := cloudformation.Int(p["MaximumMessageSize"]); ok {
			q.MaxMessageSize = n
		}
		if fifo, _ := p["FifoQueue"].(bool); fifo || cloudformation.String(p["FifoQueue"]) == "true" || strings.HasSuffix(q.Name, ".fifo") {
			t.Warnf(id, "a FIFO queue is served as a standard queue: no ordering by message group, no deduplication")
		}
		if policy := redrivePolicy(p["RedrivePolicy"]); policy != nil {
			target := cloudformation.String(policy["deadLetterTargetArn"])
			q.MaxReceiveCount, _ = cloudformation.Int(policy["maxReceiveCount"])
			switch dlq, ok := QueueByARN(t, target); {
			case !ok:
				t.Warnf(id, "RedrivePolicy's deadLetterTargetArn %s is no queue of this template: messages are not moved", target)
			case q.MaxReceiveCount < 1:
				t.Warnf(id, "RedrivePolicy has no maxReceiveCount of 1 or more: messages are not moved")
			default:
				q.DeadLetterQueue = dlq
			}
		}
		queues = append(queues, q)
	}
	return queues
}

// redrivePolicy reads a RedrivePolicy, given as an object or, as
// CloudFormation also takes it, as a JSON string.
func redrivePolicy(v any) map[string]any {
	switch p := v.(type) {
	case map[string]any:
		return p
	case string:
		var m map[string]any
		if json.Unmarshal([]byte(p), &m) == nil {
			return m
		}
	}
	return nil
}

// QueueByARN finds the logical id of the template's queue with that ARN.
func QueueByARN(t *cloudformation.Template, arn string) (string, bool) {
	for _, id := range t.OfType("AWS::SQS::Queue") {
		if t.ARN("sqs", t.Name(id)) == arn {
			return id, true
		}
	}
	return "", false
}

// SpecOf is what the local SQS serves for a template's queue, its
// dead-letter queue named as the template's queues have it.
func SpecOf(q QueueResource, queues []QueueResource) QueueSpec {
	spec := QueueSpec{
		Name: q.Name, VisibilityTimeout: q.VisibilityTimeout, Delay: q.Delay, ReceiveWait: q.ReceiveWait,
		Retention: q.Retention, MaxMessageSize: q.MaxMessageSize, MaxReceiveCount: q.MaxReceiveCount,
	}
	if i := slices.IndexFunc(queues, func(d QueueResource) bool { return d.LogicalID == q.DeadLetterQueue }); i >= 0 {
		spec.DeadLetterQueue = queues[i].Name
	}
	return spec
}
