package console_test

import (
	"os"
	"time"

	"wsapi/offline/internal/console"
	"wsapi/offline/internal/xraydaemon/xraytrace"
)

func ExampleRenderTrace() {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ms := func(f float64) time.Time { return start.Add(time.Duration(f * float64(time.Millisecond))) }
	trace := &xraytrace.Trace{
		ID: "1-5759e988-bd862e3fe1be46a994272793",
		Roots: []*xraytrace.Node{{
			Name: "go-websocket-api-local-hello", Origin: xraytrace.OriginLambdaFunction,
			Start: ms(0), End: ms(12.4),
			Annotations: map[string]any{"route": "hello"},
			Children: []*xraytrace.Node{{
				Name: "PostToConnection", Start: ms(2), End: ms(5.1),
				Annotations: map[string]any{"connectionId": "abc=", "bytes": 27.0, "outcome": "ok"},
				Children: []*xraytrace.Node{{
					Name: "ApiGatewayManagementApi", Namespace: "aws", Operation: "PostToConnection", HTTPStatus: 200,
					Start: ms(2.2), End: ms(5),
				}},
			}},
		}},
	}
	_ = console.RenderTrace(os.Stdout, trace)
	// Output:
	// trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
	// └─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  route=hello
	//    └─ PostToConnection  3.1 ms  bytes=27  connectionId=abc=  outcome=ok
	//       └─ ApiGatewayManagementApi  2.8 ms  (AWS)  PostToConnection  HTTP 200
}
