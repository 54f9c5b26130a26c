package eventsource

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"wsapi/offline/internal/lambda"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/sqslocal"
)

// worker is testdata/worker built as a real bootstrap, once per run.
var worker string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "eventsource-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	worker = filepath.Join(dir, "bootstrap")
	if out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", worker, "./testdata/worker").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building testdata/worker: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// The mapping drives a real bootstrap through the local Lambda runtime: a
// reported failure and a crash are redelivered until the queue moves them
// to its dead-letter queue; the message processed is deleted.
func TestRealWorker(t *testing.T) {
	rt, err := lambdaruntime.New(lambdaruntime.Options{XRayDaemonAddr: "127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close(context.Background()) })
	if err := rt.Add(lambdaruntime.Function{Name: "svc-worker", Executable: worker, Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	svc := lambda.New(rt, nil, nil)
	svc.Set("worker", lambda.Function{Name: "svc-worker", Tracing: "PassThrough"})

	moved := make(chan sqslocal.Moved, 10)
	srv := sqslocal.New(sqslocal.Options{Region: "us-east-1", AccountID: "000000000000", OnMoved: func(m sqslocal.Moved) { moved <- m }})
	t.Cleanup(srv.Close)
	srv.Set(sqslocal.QueueSpec{Name: "dlq"})
	srv.Set(sqslocal.QueueSpec{Name: "q", VisibilityTimeout: 300 * time.Millisecond, DeadLetterQueue: "dlq", MaxReceiveCount: 2})
	results := make(chan Result, 100)
	pollers := New(t.Context(), srv, svc, func(r Result) { results <- r })
	t.Cleanup(pollers.Close)

	f := &fixture{srv: srv}
	f.send(t, "q", "ok", "fail", "crash")
	pollers.Set(Mapping{ID: "M", Queue: "q", Function: "worker", BatchSize: 1, MaximumConcurrency: 2, ReportBatchItemFailures: true})

	gone := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for len(gone) < 2 {
		select {
		case m := <-moved:
			if m.Queue != "q" || m.DeadLetterQueue != "dlq" || m.ReceiveCount != 2 {
				t.Errorf("moved %+v", m)
			}
			gone[m.MessageID] = true
		case <-deadline:
			t.Fatalf("%d of 2 messages moved to the dead-letter queue", len(gone))
		}
	}
	got, err := srv.Receive(t.Context(), "dlq", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var inDLQ []string
	for _, m := range got {
		inDLQ = append(inDLQ, m.Body)
	}
	if len(inDLQ) != 2 || !gone[got[0].ID] || !gone[got[1].ID] {
		t.Fatalf("dead-letter queue holds %v", inDLQ)
	}
	for _, b := range inDLQ {
		if b != "fail" && b != "crash" {
			t.Errorf("dead-letter queue holds %q", b)
		}
	}
	// Of the five invocations (ok once, fail and crash twice each), one
	// deleted its message.
	deleted := 0
	for range 5 {
		select {
		case r := <-results:
			deleted += r.Deleted
		case <-time.After(10 * time.Second):
			t.Fatal("fewer than five batches reported")
		}
	}
	if deleted != 1 {
		t.Errorf("%d messages deleted, want the one processed", deleted)
	}
}
