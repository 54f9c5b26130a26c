package sqslocal

import (
	"container/heap"
	"context"
	"time"
)

const maxVisibilitySeconds = 43200

func (s *Server) changeMessageVisibility(_ context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL          string `json:"QueueUrl"`
		ReceiptHandle     string
		VisibilityTimeout *int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout == nil {
		return nil, errorf("MissingParameter", "", "The request must contain the parameter VisibilityTimeout.")
	}
	if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibilitySeconds {
		return nil, invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", *in.VisibilityTimeout)
	}
	if err := s.changeVisibility(in.QueueURL, in.ReceiptHandle, time.Duration(*in.VisibilityTimeout)*time.Second); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// ChangeVisibility makes an in-flight message visible again after
// timeout, counted from now, as ChangeMessageVisibility does.
func (s *Server) ChangeVisibility(queue, receiptHandle string, timeout time.Duration) error {
	if err := s.changeVisibility(queue, receiptHandle, timeout); err != nil {
		return err
	}
	return nil
}

func (s *Server) changeVisibility(url, receipt string, timeout time.Duration) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(url)
	if err != nil {
		return err
	}
	m, err := q.inFlight(receipt)
	if err != nil {
		return err
	}
	if m == nil || m.receipt != receipt || m.index < 0 {
		return errorf("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
	}
	t := time.Now()
	m.until = t.Add(timeout)
	heap.Fix(&q.pending, m.index)
	q.settle(t)
	return nil
}
