package fanout

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"wsapi/shared/connections"
	"wsapi/shared/logging"
	"wsapi/shared/tracing/tracingtest"
)

// Each fan-out ends with one log line and one FanOut subsegment, counted
// as the caller will act on them: with Requeue, what goes back to the
// queue is retried, not failed or skipped.
func TestReport(t *testing.T) {
	daemon := tracingtest.Start(t)
	tests := []struct {
		requeue bool
		want    map[string]float64
	}{
		{false, map[string]float64{"recipients": 4, "delivered": 1, "gone": 1, "failed": 2, "retried": 0, "skipped": 0}},
		{true, map[string]float64{"recipients": 4, "delivered": 1, "gone": 1, "failed": 1, "retried": 1, "skipped": 0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("requeue ", tt.requeue), func(t *testing.T) {
			var logs bytes.Buffer
			base, _ := logging.New(&logs, "fn", "")
			ctx := logging.WithInvocation(tracingtest.Invocation(context.Background()), base, logging.Invocation{Route: "broadcast"})
			a := &api{answer: map[string]error{
				"b=": fmt.Errorf("post: %w", connections.ErrGone),
				"c=": fmt.Errorf("post: %w", connections.ErrThrottled),
				"d=": &statusError{413},
			}}
			Fanout{Poster: a, Concurrency: 2, Requeue: tt.requeue}.Send(ctx, []string{"a=", "b=", "c=", "d="}, []byte("hi"))

			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("want one JSON log line, got %q", logs.String())
			}
			if line["message"] != "fan-out" || line["route"] != "broadcast" {
				t.Errorf("log line %v, want the invocation's fan-out line", line)
			}
			if _, ok := line["durationMs"].(float64); !ok {
				t.Errorf("no durationMs in %v", line)
			}
			seg := daemon.Next(t)
			for seg.Name != "FanOut" {
				seg = daemon.Next(t)
			}
			for k, v := range tt.want {
				if line[k] != v {
					t.Errorf("log %s = %v, want %v", k, line[k], v)
				}
				if seg.Annotations[k] != v {
					t.Errorf("subsegment %s = %v, want %v", k, seg.Annotations[k], v)
				}
			}
			if seg.TraceID != tracingtest.TraceID {
				t.Errorf("FanOut in trace %q, want the invocation's", seg.TraceID)
			}
		})
	}
}
