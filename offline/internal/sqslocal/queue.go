package sqslocal

import (
	"container/heap"
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"time"
)

// QueueSpec is a queue's configuration, as AWS::SQS::Queue declares it.
type QueueSpec struct {
	Name              string
	VisibilityTimeout time.Duration
	Delay             time.Duration
	ReceiveWait       time.Duration
	Retention         time.Duration
	MaxMessageSize    int // bytes; 0 is SQS's default, 256 KiB
	// DeadLetterQueue names the queue a message moves to once it has been
	// received MaxReceiveCount times without being deleted; "" for none.
	DeadLetterQueue string
	MaxReceiveCount int
}

// Moved says that a message was moved to its queue's dead-letter queue.
type Moved struct {
	Queue, DeadLetterQueue, MessageID string
	ReceiveCount                      int
	// Body is the message's body, as sent: what says which of the
	// sender's messages it was.
	Body string
}

// SQS's defaults and limits for a standard queue.
const (
	defaultVisibility     = 30 * time.Second
	defaultRetention      = 4 * 24 * time.Hour
	defaultMaxMessageSize = 256 * 1024
	maxBatchEntries       = 10
)

func (s QueueSpec) withDefaults() QueueSpec {
	if s.VisibilityTimeout == 0 {
		s.VisibilityTimeout = defaultVisibility
	}
	if s.Retention == 0 {
		s.Retention = defaultRetention
	}
	if s.MaxMessageSize == 0 {
		s.MaxMessageSize = defaultMaxMessageSize
	}
	return s
}

type message struct {
	id, body, md5 string
	attributes    map[string]any // MessageAttributes, passed through
	sent          time.Time
	firstReceive  time.Time
	receiveCount  int
	// receipt is the handle of the latest receive; "" while visible.
	receipt string
	// until is when a delayed or in-flight message becomes visible.
	until   time.Time
	deleted bool
	index   int // in the pending heap, -1 when not in it
}

// queue holds one queue's messages: those visible in arrival order, and
// those delayed or in flight in a heap by the time they become visible, so
// that a receive never scans the in-flight ones.
type queue struct {
	spec    QueueSpec
	arn     string
	visible []*message
	pending pendingHeap
	byID    map[string]*message
	// wake is closed and replaced when a message becomes visible, to
	// wake long polls without them polling.
	wake chan struct{}
	// waiting counts the long polls asleep on wake.
	waiting int
	seq     uint64
}

func newQueue(spec QueueSpec, arn string) *queue {
	return &queue{spec: spec.withDefaults(), arn: arn, byID: map[string]*message{}, wake: make(chan struct{})}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (q *queue) signal() {
	close(q.wake)
	q.wake = make(chan struct{})
}

func (q *queue) add(m *message, now time.Time, delay time.Duration) {
	q.byID[m.id] = m
	if delay > 0 {
		m.until = now.Add(delay)
		heap.Push(&q.pending, m)
		return
	}
	q.visible = append(q.visible, m)
	q.signal()
}

// settle makes visible what is due at now and drops what is past retention.
func (q *queue) settle(now time.Time) {
	woke := false
	for len(q.pending) > 0 && !q.pending[0].until.After(now) {
		m := heap.Pop(&q.pending).(*message)
		m.receipt = ""
		q.visible = append(q.visible, m)
		woke = true
	}
	if woke {
		q.signal()
	}
}

func (q *queue) expired(m *message, now time.Time) bool {
	return now.Sub(m.sent) > q.spec.Retention
}

// next is when the earliest pending message becomes visible.
func (q *queue) next() (time.Time, bool) {
	if len(q.pending) == 0 {
		return time.Time{}, false
	}
	return q.pending[0].until, true
}

func (q *queue) receipt(m *message) string {
	q.seq++
	return m.id + ":" + strconv.FormatUint(q.seq, 36)
}

func (q *queue) remove(m *message) {
	m.deleted = true
	delete(q.byID, m.id)
	if m.index >= 0 {
		heap.Remove(&q.pending, m.index)
	}
}

type pendingHeap []*message

func (h pendingHeap) Len() int           { return len(h) }
func (h pendingHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h pendingHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *pendingHeap) Push(x any) {
	m := x.(*message)
	m.index = len(*h)
	*h = append(*h, m)
}
func (h *pendingHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	old[len(old)-1] = nil
	m.index = -1
	*h = old[:len(old)-1]
	return m
}
