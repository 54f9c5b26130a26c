package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/offline/internal/sqslocal"
)

// Queue is what a poller reads a queue through; *sqslocal.Server is one.
// The poller works in the process, as Lambda's pollers are AWS's own and
// not a client of the queue's public endpoint.
type Queue interface {
	Receive(ctx context.Context, queue string, max int, wait time.Duration) ([]sqslocal.Message, error)
	Delete(queue string, receiptHandles ...string) error
}

// Invoker runs a function; *lambda.Invoker is one. route names the
// invocation's source in traces: the mapping's logical id here.
type Invoker interface {
	InvokeFor(ctx context.Context, key, route string, payload []byte) ([]byte, error)
}

// Mapping is an event source mapping, as the template declares it.
type Mapping struct {
	ID       string // the mapping's logical id
	Queue    string // the queue's name
	QueueARN string // eventSourceARN in the records
	Region   string // awsRegion in the records
	Function string // the function's key, as the Invoker knows it
	// BatchSize is at most how many messages one invocation gets, and
	// BatchingWindow how long a batch gathers before it is sent short.
	BatchSize      int
	BatchingWindow time.Duration
	// MaximumConcurrency bounds the batches in flight; 0 is Lambda's
	// unset, bounded here by defaultConcurrency.
	MaximumConcurrency      int
	ReportBatchItemFailures bool
}

// Result is what became of one batch.
type Result struct {
	Mapping  string
	Function string
	Messages int
	// Deleted messages were processed; the others are redelivered after
	// the queue's visibility timeout.
	Deleted  int
	Duration time.Duration
	// Err is the function's error, an unreadable batch response, or a
	// failed delete; nil when every message was processed.
	Err error
}

// Limits Lambda applies to a batch (Using Lambda with Amazon SQS).
const (
	receiveMax = 10 // messages one ReceiveMessage returns
	// longPoll is the wait of a poller's receive, SQS's longest.
	longPoll = 20 * time.Second
	// maxPayload is Lambda's synchronous invocation payload limit: a batch
	// stops gathering before it would exceed it.
	maxPayload = 6 << 20
	// defaultConcurrency bounds a mapping with no MaximumConcurrency, the
	// most MaximumConcurrency can be.
	defaultConcurrency = 1000
	// retryAfter spaces receives that fail, such as on a queue removed.
	retryAfter = time.Second
)

// poller runs one mapping until stopped.
type poller struct {
	m       Mapping
	queue   Queue
	invoker Invoker
	report  func(Result)
	// ctx ends invocations (the gateway is going); stop ends polling.
	ctx      context.Context
	stop     context.CancelFunc
	inFlight *sync.WaitGroup
	done     chan struct{}
}

func (p *poller) run(pollCtx context.Context) {
	defer close(p.done)
	limit := p.m.MaximumConcurrency
	if limit <= 0 {
		limit = defaultConcurrency
	}
	slots := make(chan struct{}, limit)
	for {
		select {
		case slots <- struct{}{}:
		case <-pollCtx.Done():
			return
		}
		batch, err := p.gather(pollCtx)
		if len(batch) > 0 {
			p.inFlight.Go(func() {
				defer func() { <-slots }()
				p.invoke(batch)
			})
		} else {
			<-slots
		}
		if pollCtx.Err() != nil {
			return
		}
		if err != nil {
			p.report(Result{Mapping: p.m.ID, Function: p.m.Function, Err: fmt.Errorf("receiving from %s: %w", p.m.Queue, err)})
			timer := time.NewTimer(retryAfter)
			select {
			case <-timer.C:
			case <-pollCtx.Done():
				timer.Stop()
				return
			}
		}
	}
}

// gather receives a batch: it waits for a first message, then takes more
// until BatchSize, the batching window's end or the payload limit.
func (p *poller) gather(ctx context.Context) ([]sqslocal.Message, error) {
	batch, err := p.queue.Receive(ctx, p.m.Queue, min(receiveMax, p.m.BatchSize), longPoll)
	if err != nil || len(batch) == 0 {
		return batch, err
	}
	size := 0
	for _, m := range batch {
		size += len(m.Body)
	}
	windowEnd := time.Now().Add(p.m.BatchingWindow)
	for len(batch) < p.m.BatchSize && size < maxPayload/2 {
		wait := time.Until(windowEnd)
		if wait <= 0 {
			break
		}
		more, err := p.queue.Receive(ctx, p.m.Queue, min(receiveMax, p.m.BatchSize-len(batch)), wait)
		if err != nil {
			// What was gathered is invoked; the error shows on the next
			// receive if it lasts.
			break
		}
		for _, m := range more {
			size += len(m.Body)
			// A window longer than the visibility timeout receives a
			// message again: the batch keeps it once, with the newest
			// receipt handle, the one that can delete it.
			if i := slices.IndexFunc(batch, func(b sqslocal.Message) bool { return b.ID == m.ID }); i >= 0 {
				batch[i] = m
				continue
			}
			batch = append(batch, m)
		}
	}
	return batch, nil
}

// invoke runs the function on a batch and deletes what it processed.
func (p *poller) invoke(batch []sqslocal.Message) {
	start := time.Now()
	res := Result{Mapping: p.m.ID, Function: p.m.Function, Messages: len(batch)}
	defer func() {
		res.Duration = time.Since(start)
		p.report(res)
	}()
	payload, err := json.Marshal(p.event(batch))
	if err != nil {
		res.Err = fmt.Errorf("encoding the batch: %w", err)
		return
	}
	out, err := p.invoker.InvokeFor(p.ctx, p.m.Function, p.m.ID, payload)
	if err != nil {
		res.Err = &FunctionError{Function: p.m.Function, Err: err}
		return
	}
	processed, err := p.processed(batch, out)
	if err != nil {
		res.Err = err
	}
	handles := make([]string, 0, len(processed))
	for _, m := range processed {
		handles = append(handles, m.ReceiptHandle)
	}
	if len(handles) == 0 {
		return
	}
	if err := p.queue.Delete(p.m.Queue, handles...); err != nil {
		res.Err = errors.Join(res.Err, fmt.Errorf("deleting from %s: %w", p.m.Queue, err))
		return
	}
	res.Deleted = len(handles)
}

// FunctionError is a function's failure on a batch, none of which is
// deleted.
type FunctionError struct {
	Function string
	Err      error
}

func (e *FunctionError) Error() string { return "function " + e.Function + " failed: " + e.Err.Error() }
func (e *FunctionError) Unwrap() error { return e.Err }

// ErrBatchResponse is a response that reports batch item failures Lambda
// cannot read: none of the batch is deleted, as AWS does.
var ErrBatchResponse = errors.New("the batch response cannot be read: the whole batch failed")

// processed is what of a batch the function processed. Without
// ReportBatchItemFailures, all of it. With it, all but the reported
// failures; an unreadable response, or a failure whose itemIdentifier is
// empty or no message of the batch, fails the whole batch.
func (p *poller) processed(batch []sqslocal.Message, out []byte) ([]sqslocal.Message, error) {
	if !p.m.ReportBatchItemFailures || len(out) == 0 || string(out) == "null" {
		return batch, nil
	}
	var resp *events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBatchResponse, err)
	}
	if resp == nil {
		return batch, nil
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var kept []sqslocal.Message
	for _, m := range batch {
		if !failed[m.ID] {
			kept = append(kept, m)
		}
		delete(failed, m.ID)
	}
	if len(failed) > 0 {
		for id := range failed {
			return nil, fmt.Errorf("%w: itemIdentifier %q is no message of the batch", ErrBatchResponse, id)
		}
	}
	return kept, nil
}

// event is the batch as Lambda delivers it.
func (p *poller) event(batch []sqslocal.Message) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(batch))}
	for i, m := range batch {
		ev.Records[i] = events.SQSMessage{
			MessageId: m.ID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, Md5OfBody: m.MD5OfBody,
			Attributes: m.Attributes, MessageAttributes: messageAttributes(m.MessageAttributes),
			EventSource: "aws:sqs", EventSourceARN: p.m.QueueARN, AWSRegion: p.m.Region,
		}
	}
	return ev
}

// messageAttributes turns attributes as SQS's API carries them
// (StringValue, DataType) into the event's (stringValue, dataType).
func messageAttributes(in map[string]any) map[string]events.SQSMessageAttribute {
	out := map[string]events.SQSMessageAttribute{}
	for name, v := range in {
		raw, _ := json.Marshal(v) // v was decoded from JSON
		var a struct {
			StringValue      *string
			BinaryValue      []byte
			StringListValues []string
			BinaryListValues [][]byte
			DataType         string
		}
		if json.Unmarshal(raw, &a) == nil {
			out[name] = events.SQSMessageAttribute(a)
		}
	}
	return out
}
