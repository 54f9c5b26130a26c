package invocation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"wsapi/shared/logging"
)

func TestLogged(t *testing.T) {
	tests := []struct {
		name      string
		trace     any
		status    int
		err       error
		wantLevel string
		wantTrace string
	}{
		{"ok", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", 200, nil, "info", "1-5759e988-bd862e3fe1be46a994272793"},
		{"failed", "Root=1-aaa-bbb", 500, errors.New("boom"), "error", "1-aaa-bbb"},
		{"untraced", nil, 200, nil, "info", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			base, _ := logging.New(&out, "fn", "")
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-9"})
			if tt.trace != nil {
				//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
				ctx = context.WithValue(ctx, "x-amzn-trace-id", tt.trace)
			}
			h := Logged(base, func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
				logging.From(ctx).Info().Msg("inside")
				return events.APIGatewayProxyResponse{StatusCode: tt.status}, tt.err
			})
			resp, err := h(ctx, events.APIGatewayWebsocketProxyRequest{RequestContext: events.APIGatewayWebsocketProxyRequestContext{RouteKey: "hello", ConnectionID: "c="}})
			if resp.StatusCode != tt.status || !errors.Is(err, tt.err) {
				t.Fatalf("Logged changed the result: %d %v", resp.StatusCode, err)
			}
			dec := json.NewDecoder(&out)
			var inside, done map[string]any
			if err := dec.Decode(&inside); err != nil {
				t.Fatal(err)
			}
			if err := dec.Decode(&done); err != nil {
				t.Fatal(err)
			}
			for _, line := range []map[string]any{inside, done} {
				if line["requestId"] != "req-9" || line["route"] != "hello" || line["connectionId"] != "c=" || line["traceId"] != tt.wantTrace {
					t.Errorf("line lacks the invocation's fields: %v", line)
				}
			}
			if done["level"] != tt.wantLevel || done["status"] != float64(tt.status) {
				t.Errorf("closing line = %v, want level %s status %d", done, tt.wantLevel, tt.status)
			}
			if _, ok := done["durationMs"].(float64); !ok {
				t.Errorf("closing line has no durationMs: %v", done)
			}
			if tt.err != nil && done["error"] != tt.err.Error() {
				t.Errorf("closing line error = %v, want %v", done["error"], tt.err)
			}
		})
	}
}

func TestOf(t *testing.T) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-9"})
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-aaa-bbb;Sampled=1")
	if got, want := Of(ctx, "fanout"), (logging.Invocation{Route: "fanout", RequestID: "req-9", TraceID: "1-aaa-bbb"}); got != want {
		t.Errorf("Of = %+v, want %+v", got, want)
	}
	if got, want := Of(context.Background(), "fanout"), (logging.Invocation{Route: "fanout"}); got != want {
		t.Errorf("outside Lambda: Of = %+v, want %+v", got, want)
	}
}
