package xraydaemon

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws-observability/aws-otel-go/exporters/xrayudp"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"wsapi/offline/internal/console"
	"wsapi/offline/internal/xraydaemon/xraytrace"
	"wsapi/otlpudp"
)

// exporterTo is OpenTelemetry set up as a function sets it up in Lambda to
// send to d: AWS's X-Ray UDP exporter behind a batch processor, spans
// sampled as Lambda's trace header says, and X-Ray's trace ids.
func exporterTo(t *testing.T, d *Daemon, opts ...xrayudp.Option) *sdktrace.TracerProvider {
	t.Helper()
	exp, err := xrayudp.NewSpanExporter(context.Background(), append(opts, xrayudp.WithEndpoint(d.Addr()))...)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "go-websocket-api-local-hello"))),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())),
		sdktrace.WithIDGenerator(xray.NewIDGenerator()),
		sdktrace.WithBatcher(exp),
	)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

// invoke runs fn as otellambda runs a handler in the invocation Lambda
// gives the trace header: a server span under Lambda's segment, and the
// spans sent before it returns.
func invoke(t *testing.T, tp *sdktrace.TracerProvider, header string, fn func(ctx context.Context) error) {
	t.Helper()
	h := otellambda.WrapHandler(lambda.NewHandler(fn),
		otellambda.WithTracerProvider(tp),
		otellambda.WithFlusher(tp),
		otellambda.WithPropagator(xray.Propagator{}),
		otellambda.WithEventToCarrier(func([]byte) propagation.TextMapCarrier {
			return propagation.MapCarrier{"X-Amzn-Trace-Id": header}
		}),
	)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r-1"})
	if _, err := h.Invoke(ctx, []byte("{}")); err != nil {
		t.Fatal(err)
	}
}

func endSpan(span oteltrace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// The spans AWS's exporter sends for what the hello handler does print as
// the tree the X-Ray SDK's subsegments print (TestSDKSubsegmentsFormOneTrace):
// the invocation's own span is the function segment seen from inside, the
// AWS SDK's call is named for its service, with its operation and status.
func TestExporterSpansFormTheSDKTree(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 50 * time.Millisecond})
	tp := exporterTo(t, d)
	header, traceID, segmentID := NewTraceHeader(true)
	api := connectionsAPI(t, func(o *apigatewaymanagementapi.Options) {
		otelaws.AppendMiddlewares(&o.APIOptions, otelaws.WithTracerProvider(tp), otelaws.WithTextMapPropagator(xray.Propagator{}))
	})

	start := time.Now()
	var goneErr error
	invoke(t, tp, header, func(ctx context.Context) error {
		tracer := tp.Tracer("test")
		for _, conn := range []string{"abc=", "gone"} {
			sctx, span := tracer.Start(ctx, "PostToConnection",
				oteltrace.WithAttributes(attribute.String("connectionId", conn), attribute.Int("bytes", 27)))
			_, err := api.PostToConnection(sctx, &apigatewaymanagementapi.PostToConnectionInput{
				ConnectionId: aws.String(conn),
				Data:         []byte(`{"message":"hello, world"}`),
			})
			outcome := "ok"
			if err != nil {
				outcome, goneErr = "gone", err
			}
			span.SetAttributes(attribute.String("outcome", outcome))
			endSpan(span, err)
		}
		_, span := tracer.Start(ctx, "Registry")
		endSpan(span, errors.New("registry: table missing"))
		return nil
	})
	_, got := recordHello(t, d, done, traceID, segmentID, start)
	want := fmt.Sprintf(`trace %s  N ms
└─ go-websocket-api-local-hello  N ms  (Lambda function)  route=hello
   ├─ PostToConnection  N ms  bytes=27  connectionId=abc=  outcome=ok
   │  └─ ApiGatewayManagementApi  N ms  (AWS)  PostToConnection  HTTP 200
   ├─ PostToConnection  N ms  bytes=27  connectionId=gone  outcome=gone  FAULT: %s
   │  └─ ApiGatewayManagementApi  N ms  (AWS)  PostToConnection  HTTP 410  ERROR
   └─ Registry  N ms  FAULT: registry: table missing
`, traceID, goneErr)
	if got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
	if s := d.Stats(); s.Malformed != 0 || s.Unsampled != 0 || s.Datagrams != 1 {
		t.Errorf("stats = %+v, want the invocation's spans in one well-formed datagram", s)
	}
}

// Spans of a trace Lambda did not sample (T1U) are counted and dropped.
func TestExporterUnsampledSpansDropped(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 20 * time.Millisecond})
	header, traceID, segmentID := NewTraceHeader(true)
	invoke(t, exporterTo(t, d, xrayudp.WithSignalPrefix(otlpudp.Unsampled)), header, func(ctx context.Context) error {
		_, span := oteltrace.SpanFromContext(ctx).TracerProvider().Tracer("test").Start(ctx, "PostToConnection")
		span.End()
		return nil
	})
	waitStats(t, d, func(s Stats) bool { return s.Datagrams == 1 })
	if err := d.Record(Segment{TraceID: traceID, ID: segmentID, Name: "hello", Start: time.Now(), End: time.Now()}); err != nil {
		t.Fatal(err)
	}
	tr := waitTrace(t, done)
	if len(tr.Roots) != 1 || len(tr.Roots[0].Children) != 0 {
		t.Errorf("unsampled spans reached the tree:\n%s", render(t, tr))
	}
	if s := d.Stats(); s.Unsampled != 1 || s.Malformed != 0 {
		t.Errorf("stats = %+v, want 1 unsampled datagram", s)
	}
}

// spansDatagram is a T1S datagram of spans, encoded as the exporter
// encodes them.
func spansDatagram(t testing.TB, spans ...*tracepb.Span) string {
	t.Helper()
	b, err := proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return `{"format":"json","version":1}` + "\n" + otlpudp.Sampled + base64.StdEncoding.EncodeToString(b)
}

// traceBytes is trace, the X-Ray trace id, as OTLP carries it.
var traceBytes = []byte{0x57, 0x59, 0xe9, 0x88, 0xbd, 0x86, 0x2e, 0x3f, 0xe1, 0xbe, 0x46, 0xa9, 0x94, 0x27, 0x27, 0x93}

func span(name string, id, parent byte, kind tracepb.Span_SpanKind, startMS, endMS float64, attrs ...*commonpb.KeyValue) *tracepb.Span {
	s := &tracepb.Span{
		Name: name, TraceId: traceBytes, SpanId: []byte{0, 0, 0, 0, 0, 0, 0, id}, Kind: kind, Attributes: attrs,
		StartTimeUnixNano: uint64(at(startMS).UnixNano()), EndTimeUnixNano: uint64(at(endMS).UnixNano()),
	}
	if parent != 0 {
		s.ParentSpanId = []byte{0, 0, 0, 0, 0, 0, 0, parent}
	}
	return s
}

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func num(k string, v int64) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
}

func TestSpanEntry(t *testing.T) {
	const server, client, internal = tracepb.Span_SPAN_KIND_SERVER, tracepb.Span_SPAN_KIND_CLIENT, tracepb.Span_SPAN_KIND_INTERNAL
	failed := func(s *tracepb.Span, msg string) *tracepb.Span {
		s.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: msg}
		return s
	}
	withException := failed(span("Registry", 1, 2, internal, 0, 1), "status message")
	withException.Events = []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{str("exception.message", "table missing")}}}
	tests := []struct {
		name string
		span *tracepb.Span
		// want is the rendered line, parent and invocation flag.
		want string
	}{
		{"the invocation, named for its service", span("handler", 1, 9, server, 0, 2, str("faas.invocation_id", "r-1")),
			"fn  2.0 ms  <0000000000000009 invocation"},
		{"a server span without a parent starts a trace", span("handler", 1, 0, server, 0, 2), "fn  2.0 ms  <"},
		{"a span without a name, named as X-Ray names it", span("", 1, 2, internal, 0, 1), "span  1.0 ms  <0000000000000002"},
		{"an AWS SDK call, semantic conventions 1.39 and later",
			span("ApiGatewayManagementApi.PostToConnection", 1, 2, client, 0, 1,
				str("rpc.system.name", "aws-api"), str("rpc.method", "ApiGatewayManagementApi/PostToConnection"), num("http.response.status_code", 200)),
			"ApiGatewayManagementApi  1.0 ms  (AWS)  PostToConnection  HTTP 200  <0000000000000002"},
		{"an AWS SDK call, earlier conventions",
			span("DynamoDB.Query", 1, 2, client, 0, 1, str("rpc.system", "aws-api"), str("rpc.service", "DynamoDB"), str("rpc.method", "Query"), num("http.status_code", 200)),
			"DynamoDB  1.0 ms  (AWS)  Query  HTTP 200  <0000000000000002"},
		{"another client span", span("GET", 1, 2, client, 0, 1), "GET  1.0 ms  (remote)  <0000000000000002"},
		{"annotations: the function's own keys, not the conventions' dotted ones", span("PostToConnection", 1, 2, internal, 0, 1,
			str("connectionId", "abc="), num("bytes", 26), str("outcome", "ok"), str("aws.request_id", "x"), str("with space", "x"),
			&commonpb.KeyValue{Key: "list", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{}}}),
			"PostToConnection  1.0 ms  bytes=26  connectionId=abc=  outcome=ok  <0000000000000002"},
		{"a failed span", failed(span("PostToConnection", 1, 2, internal, 0, 1), "GoneException"),
			"PostToConnection  1.0 ms  FAULT: GoneException  <0000000000000002"},
		{"the exception's message before the status's", withException, "Registry  1.0 ms  FAULT: table missing  <0000000000000002"},
		{"4xx is an error", failed(span("x", 1, 2, client, 0, 1, num("http.response.status_code", 410)), "gone"),
			"x  1.0 ms  (remote)  HTTP 410  ERROR  <0000000000000002"},
		{"429 is throttling", span("x", 1, 2, client, 0, 1, num("http.response.status_code", 429)),
			"x  1.0 ms  (remote)  HTTP 429  THROTTLED  <0000000000000002"},
		{"5xx is a fault", span("x", 1, 2, client, 0, 1, num("http.response.status_code", 503)),
			"x  1.0 ms  (remote)  HTTP 503  FAULT  <0000000000000002"},
		{"a status code out of range is none", span("x", 1, 2, client, 0, 1, num("http.response.status_code", -4)),
			"x  1.0 ms  (remote)  <0000000000000002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := spanEntry(tt.span, "fn")
			if err != nil {
				t.Fatal(err)
			}
			_, line, _ := strings.Cut(render(t, &xraytrace.Trace{Roots: []*xraytrace.Node{&e.node}}), "\n")
			got := strings.TrimPrefix(strings.TrimSuffix(line, "\n"), "└─ ") + "  <" + e.parent
			if e.invocation {
				got += " invocation"
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// The invocation's span folds into the function segment only: elsewhere,
// or with its segment never recorded, it shows as it is.
func TestInvocationSpanFoldsIntoFunctionSegment(t *testing.T) {
	entries := func(parentOrigin string) map[string]*entry {
		return map[string]*entry{
			"f0": {node: xraytrace.Node{ID: "f0", Name: "fn", Origin: parentOrigin, Start: at(0), End: at(3)}},
			"i1": {node: xraytrace.Node{ID: "i1", Name: "fn", Start: at(0.5), End: at(2.5)}, parent: "f0", invocation: true},
			"p1": {node: xraytrace.Node{ID: "p1", Name: "PostToConnection", Start: at(1), End: at(2)}, parent: "i1"},
		}
	}
	for _, tt := range []struct {
		origin, want string
	}{
		{xraytrace.OriginLambdaFunction, "└─ fn  3.0 ms  (Lambda function)\n   └─ PostToConnection  1.0 ms\n"},
		{"AWS::Lambda", "└─ fn  3.0 ms  (Lambda)\n   └─ fn  2.0 ms\n      └─ PostToConnection  1.0 ms\n"},
	} {
		got := render(t, buildTrace(trace, entries(tt.origin), 0))
		if _, tree, _ := strings.Cut(got, "\n"); tree != tt.want {
			t.Errorf("under %s:\n%s\nwant\n%s", tt.origin, tree, tt.want)
		}
	}
}

func TestDecodeDatagramRefusesBadSpans(t *testing.T) {
	backwards := span("x", 1, 0, tracepb.Span_SPAN_KIND_INTERNAL, 2, 1)
	unstarted := span("x", 1, 0, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1)
	unstarted.StartTimeUnixNano = 0
	huge := span("x", 1, 0, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1)
	huge.EndTimeUnixNano = 1 << 63
	shortID := span("x", 1, 0, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1)
	shortID.TraceId = traceBytes[:8]
	good := span("x", 2, 0, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1)
	for name, dg := range map[string]string{
		"a span that ends before it starts": spansDatagram(t, good, backwards),
		"a span that never started":         spansDatagram(t, unstarted),
		"a span past the year 2262":         spansDatagram(t, huge),
		"an 8-byte trace id":                spansDatagram(t, shortID),
	} {
		if b, err := decodeDatagram([]byte(dg)); !errors.Is(err, otlpudp.ErrMalformed) {
			t.Errorf("%s: decoded %v, err %v, want ErrMalformed", name, b, err)
		}
	}
}

// A datagram may hold spans of several traces: each joins its own.
func TestDecodeDatagramSplitsTraces(t *testing.T) {
	other := span("y", 2, 0, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1)
	other.TraceId = append([]byte{0x57, 0x59, 0xe9, 0x89}, traceBytes[4:]...)
	batches, err := decodeDatagram([]byte(spansDatagram(t, span("x", 1, 0, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1), other,
		span("z", 3, 1, tracepb.Span_SPAN_KIND_INTERNAL, 0, 1))))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range batches {
		var names []string
		for _, e := range b.entries {
			names = append(names, e.node.Name)
		}
		got = append(got, b.traceID+":"+strings.Join(names, ","))
	}
	want := []string{trace + ":x,z", "1-5759e989-bd862e3fe1be46a994272793:y"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("batches %v, want %v", got, want)
	}
}

// Malformed datagrams of either kind are counted, and OnMalformed is told
// of the first alone; the daemon serves on.
func TestDaemonWarnsOfMalformedDatagramsOnce(t *testing.T) {
	var mu sync.Mutex
	var warnings []error
	done := make(chan *xraytrace.Trace, 1)
	d, err := Listen("127.0.0.1:0", Config{
		Settle:     10 * time.Millisecond,
		OnComplete: func(tr *xraytrace.Trace) { done <- tr },
		OnMalformed: func(err error) {
			mu.Lock()
			warnings = append(warnings, err)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	const head = `{"format":"json","version":1}` + "\n"
	junk := []string{
		head + "T1S!!!!",
		head + "T1Xabcd",
		head + "T1S" + base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff}),
		spansDatagram(t, span("x", 1, 0, tracepb.Span_SPAN_KIND_INTERNAL, 2, 1)),
		head + `{"id":1}`,
		"no header",
	}
	send(t, d.Addr(), junk...)
	waitStats(t, d, func(s Stats) bool { return s.Datagrams == len(junk) })
	if err := d.Record(function(false, "")); err != nil {
		t.Fatal(err)
	}
	waitTrace(t, done)
	// Close tells OnMalformed what it has not been told yet: after it, every
	// warning there will be is in.
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if s := d.Stats(); s.Malformed != len(junk) || s.Completed != 1 {
		t.Errorf("stats = %+v, want %d malformed and the trace completed", s, len(junk))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), "T1S spans: base64") {
		t.Errorf("warnings = %v, want one, of the first datagram's base64", warnings)
	}
}

func FuzzDecodeDatagram(f *testing.F) {
	const head = `{"format":"json","version":1}` + "\n"
	for _, s := range []string{
		spansDatagram(f, span("fn", 1, 9, tracepb.Span_SPAN_KIND_SERVER, 0, 3),
			span("PostToConnection", 2, 1, tracepb.Span_SPAN_KIND_INTERNAL, 1, 2, str("connectionId", "abc="), num("bytes", 26)),
			span("ApiGatewayManagementApi.PostToConnection", 3, 2, tracepb.Span_SPAN_KIND_CLIENT, 1, 2,
				str("rpc.system.name", "aws-api"), str("rpc.method", "ApiGatewayManagementApi/PostToConnection"))),
		head + "T1U",
		head + "T1S",
		head + `{"trace_id":"` + trace + `","id":"a1","name":"x","start_time":1,"end_time":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		batches, err := decodeDatagram(b)
		if err != nil {
			return
		}
		for _, bt := range batches {
			if !validTraceID(bt.traceID) {
				t.Fatalf("accepted trace id %q", bt.traceID)
			}
			m := make(map[string]*entry, len(bt.entries))
			for _, e := range bt.entries {
				if e.node.Name == "" || e.node.Duration() < 0 {
					t.Fatalf("accepted entry %+v", e.node)
				}
				m[e.node.ID] = &e
			}
			if err := console.RenderTrace(io.Discard, buildTrace(bt.traceID, m, 0)); err != nil {
				t.Fatal(err)
			}
		}
	})
}
