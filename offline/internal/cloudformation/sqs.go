package cloudformation

import (
	"encoding/json"
	"strings"
	"time"
)

// Queue is an AWS::SQS::Queue with its properties read, SQS's defaults
// filled in.
type Queue struct {
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

// SQS's defaults for a queue's attributes (CreateQueue).
const (
	defaultVisibilityTimeout = 30 * time.Second
	defaultRetention         = 4 * 24 * time.Hour
	defaultMaxMessageSize    = 262144
)

// queues reads the template's queues, sorted by logical id.
func (rd *reading) queues() {
	for _, id := range sortedKeys(rd.res) {
		res := rd.res[id]
		if res.Type != "AWS::SQS::Queue" {
			continue
		}
		p := res.Properties
		q := Queue{
			LogicalID:         id,
			Name:              rd.r.name(id, rd.raw[id]),
			VisibilityTimeout: seconds(p["VisibilityTimeout"], defaultVisibilityTimeout),
			Delay:             seconds(p["DelaySeconds"], 0),
			ReceiveWait:       seconds(p["ReceiveMessageWaitTimeSeconds"], 0),
			Retention:         seconds(p["MessageRetentionPeriod"], defaultRetention),
			MaxMessageSize:    defaultMaxMessageSize,
		}
		q.URL = scalar(refValue(rd.r, id, rd.raw[id]))
		q.ARN = rd.r.arn("sqs", q.Name)
		if n, ok := number(p["MaximumMessageSize"]); ok {
			q.MaxMessageSize = n
		}
		if fifo, _ := p["FifoQueue"].(bool); fifo || str(p["FifoQueue"]) == "true" || strings.HasSuffix(q.Name, ".fifo") {
			rd.warnf(id, "a FIFO queue is served as a standard queue: no ordering by message group, no deduplication")
		}
		if policy := redrivePolicy(p["RedrivePolicy"]); policy != nil {
			target := str(policy["deadLetterTargetArn"])
			q.MaxReceiveCount, _ = number(policy["maxReceiveCount"])
			switch dlq, ok := rd.queueByARN(target); {
			case !ok:
				rd.warnf(id, "RedrivePolicy's deadLetterTargetArn %s is no queue of this template: messages are not moved", target)
			case q.MaxReceiveCount < 1:
				rd.warnf(id, "RedrivePolicy has no maxReceiveCount of 1 or more: messages are not moved")
			default:
				q.DeadLetterQueue = dlq
			}
		}
		rd.s.Queues = append(rd.s.Queues, q)
	}
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

// queueByARN finds the logical id of the template's queue with that ARN.
func (rd *reading) queueByARN(arn string) (string, bool) {
	for _, id := range sortedKeys(rd.res) {
		if res := rd.res[id]; res.Type == "AWS::SQS::Queue" && rd.r.arn("sqs", rd.r.name(id, rd.raw[id])) == arn {
			return id, true
		}
	}
	return "", false
}

// seconds reads a whole number of seconds, or gives def when unset.
func seconds(v any, def time.Duration) time.Duration {
	if n, ok := number(v); ok {
		return time.Duration(n) * time.Second
	}
	return def
}
