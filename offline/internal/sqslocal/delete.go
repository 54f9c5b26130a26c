package sqslocal

import (
	"context"
	"strings"
)

func (s *Server) deleteMessage(_ context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL      string `json:"QueueUrl"`
		ReceiptHandle string
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
	if err := q.delete(in.ReceiptHandle); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type receiptEntry struct {
	ID                string `json:"Id"`
	ReceiptHandle     string
	VisibilityTimeout int
}

type idOutput struct {
	ID string `json:"Id"`
}

func (s *Server) deleteMessageBatch(_ context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []receiptEntry
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.ID
	}
	if err := validBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueURL)
	if err != nil {
		return nil, err
	}
	out := batchOutput[idOutput]{Successful: []idOutput{}, Failed: []batchFailure{}}
	for _, e := range in.Entries {
		if err := q.delete(e.ReceiptHandle); err != nil {
			out.Failed = append(out.Failed, failure(e.ID, err))
			continue
		}
		out.Successful = append(out.Successful, idOutput{ID: e.ID})
	}
	return out, nil
}

// inFlight finds the message a receipt handle is for; nil, with no error,
// when the message is already gone.
func (q *queue) inFlight(receipt string) (*message, *apiError) {
	id, _, ok := strings.Cut(receipt, ":")
	if !ok || receipt == "" {
		return nil, errorf("ReceiptHandleIsInvalid", "", "The input receipt handle %q is not a valid receipt handle.", receipt)
	}
	return q.byID[id], nil
}

// delete deletes the message a receipt handle is for. As SQS documents, a
// handle from an earlier receive succeeds but deletes nothing, and a
// message already deleted deletes again without error.
func (q *queue) delete(receipt string) *apiError {
	m, err := q.inFlight(receipt)
	if err != nil || m == nil {
		return err
	}
	if m.receipt == receipt {
		q.remove(m)
	}
	return nil
}

// Delete deletes the messages of the queue named that the receipt handles
// are for, as DeleteMessageBatch does, in the process.
func (s *Server) Delete(queue string, receiptHandles ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queue)
	if err != nil {
		return err
	}
	for _, h := range receiptHandles {
		if err := q.delete(h); err != nil {
			return err
		}
	}
	return nil
}
