package xraydaemon_test

import (
	"fmt"
	"os"
	"time"

	"wsapi/offline/internal/xraydaemon"
)

// The gateway's side of one invocation: a trace header for the function, the
// function segment once it returns, and the assembled trace printed.
func Example() {
	d, err := xraydaemon.Listen("127.0.0.1:0", xraydaemon.Config{
		OnComplete: func(t *xraydaemon.Trace) { _ = xraydaemon.Render(os.Stdout, t) },
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

func ExampleRender() {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ms := func(f float64) time.Time { return start.Add(time.Duration(f * float64(time.Millisecond))) }
	trace := &xraydaemon.Trace{
		ID: "1-5759e988-bd862e3fe1be46a994272793",
		Roots: []*xraydaemon.Node{{
			Name: "go-websocket-api-local-hello", Origin: xraydaemon.OriginLambdaFunction,
			Start: ms(0), End: ms(12.4),
			Annotations: map[string]any{"route": "hello"},
			Children: []*xraydaemon.Node{{
				Name: "PostToConnection", Start: ms(2), End: ms(5.1),
				Annotations: map[string]any{"connectionId": "abc=", "bytes": 27.0, "outcome": "ok"},
				Children: []*xraydaemon.Node{{
					Name: "ApiGatewayManagementApi", Namespace: "aws", Operation: "PostToConnection", HTTPStatus: 200,
					Start: ms(2.2), End: ms(5),
				}},
			}},
		}},
	}
	_ = xraydaemon.Render(os.Stdout, trace)
	// Output:
	// trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
	// └─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  route=hello
	//    └─ PostToConnection  3.1 ms  bytes=27  connectionId=abc=  outcome=ok
	//       └─ ApiGatewayManagementApi  2.8 ms  (AWS)  PostToConnection  HTTP 200
}
