package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rs/zerolog"

	"wsapi/shared/connections"
	"wsapi/shared/fanoutqueue"
	"wsapi/shared/logging"
)

type api struct {
	mu     sync.Mutex
	posted map[string]int
	answer map[string]error
}

func (a *api) Post(_ context.Context, id string, _ []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.posted[id]++
	return a.answer[id]
}

type queue struct {
	jobs   []fanoutqueue.Job
	delays []time.Duration
	err    error
}

func (q *queue) Enqueue(_ context.Context, jobs []fanoutqueue.Job, delay time.Duration) error {
	if q.err != nil {
		return q.err
	}
	q.jobs = append(q.jobs, jobs...)
	q.delays = append(q.delays, delay)
	return nil
}

func record(id string, j fanoutqueue.Job) events.SQSMessage {
	b, _ := json.Marshal(j)
	return events.SQSMessage{MessageId: id, Body: string(b)}
}

func job(attempt int, ids ...string) fanoutqueue.Job {
	return fanoutqueue.Job{DomainName: "abc.execute-api.ap-northeast-1.amazonaws.com", Stage: "prod", Room: "lobby", MessageID: "m1", Frame: []byte(`{"room":"lobby"}`), ConnectionIDs: ids, Attempt: attempt}
}

func TestHandle(t *testing.T) {
	throttled := fmt.Errorf("post: %w", connections.ErrThrottled)
	gone := fmt.Errorf("post: %w", connections.ErrGone)
	refused := &statusError{403}
	tests := []struct {
		name       string
		records    []events.SQSMessage
		answer     map[string]error
		queueErr   error
		failures   []string // the records SQS must deliver again
		requeued   []string // connection ids queued as a new job
		attempt    int
		delay      time.Duration
		wantForgot []string
	}{
		{"every post delivered", []events.SQSMessage{record("r1", job(0, "a=", "b=")), record("r2", job(0, "c="))}, nil, nil, nil, nil, 0, 0, nil},
		{"410 forgets, nothing to retry", []events.SQSMessage{record("r1", job(0, "a=", "b="))}, map[string]error{"b=": gone}, nil, nil, nil, 0, 0, []string{"b="}},
		{"429: only the throttled go back, as a new job after a backoff", []events.SQSMessage{record("r1", job(0, "a=", "b=", "c="))},
			map[string]error{"a=": throttled, "c=": throttled}, nil, nil, []string{"a=", "c="}, 1, 2 * time.Second, nil},
		{"the backoff grows with the attempt", []events.SQSMessage{record("r1", job(2, "a="))}, map[string]error{"a=": throttled}, nil, nil, []string{"a="}, 3, 8 * time.Second, nil},
		{"attempts used up: the record goes back to SQS", []events.SQSMessage{record("r1", job(MaxAttempts-1, "a=")), record("r2", job(0, "c="))},
			map[string]error{"a=": throttled}, nil, []string{"r1"}, nil, 0, 0, nil},
		{"queueing fails: the record goes back to SQS", []events.SQSMessage{record("r1", job(0, "a="))}, map[string]error{"a=": throttled}, errors.New("sqs down"), []string{"r1"}, nil, 0, 0, nil},
		{"refused for good: counted, not retried", []events.SQSMessage{record("r1", job(0, "a="))}, map[string]error{"a=": refused}, nil, nil, nil, 0, 0, nil},
		{"an unreadable job goes back to SQS, to end in the DLQ", []events.SQSMessage{{MessageId: "bad", Body: "{"}, record("r2", job(0, "c="))}, nil, nil, []string{"bad"}, nil, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &api{posted: map[string]int{}, answer: tt.answer}
			q := &queue{err: tt.queueErr}
			var forgot []string
			h := Handler{
				Connections: func(string, string) connections.Poster { return a },
				Forget:      func(_ context.Context, id string) error { forgot = append(forgot, id); return nil },
				Queue:       q, Concurrency: 2, Log: zerolog.Nop(),
			}
			resp, err := h.Handle(context.Background(), events.SQSEvent{Records: tt.records})
			if err != nil {
				t.Fatal(err)
			}
			var failures []string
			for _, f := range resp.BatchItemFailures {
				failures = append(failures, f.ItemIdentifier)
			}
			if fmt.Sprint(failures) != fmt.Sprint(tt.failures) {
				t.Errorf("batchItemFailures %v, want %v", failures, tt.failures)
			}
			var requeued []string
			for _, j := range q.jobs {
				requeued = append(requeued, j.ConnectionIDs...)
				if j.Attempt != tt.attempt || j.MessageID != "m1" || string(j.Frame) != `{"room":"lobby"}` {
					t.Errorf("requeued job %+v, want attempt %d of the same message", j, tt.attempt)
				}
			}
			slices.Sort(requeued)
			if fmt.Sprint(requeued) != fmt.Sprint(tt.requeued) {
				t.Errorf("requeued %v, want %v", requeued, tt.requeued)
			}
			if len(q.delays) > 0 && q.delays[0] != tt.delay {
				t.Errorf("delay %v, want %v", q.delays[0], tt.delay)
			}
			if fmt.Sprint(forgot) != fmt.Sprint(tt.wantForgot) {
				t.Errorf("forgot %v, want %v", forgot, tt.wantForgot)
			}
		})
	}
}

// Out of time before a record starts: it goes back to SQS untouched.
func TestOutOfTime(t *testing.T) {
	a := &api{posted: map[string]int{}}
	h := Handler{Connections: func(string, string) connections.Poster { return a }, Queue: &queue{}, Concurrency: 2, Log: zerolog.Nop()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	resp, _ := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{record("r1", job(0, "a="))}})
	if len(resp.BatchItemFailures) != 1 || len(a.posted) != 0 {
		t.Errorf("failures %v, posted %v; want r1 back and nothing posted", resp.BatchItemFailures, a.posted)
	}
}

// With the real @connections client: a 429 is retried with backoff by the
// SDK, and still throttled, goes back to the queue.
func TestThrottledByAPIGateway(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("X-Amzn-ErrorType", "LimitExceededException")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"message":"Limit exceeded"}`)
	}))
	defer srv.Close()
	cfg := aws.Config{
		Region: "ap-northeast-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 10 * time.Millisecond })
		},
	}
	client := connections.New(cfg, srv.URL+"/prod")
	q := &queue{}
	h := Handler{Connections: func(string, string) connections.Poster { return client }, Queue: q, Concurrency: 2, Log: zerolog.Nop()}
	resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record("r1", job(0, "a="))}})
	if len(resp.BatchItemFailures) != 0 || len(q.jobs) != 1 || !slices.Equal(q.jobs[0].ConnectionIDs, []string{"a="}) {
		t.Errorf("failures %v, requeued %+v; want a= in a new job", resp.BatchItemFailures, q.jobs)
	}
	if calls != 3 {
		t.Errorf("@connections got %d posts, want 3: the SDK's standard attempts", calls)
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string       { return fmt.Sprintf("status %d", e.code) }
func (e *statusError) HTTPStatusCode() int { return e.code }

// Every line of a batch carries the invocation's requestId, route and
// traceId, and the batch ends with one line and its duration, as a route's
// invocation does.
func TestBatchLogLines(t *testing.T) {
	var out bytes.Buffer
	log, _ := logging.New(&out, "fanout", "")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-7"})
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-aaa-bbb;Sampled=1")
	a := &api{posted: map[string]int{}}
	h := Handler{Connections: func(string, string) connections.Poster { return a }, Queue: &queue{}, Concurrency: 2, Log: log}
	if _, err := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{record("r1", job(0, "a=", "b="))}}); err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	for dec := json.NewDecoder(&out); dec.More(); {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		if line["requestId"] != "req-7" || line["route"] != "fanout" || line["traceId"] != "1-aaa-bbb" {
			t.Errorf("line lacks the invocation's fields: %v", line)
		}
		lines = append(lines, line)
	}
	last := lines[len(lines)-1]
	if _, ok := last["durationMs"].(float64); last["message"] != "batch done" || last["records"] != 1.0 || !ok {
		t.Errorf("closing line %v, want batch done for 1 record with durationMs", last)
	}
}
