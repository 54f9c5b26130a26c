package xraydaemon_test

import (
	"fmt"
	"os"
	"time"

	"wsapi/offline/internal/console"
	"wsapi/offline/internal/xraydaemon"
	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// The gateway's side of one invocation: a trace header for the function, the
// function segment once it returns, and the assembled trace printed, as the console prints it.
func Example() {
	d, err := xraydaemon.Listen("127.0.0.1:0", xraydaemon.Config{
		OnComplete: func(t *xraytrace.Trace) { _ = console.RenderTrace(os.Stdout, t) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The function runs with AWS_XRAY_DAEMON_ADDRESS=d.Addr() and gets the
	// header from NewTraceHeader as its Lambda-Runtime-Trace-Id; fixed ids
	// here keep the output stable.
	traceID, segmentID := "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	// ... the invocation runs; its subsegments arrive as datagrams ...

	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	err = d.Record(xraydaemon.Segment{
		TraceID: traceID, ID: segmentID, Name: "go-websocket-api-local-hello",
		Start: start, End: start.Add(11900 * time.Microsecond),
		Annotations: map[string]any{"route": "hello", "requestId": "c3f1"},
	})
	if err != nil {
		fmt.Println(err)
	}
	// Close delivers recorded traces without waiting out the settle window.
	_ = d.Close()
	fmt.Println(d.Stats().Completed, "trace completed")
	// Output:
	// trace 1-5759e988-bd862e3fe1be46a994272793  11.9 ms
	// └─ go-websocket-api-local-hello  11.9 ms  (Lambda function)  requestId=c3f1  route=hello
	// 1 trace completed
}
