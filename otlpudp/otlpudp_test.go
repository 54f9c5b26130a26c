package otlpudp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws-observability/aws-otel-go/exporters/xrayudp"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// exported sends one span through the real X-Ray UDP exporter to a loopback
// socket and returns the datagram it wrote.
func exported(t *testing.T, opts ...xrayudp.Option) []byte {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exp, err := xrayudp.NewSpanExporter(context.Background(), append(opts, xrayudp.WithEndpoint(conn.LocalAddr().String()))...)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())

	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x57, 0x59, 0xe9, 0x88, 0xbd, 0x86, 0x2e, 0x3f, 0xe1, 0xbe, 0x46, 0xa9, 0x94, 0x27, 0x27, 0x93},
		SpanID:     trace.SpanID{0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8},
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), parent)
	_, span := tp.Tracer("test").Start(ctx, "PostToConnection", trace.WithAttributes(
		attribute.String("connectionId", "XDmENcnwIE0CFEQ="), attribute.Int("bytes", 26), attribute.String("outcome", "ok")))
	span.End()

	buf := make([]byte, 64<<10)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := conn.ReadFrom(buf)
	if err != nil {
		t.Fatalf("the exporter sent nothing: %v", err)
	}
	return buf[:n]
}

// The exporter's datagram is the daemon's header, T1S and the base64 of an
// OTLP request, and Decode gives back the span it carries.
func TestDecodeExporterDatagram(t *testing.T) {
	b := exported(t)

	head, body, _ := bytes.Cut(b, []byte("\n"))
	if string(head) != `{"format":"json","version":1}` || !bytes.HasPrefix(body, []byte("T1S")) {
		t.Fatalf("datagram starts %q, want the daemon's header line, then T1S", b[:min(len(b), 40)])
	}
	if _, err := base64.StdEncoding.DecodeString(string(body[3:])); err != nil {
		t.Fatalf("body after T1S is not base64: %v", err)
	}

	d, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Sampled || len(d.Request.ResourceSpans) != 1 || len(d.Request.ResourceSpans[0].ScopeSpans) != 1 {
		t.Fatalf("datagram = %v, want one sampled resource's spans", d.Request)
	}
	spans := d.Request.ResourceSpans[0].ScopeSpans[0].Spans
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Name != "PostToConnection" || XRayTraceID(s.TraceId) != "1-5759e988-bd862e3fe1be46a994272793" ||
		!bytes.Equal(s.ParentSpanId, []byte{0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8}) {
		t.Errorf("span %q trace %s parent %x, want PostToConnection under the parent it was started in", s.Name, XRayTraceID(s.TraceId), s.ParentSpanId)
	}
	attrs := map[string]any{}
	for _, kv := range s.Attributes {
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			attrs[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			attrs[kv.Key] = v.IntValue
		}
	}
	if attrs["connectionId"] != "XDmENcnwIE0CFEQ=" || attrs["bytes"] != int64(26) || attrs["outcome"] != "ok" {
		t.Errorf("attributes = %v", attrs)
	}
}

// An exporter set to T1U marks the spans unsampled.
func TestDecodeUnsampled(t *testing.T) {
	d, err := Decode(exported(t, xrayudp.WithSignalPrefix(Unsampled)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Sampled {
		t.Error("a T1U datagram decoded as sampled")
	}
}

func TestDecodeRefuses(t *testing.T) {
	const head = `{"format":"json","version":1}` + "\n"
	encode := func(req *coltracepb.ExportTraceServiceRequest) string {
		b, err := proto.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	shortIDs := encode(&coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{Name: "x", TraceId: []byte{1, 2}, SpanId: make([]byte, 8)}}}},
	}}})
	tests := []struct {
		name     string
		datagram string
		want     error
		in       string // in the error
	}{
		{"a segment document", `{"format": "json", "version": 1}` + "\n" + `{"trace_id":"1-5759e988-bd862e3fe1be46a994272793"}`, ErrNotOTLP, ""},
		{"no header line", "T1S" + encode(&coltracepb.ExportTraceServiceRequest{}), ErrMalformed, "no header line"},
		{"another header", `{"format":"proto","version":2}` + "\nT1S", ErrMalformed, "header format"},
		{"a header that is not JSON", "format=json\nT1S", ErrMalformed, "header"},
		{"an unknown T1 prefix", head + "T1XAAAA", ErrMalformed, "prefix"},
		{"not base64", head + "T1S!!!!", ErrMalformed, "base64"},
		{"not protobuf", head + "T1S" + base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff}), ErrMalformed, "protobuf"},
		{"a 2-byte trace id", head + "T1S" + shortIDs, ErrMalformed, "trace id of 2 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.datagram))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.in) {
				t.Errorf("Decode = %v, want %v saying %q", err, tt.want, tt.in)
			}
		})
	}
}

func TestXRayTraceID(t *testing.T) {
	id := []byte{0x57, 0x59, 0xe9, 0x88, 0xbd, 0x86, 0x2e, 0x3f, 0xe1, 0xbe, 0x46, 0xa9, 0x94, 0x27, 0x27, 0x93}
	if got := XRayTraceID(id); got != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("XRayTraceID = %s", got)
	}
}
