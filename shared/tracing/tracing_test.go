package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/rs/zerolog"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/tracing"
	"wsapi/shared/tracing/tracingtest"
)

// A span outside a traced invocation (a unit test, a local run) does
// nothing and must not fail.
func TestSpanWithoutTrace(t *testing.T) {
	ctx, span := tracing.Start(context.Background(), "PostToConnection")
	span.Annotate("connectionId", "x=")
	span.End(errors.New("boom"))
	if xray.GetSegment(ctx) != nil {
		t.Error("an untraced context got a segment")
	}
}

func newBackend(t *testing.T, name string, log zerolog.Logger) *tracing.Backend {
	t.Helper()
	b, err := tracing.New(context.Background(), log, name)
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != name {
		t.Fatalf("New(%q) made a %s backend", name, b.Name())
	}
	return b
}

// registry opens the span a function's code opens, annotated, failing.
func registry(ctx context.Context) error {
	_, span := tracing.Start(ctx, "Registry")
	span.Annotate("user", "taro")
	span.Annotate("bytes", 26)
	span.End(errors.New("throttled"))
	return nil
}

func TestXRaySpan(t *testing.T) {
	daemon := tracingtest.Start(t)
	var logs bytes.Buffer
	b := newBackend(t, tracing.XRay, zerolog.New(&logs))

	if err := tracingtest.Invoke(context.Background(), b, registry); err != nil {
		t.Fatal(err)
	}

	seg := daemon.Next(t)
	if seg.Name != "Registry" || seg.TraceID != tracingtest.TraceID || !seg.Fault ||
		seg.Annotations["user"] != "taro" || seg.Annotations["bytes"] != float64(26) {
		t.Errorf("segment = %+v", seg)
	}
	if logs.Len() != 0 {
		t.Errorf("the SDK's chatter reached the function's log: %s", logs.String())
	}
}

// With OpenTelemetry an invocation sends, before it returns, its own span
// under the segment Lambda opened, and the spans its code opened under that.
func TestOTelSpans(t *testing.T) {
	daemon := tracingtest.Start(t)
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "go-websocket-api-dev-hello")
	var logs bytes.Buffer
	b := newBackend(t, tracing.OTel, zerolog.New(&logs))

	if err := tracingtest.Invoke(context.Background(), b, registry); err != nil {
		t.Fatal(err)
	}

	spans := daemon.Sent(t)
	if len(spans) != 2 {
		t.Fatalf("spans = %+v, want the invocation's and Registry", spans)
	}
	reg, inv := spans[0], spans[1]
	if inv.Name != "go-websocket-api-dev-hello" || inv.Kind != tracepb.Span_SPAN_KIND_SERVER || inv.TraceID != tracingtest.TraceID ||
		inv.ParentID != tracingtest.ParentID || inv.Fault || inv.Attributes["faas.invocation_id"] != "8476a536-e9f4-11e8-9739-2dfe598c3fcd" {
		t.Errorf("invocation span = %+v, want the function's, under Lambda's segment %s of trace %s", inv, tracingtest.ParentID, tracingtest.TraceID)
	}
	if reg.Name != "Registry" || reg.TraceID != tracingtest.TraceID || reg.ParentID != inv.ID || !reg.Fault ||
		reg.Attributes["user"] != "taro" || reg.Attributes["bytes"] != int64(26) {
		t.Errorf("span = %+v, want Registry under the invocation's span, faulted, with its attributes", reg)
	}
	if logs.Len() != 0 {
		t.Errorf("the SDK's chatter reached the function's log: %s", logs.String())
	}
}

// An invocation Lambda did not sample sends nothing.
func TestOTelUnsampled(t *testing.T) {
	daemon := tracingtest.Start(t)
	b := newBackend(t, tracing.OTel, zerolog.Nop())

	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	unsampled := context.WithValue(context.Background(), "x-amzn-trace-id", "Root=1-5759e988-00000000000000000000000a;Parent=53995c3f42cd8ad8;Sampled=0")
	if _, err := b.Handler(registry).Invoke(lambdacontext.NewContext(unsampled, &lambdacontext.LambdaContext{}), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := tracingtest.Invoke(context.Background(), b, registry); err != nil {
		t.Fatal(err)
	}
	for _, s := range daemon.NextSpans(t) {
		if s.TraceID != tracingtest.TraceID {
			t.Errorf("span %s of trace %s sent, which Lambda did not sample", s.Name, s.TraceID)
		}
	}
}

// A failed invocation shows as a faulted span, and fails as it would have.
func TestOTelInvocationFault(t *testing.T) {
	daemon := tracingtest.Start(t)
	b := newBackend(t, tracing.OTel, zerolog.Nop())
	boom := errors.New("boom")

	err := tracingtest.Invoke(context.Background(), b, func(context.Context) error { return boom })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("invocation error = %v, want the handler's", err)
	}
	spans := daemon.NextSpans(t)
	if len(spans) != 1 || !spans[0].Fault {
		t.Errorf("spans = %+v, want the invocation's, faulted", spans)
	}
}

// Spans that cannot be sent are lost, not the invocation: the failure is
// logged once, the invocation returns what its handler returned, and the
// next invocation's spans are sent.
func TestOTelSendFailureLogged(t *testing.T) {
	daemon := tracingtest.Start(t)
	var logs bytes.Buffer
	b := newBackend(t, tracing.OTel, zerolog.New(&logs).Level(zerolog.InfoLevel))

	// An attribute too long for one UDP datagram fails the send.
	h := b.Handler(func(ctx context.Context) (string, error) {
		_, span := tracing.Start(ctx, "PostToConnection")
		span.Annotate("frame", strings.Repeat("x", 70_000))
		span.End(nil)
		return "posted", nil
	})
	ctx := lambdacontext.NewContext(tracingtest.Invocation(context.Background()), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	out, err := h.Invoke(ctx, []byte("{}"))
	if err != nil || string(out) != `"posted"` {
		t.Fatalf("invocation = %s, %v; want the handler's result", out, err)
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var line map[string]any
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &line) != nil {
		t.Fatalf("log = %q, want one line for the failed send", logs.String())
	}
	if line["level"] != "warn" || line["component"] != "otel" || line["requestId"] != "req-1" ||
		line["spans"] != float64(2) || !strings.Contains(line["error"].(string), "message too long") {
		t.Errorf("log line = %v, want a warning naming the invocation, the 2 spans lost and why", line)
	}

	if err := tracingtest.Invoke(context.Background(), b, registry); err != nil {
		t.Fatal(err)
	}
	if spans := daemon.NextSpans(t); len(spans) != 2 || spans[0].Name != "Registry" {
		t.Errorf("after a failed send, spans = %+v, want the next invocation's", spans)
	}
}

// Every log line of an invocation carries the id of the trace its spans are
// in, whichever backend records them.
func TestLogTraceIDIsTheTrace(t *testing.T) {
	for _, name := range []string{tracing.XRay, tracing.OTel} {
		t.Run(name, func(t *testing.T) {
			daemon := tracingtest.Start(t)
			var logs bytes.Buffer
			base, _ := logging.New(&logs, "go-websocket-api-dev-hello", "")
			b := newBackend(t, name, base)
			h := b.Handler(invocation.Logged(base, func(ctx context.Context, _ events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
				_, span := tracing.Start(ctx, "PostToConnection")
				span.End(nil)
				return events.APIGatewayProxyResponse{StatusCode: 200}, nil
			}))
			ctx := lambdacontext.NewContext(tracingtest.Invocation(context.Background()), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
			if _, err := h.Invoke(ctx, []byte(`{"requestContext":{"routeKey":"hello","connectionId":"c="}}`)); err != nil {
				t.Fatal(err)
			}

			var traceID string
			if name == tracing.XRay {
				traceID = daemon.Next(t).TraceID
			} else {
				traceID = daemon.NextSpans(t)[0].TraceID
			}
			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log %q: %v", logs.String(), err)
			}
			if traceID != tracingtest.TraceID || line["traceId"] != traceID {
				t.Errorf("log line traceId %v, span's trace %s: want both %s", line["traceId"], traceID, tracingtest.TraceID)
			}
		})
	}
}

// A TRACING the functions do not know is said, and X-Ray traces.
func TestUnknownBackend(t *testing.T) {
	b, err := tracing.New(context.Background(), zerolog.Nop(), "otle")
	if err == nil || !strings.Contains(err.Error(), `"otle"`) {
		t.Errorf("New(otle) error = %v, want one naming the value", err)
	}
	if b.Name() != tracing.XRay {
		t.Errorf("backend = %s, want xray", b.Name())
	}
}
