package sqslocal

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

func (s *Server) getQueueURL(_ context.Context, body []byte) (any, *apiError) {
	var in struct{ QueueName string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok || in.QueueName == "" {
		return nil, noQueue(in.QueueName)
	}
	return map[string]string{"QueueUrl": s.URL(in.QueueName)}, nil
}

func (s *Server) getQueueAttributes(_ context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL       string `json:"QueueUrl"`
		AttributeNames []string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueURL)
	if err != nil {
		return nil, err
	}
	all := q.attributes(time.Now())
	if q.spec.DeadLetterQueue != "" {
		policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": s.ARN(q.spec.DeadLetterQueue), "maxReceiveCount": q.spec.MaxReceiveCount})
		all["RedrivePolicy"] = string(policy)
	}
	out := map[string]string{}
	for _, n := range in.AttributeNames {
		if n == "All" {
			out = all
			break
		}
		v, ok := all[n]
		if !ok {
			return nil, errorf("InvalidAttributeName", "", "Unknown Attribute %s.", n)
		}
		out[n] = v
	}
	return map[string]any{"Attributes": out}, nil
}

// attributes are the queue's configuration and its approximate counts;
// the caller holds the server's lock.
func (q *queue) attributes(t time.Time) map[string]string {
	q.settle(t)
	visible, delayed, inFlight := 0, 0, 0
	for _, m := range q.visible {
		if m != nil && !m.deleted {
			visible++
		}
	}
	for _, m := range q.pending {
		if m.receipt == "" {
			delayed++
		} else {
			inFlight++
		}
	}
	secs := func(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }
	return map[string]string{
		"QueueArn":                              q.arn,
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inFlight),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(delayed),
		"VisibilityTimeout":                     secs(q.spec.VisibilityTimeout),
		"DelaySeconds":                          secs(q.spec.Delay),
		"ReceiveMessageWaitTimeSeconds":         secs(q.spec.ReceiveWait),
		"MessageRetentionPeriod":                secs(q.spec.Retention),
		"MaximumMessageSize":                    strconv.Itoa(q.spec.MaxMessageSize),
	}
}
