package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/offline/internal/sqslocal"
)

// invoker is a function that records the batches it is given and answers
// with respond.
type invoker struct {
	respond func(events.SQSEvent) ([]byte, error)
	batches chan events.SQSEvent
}

func (f *invoker) InvokeFor(_ context.Context, key, route string, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.batches <- ev
	if f.respond == nil {
		return nil, nil
	}
	return f.respond(ev)
}

type fixture struct {
	srv     *sqslocal.Server
	pollers *Pollers
	moved   chan sqslocal.Moved
	results chan Result
}

func setup(t *testing.T, inv Invoker, queues ...sqslocal.QueueSpec) *fixture {
	t.Helper()
	f := &fixture{moved: make(chan sqslocal.Moved, 100), results: make(chan Result, 1000)}
	f.srv = sqslocal.New(sqslocal.Options{Region: "us-east-1", AccountID: "000000000000", OnMoved: func(m sqslocal.Moved) { f.moved <- m }})
	for _, q := range queues {
		f.srv.Set(q)
	}
	f.pollers = New(t.Context(), f.srv, inv, func(r Result) { f.results <- r })
	t.Cleanup(func() {
		f.pollers.Close()
		f.srv.Close()
	})
	return f
}

func (f *fixture) send(t *testing.T, queue string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		req := fmt.Sprintf(`{"QueueUrl":%q,"MessageBody":%q}`, f.srv.URL(queue), b)
		if err := postJSON(f.srv, "SendMessage", req); err != nil {
			t.Fatal(err)
		}
	}
}

func bodies(ev events.SQSEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Body)
	}
	slices.Sort(out)
	return out
}

func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no invocation within 10 s")
		var zero T
		return zero
	}
}

func TestBatching(t *testing.T) {
	for _, tc := range []struct {
		name      string
		batchSize int
		window    time.Duration
		sent      int
		want      []int // records per invocation, sorted
	}{
		{"batch size 10, no window: receives of 10", 10, 0, 25, []int{5, 10, 10}},
		{"batch size 25 within the window: one batch", 25, 5 * time.Second, 25, []int{25}},
		{"the window ends a short batch", 100, 200 * time.Millisecond, 3, []int{3}},
		{"batch size 1", 1, 0, 3, []int{1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := &invoker{batches: make(chan events.SQSEvent, 100)}
			f := setup(t, inv, sqslocal.QueueSpec{Name: "q"})
			var sent []string
			for i := range tc.sent {
				sent = append(sent, fmt.Sprintf("m%02d", i))
			}
			f.send(t, "q", sent...)
			f.pollers.Set(Mapping{ID: "M", Queue: "q", QueueARN: "arn:aws:sqs:us-east-1:000000000000:q", Region: "us-east-1",
				Function: "worker", BatchSize: tc.batchSize, BatchingWindow: tc.window, MaximumConcurrency: 2})
			var got []string
			var sizes []int
			for range tc.want {
				ev := next(t, inv.batches)
				sizes = append(sizes, len(ev.Records))
				r := ev.Records[0]
				if r.EventSource != "aws:sqs" || r.EventSourceARN != "arn:aws:sqs:us-east-1:000000000000:q" || r.AWSRegion != "us-east-1" ||
					r.Md5OfBody == "" || r.Attributes["ApproximateReceiveCount"] != "1" {
					t.Errorf("record %+v", r)
				}
				got = append(got, bodies(ev)...)
			}
			slices.Sort(got)
			slices.Sort(sizes)
			if !slices.Equal(sizes, tc.want) {
				t.Errorf("invocations of %v records, want %v", sizes, tc.want)
			}
			if !slices.Equal(got, sent) {
				t.Errorf("invoked with %v, want %v", got, sent)
			}
			for range tc.want {
				if r := <-f.results; r.Err != nil || r.Deleted != r.Messages {
					t.Errorf("result %+v, want every message deleted", r)
				}
			}
		})
	}
}

func TestMaximumConcurrency(t *testing.T) {
	var now, peak atomic.Int32
	release := make(chan struct{})
	// counted hears of each batch once it is counted in now and peak, so
	// that the test reads peak after the batches it waited for recorded it.
	counted := make(chan struct{}, 100)
	inv := &invoker{batches: make(chan events.SQSEvent, 100), respond: func(events.SQSEvent) ([]byte, error) {
		n := now.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		counted <- struct{}{}
		<-release
		now.Add(-1)
		return nil, nil
	}}
	f := setup(t, inv, sqslocal.QueueSpec{Name: "q"})
	f.send(t, "q", "1", "2", "3", "4", "5", "6", "7", "8")
	f.pollers.Set(Mapping{ID: "M", Queue: "q", Function: "worker", BatchSize: 1, MaximumConcurrency: 3})
	for range 3 {
		next(t, counted)
	}
	if p := peak.Load(); p != 3 {
		t.Fatalf("peak concurrency %d with three batches held, want 3", p)
	}
	// Three batches are in the function; a fourth must wait for one.
	select {
	case <-counted:
		t.Fatal("a fourth batch was invoked while three were in flight")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	for range 5 {
		next(t, counted)
	}
	if p := peak.Load(); p != 3 {
		t.Errorf("peak concurrency %d, want 3", p)
	}
}

func TestBatchItemFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		response func(events.SQSEvent) ([]byte, error)
		report   bool
		again    []string // bodies redelivered
	}{
		{"reported failure is redelivered, the rest deleted", failing("bad", ""), true, []string{"bad"}},
		{"an unknown itemIdentifier fails the whole batch", failing("", "no-such-id"), true, []string{"a", "b", "bad"}},
		{"an empty itemIdentifier fails the whole batch", func(events.SQSEvent) ([]byte, error) {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`), nil
		}, true, []string{"a", "b", "bad"}},
		{"a response that is not JSON fails the whole batch", func(events.SQSEvent) ([]byte, error) {
			return []byte(`"done"`), nil
		}, true, []string{"a", "b", "bad"}},
		{"without ReportBatchItemFailures the response is not read", failing("bad", ""), false, nil},
		{"a function error deletes nothing", func(events.SQSEvent) ([]byte, error) {
			return nil, errors.New("Runtime.ExitError")
		}, true, []string{"a", "b", "bad"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			inv := &invoker{batches: make(chan events.SQSEvent, 100)}
			inv.respond = func(ev events.SQSEvent) ([]byte, error) {
				if calls.Add(1) > 1 {
					return nil, nil
				}
				return tc.response(ev)
			}
			f := setup(t, inv, sqslocal.QueueSpec{Name: "q", VisibilityTimeout: 200 * time.Millisecond})
			f.send(t, "q", "a", "b", "bad")
			f.pollers.Set(Mapping{ID: "M", Queue: "q", Function: "worker", BatchSize: 10, ReportBatchItemFailures: tc.report})
			if got := bodies(next(t, inv.batches)); !slices.Equal(got, []string{"a", "b", "bad"}) {
				t.Fatalf("first batch %v", got)
			}
			if tc.again == nil {
				select {
				case ev := <-inv.batches:
					t.Fatalf("redelivered %v, want nothing", bodies(ev))
				case <-time.After(time.Second): // five visibility timeouts
				}
				return
			}
			ev := next(t, inv.batches)
			if got := bodies(ev); !slices.Equal(got, tc.again) {
				t.Fatalf("redelivered %v, want %v", got, tc.again)
			}
			if n := ev.Records[0].Attributes["ApproximateReceiveCount"]; n != "2" {
				t.Errorf("ApproximateReceiveCount %s, want 2", n)
			}
		})
	}
}

// failing reports as failed the message with body, or the id given.
func failing(body, id string) func(events.SQSEvent) ([]byte, error) {
	return func(ev events.SQSEvent) ([]byte, error) {
		resp := events.SQSEventResponse{}
		for _, r := range ev.Records {
			if r.Body == body {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		if id != "" {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
		}
		return json.Marshal(resp)
	}
}

func TestCrashRedeliveryAndDeadLetterQueue(t *testing.T) {
	inv := &invoker{batches: make(chan events.SQSEvent, 100), respond: func(events.SQSEvent) ([]byte, error) {
		return nil, errors.New("signal: segmentation fault")
	}}
	f := setup(t, inv,
		sqslocal.QueueSpec{Name: "dlq"},
		sqslocal.QueueSpec{Name: "q", VisibilityTimeout: 100 * time.Millisecond, DeadLetterQueue: "dlq", MaxReceiveCount: 3})
	f.send(t, "q", "poison")
	f.pollers.Set(Mapping{ID: "M", Queue: "q", Function: "worker", BatchSize: 10})
	var id string
	for receive := 1; receive <= 3; receive++ {
		ev := next(t, inv.batches)
		id = ev.Records[0].MessageId
		if n := ev.Records[0].Attributes["ApproximateReceiveCount"]; n != fmt.Sprint(receive) {
			t.Fatalf("delivery %d has ApproximateReceiveCount %s", receive, n)
		}
	}
	select {
	case m := <-f.moved:
		want := sqslocal.Moved{Queue: "q", DeadLetterQueue: "dlq", MessageID: id, ReceiveCount: 3, Body: "poison"}
		if m != want {
			t.Fatalf("moved %+v, want %+v", m, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the message was not moved to the dead-letter queue")
	}
	got, err := f.srv.Receive(t.Context(), "dlq", 10, 0)
	if err != nil || len(got) != 1 || got[0].ID != id || got[0].Body != "poison" {
		t.Fatalf("dead-letter queue holds %+v, %v", got, err)
	}
	var failed *FunctionError
	if r := <-f.results; !errors.As(r.Err, &failed) || r.Deleted != 0 {
		t.Errorf("result %+v, want a FunctionError and nothing deleted", r)
	}
}

func TestSetRemoveClose(t *testing.T) {
	release := make(chan struct{})
	var finished atomic.Int32
	inv := &invoker{batches: make(chan events.SQSEvent, 100), respond: func(events.SQSEvent) ([]byte, error) {
		<-release
		finished.Add(1)
		return nil, nil
	}}
	f := setup(t, inv, sqslocal.QueueSpec{Name: "q"}, sqslocal.QueueSpec{Name: "r"})
	f.pollers.Set(Mapping{ID: "M", Queue: "q", Function: "worker", BatchSize: 10})
	f.send(t, "q", "one")
	next(t, inv.batches)
	// A new setting moves the mapping to another queue; the batch in
	// flight is not cut short.
	f.pollers.Set(Mapping{ID: "M", Queue: "r", Function: "worker", BatchSize: 10})
	f.send(t, "r", "two")
	if got := bodies(next(t, inv.batches)); !slices.Equal(got, []string{"two"}) {
		t.Fatalf("after Set, invoked with %v", got)
	}
	f.pollers.Remove("M")
	f.send(t, "r", "three")
	done := make(chan struct{})
	go func() {
		f.pollers.Close()
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("Close returned with batches in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-done
	if n := finished.Load(); n != 2 {
		t.Errorf("%d batches finished, want 2", n)
	}
	select {
	case ev := <-inv.batches:
		t.Errorf("a removed mapping invoked with %v", bodies(ev))
	default:
	}
}

// postJSON calls the server's JSON protocol, as a function's SDK does.
func postJSON(h *sqslocal.Server, op, body string) error {
	rec := newRecorder()
	h.ServeHTTP(rec, newRequest(op, body))
	if rec.Code != 200 {
		return fmt.Errorf("%s: %d %s", op, rec.Code, rec.Body.String())
	}
	return nil
}

func TestWindowLongerThanVisibilityKeepsEachMessageOnce(t *testing.T) {
	inv := &invoker{batches: make(chan events.SQSEvent, 100)}
	f := setup(t, inv, sqslocal.QueueSpec{Name: "q", VisibilityTimeout: 50 * time.Millisecond})
	f.send(t, "q", "a", "b")
	f.pollers.Set(Mapping{ID: "M", Queue: "q", Function: "worker", BatchSize: 20, BatchingWindow: 400 * time.Millisecond})
	if got := bodies(next(t, inv.batches)); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("batch %v, want each message once", got)
	}
	if r := <-f.results; r.Err != nil || r.Deleted != 2 {
		t.Fatalf("result %+v: the newest receipt handles must delete both", r)
	}
}
