package sqslocal

import (
	"container/heap"
	"context"
	"slices"
	"strconv"
	"time"
)

type receivedMessage struct {
	MessageID         string `json:"MessageId"`
	ReceiptHandle     string
	MD5OfBody         string
	Body              string
	Attributes        map[string]string `json:",omitempty"`
	MessageAttributes map[string]any    `json:",omitempty"`
}

func (s *Server) receiveMessage(ctx context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL                    string `json:"QueueUrl"`
		MaxNumberOfMessages         *int
		VisibilityTimeout           *int
		WaitTimeSeconds             *int
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	maxN := 1
	if in.MaxNumberOfMessages != nil {
		maxN = *in.MaxNumberOfMessages
		if maxN < 1 || maxN > maxBatchEntries {
			return nil, invalidParameter("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", maxN)
		}
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibilitySeconds) {
		return nil, invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *in.VisibilityTimeout)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20) {
		return nil, invalidParameter("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	want := attributeSet(append(in.AttributeNames, in.MessageSystemAttributeNames...))
	var visibility, wait *time.Duration
	if in.VisibilityTimeout != nil {
		v := time.Duration(*in.VisibilityTimeout) * time.Second
		visibility = &v
	}
	if in.WaitTimeSeconds != nil {
		w := time.Duration(*in.WaitTimeSeconds) * time.Second
		wait = &w
	}
	got, err := s.receiveWaiting(ctx, in.QueueURL, maxN, visibility, wait)
	if err != nil {
		return nil, err
	}
	out := make([]receivedMessage, len(got))
	for i, m := range got {
		out[i] = m.filtered(want, in.MessageAttributeNames)
	}
	return map[string]any{"Messages": out}, nil
}

// Receive takes up to max messages of the queue named, waiting up to wait
// for the first, as a ReceiveMessage with that WaitTimeSeconds and the
// queue's visibility timeout does. It is how Lambda's poller reads a
// queue: in the process, not over HTTP, as Lambda's pollers are AWS's own.
func (s *Server) Receive(ctx context.Context, queue string, max int, wait time.Duration) ([]Message, error) {
	got, err := s.receiveWaiting(ctx, queue, max, nil, &wait)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(got))
	for i, m := range got {
		out[i] = Message{
			ID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, MD5OfBody: m.MD5OfBody,
			Attributes: m.Attributes, MessageAttributes: m.MessageAttributes,
		}
	}
	return out, nil
}

// Message is a received message, with every system attribute.
type Message struct {
	ID, ReceiptHandle, Body, MD5OfBody string
	Attributes                         map[string]string
	MessageAttributes                  map[string]any
}

// receiveWaiting receives, long polling until a message is visible, the
// wait is over, the caller goes or the server closes; nil visibility and
// wait are the queue's.
func (s *Server) receiveWaiting(ctx context.Context, url string, maxN int, visibility, wait *time.Duration) ([]receivedMessage, *apiError) {
	s.mu.Lock()
	q, err := s.lookup(url)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	deadline := time.Now().Add(q.spec.ReceiveWait)
	if wait != nil {
		deadline = time.Now().Add(*wait)
	}
	for {
		t := time.Now()
		vis := q.spec.VisibilityTimeout
		if visibility != nil {
			vis = *visibility
		}
		got, moved := s.receive(q, maxN, vis, t)
		if len(got) > 0 || !t.Before(deadline) {
			out := make([]receivedMessage, len(got))
			for i, m := range got {
				out[i] = received(m)
			}
			s.mu.Unlock()
			s.notify(moved)
			return out, nil
		}
		// Nothing yet: sleep until a send, a message's visibility, the
		// wait's end, or the caller or server goes.
		wake := q.wake
		until := deadline
		if next, ok := q.next(); ok && next.Before(until) {
			until = next
		}
		q.waiting++
		s.mu.Unlock()
		s.notify(moved)
		timer := time.NewTimer(time.Until(until))
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
		case <-s.done:
			deadline = time.Time{}
		}
		timer.Stop()
		s.mu.Lock()
		q.waiting--
		if ctx.Err() != nil {
			s.mu.Unlock()
			return nil, errorf("RequestCanceled", "", "the request was canceled: %v", ctx.Err())
		}
		if s.queues[q.spec.Name] != q {
			s.mu.Unlock()
			return nil, nil
		}
	}
}

// receive takes up to n visible messages in flight for visibility; the
// caller holds s.mu. A message already received MaxReceiveCount times is
// moved to the dead-letter queue instead, as SQS's redrive does.
func (s *Server) receive(q *queue, n int, visibility time.Duration, t time.Time) (got []*message, moved []Moved) {
	q.settle(t)
	var dlq *queue
	if q.spec.DeadLetterQueue != "" && q.spec.MaxReceiveCount > 0 {
		dlq = s.queues[q.spec.DeadLetterQueue]
	}
	for len(got) < n && len(q.visible) > 0 {
		m := q.visible[0]
		q.visible[0] = nil
		q.visible = q.visible[1:]
		switch {
		case m.deleted:
			continue
		case q.expired(m, t):
			q.remove(m)
			continue
		case dlq != nil && m.receiveCount >= q.spec.MaxReceiveCount:
			q.remove(m)
			moved = append(moved, Moved{Queue: q.spec.Name, DeadLetterQueue: dlq.spec.Name, MessageID: m.id, ReceiveCount: m.receiveCount, Body: m.body})
			dlq.add(&message{id: m.id, body: m.body, md5: m.md5, attributes: m.attributes, sent: m.sent, index: -1}, t, 0)
			continue
		}
		m.receiveCount++
		if m.firstReceive.IsZero() {
			m.firstReceive = t
		}
		m.receipt = q.receipt(m)
		m.until = t.Add(visibility)
		heap.Push(&q.pending, m)
		got = append(got, m)
	}
	return got, moved
}

// attributeSet reads the system attributes asked for; All is every one.
func attributeSet(names []string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

func received(m *message) receivedMessage {
	return receivedMessage{
		MessageID: m.id, ReceiptHandle: m.receipt, MD5OfBody: m.md5, Body: m.body,
		Attributes: map[string]string{
			"ApproximateReceiveCount":          strconv.Itoa(m.receiveCount),
			"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
			"SenderId":                         senderID,
		},
		MessageAttributes: m.attributes,
	}
}

// senderID is the account's root user, as SQS names a sender.
const senderID = "AIDAIENQZJOLO23YVJ4VO"

// filtered keeps the system and message attributes a receive asked for.
func (m receivedMessage) filtered(want map[string]bool, attrNames []string) receivedMessage {
	attrs := map[string]string{}
	for name, value := range m.Attributes {
		if want["All"] || want[name] {
			attrs[name] = value
		}
	}
	m.Attributes = nil
	if len(attrs) > 0 {
		m.Attributes = attrs
	}
	all := slices.Contains(attrNames, "All") || slices.Contains(attrNames, ".*")
	picked := map[string]any{}
	for n, v := range m.MessageAttributes {
		if all || slices.Contains(attrNames, n) {
			picked[n] = v
		}
	}
	m.MessageAttributes = nil
	if len(picked) > 0 {
		m.MessageAttributes = picked
	}
	return m
}
