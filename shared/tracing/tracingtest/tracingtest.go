// Package tracingtest stands in for the X-Ray daemon in tests: both
// backends are pointed at a loopback UDP socket, and what they send is read
// back decoded (the X-Ray SDK's segment documents, OpenTelemetry's OTLP
// spans), inside a context traced as aws-lambda-go traces an invocation.
package tracingtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"wsapi/otlpudp"
	"wsapi/shared/tracing"
)

// TraceID is the trace of Invocation's context, and ParentID the segment
// Lambda opened for the invocation in it.
const (
	TraceID  = "1-5759e988-bd862e3fe1be46a994272793"
	ParentID = "53995c3f42cd8ad8"
)

// Segment is what tests look at in a segment or subsegment document.
type Segment struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	TraceID     string         `json:"trace_id"`
	Fault       bool           `json:"fault"`
	AWS         map[string]any `json:"aws"`
	Annotations map[string]any `json:"annotations"`
	Subsegments []Segment      `json:"subsegments"`
}

// Span is what tests look at in an OpenTelemetry span.
type Span struct {
	Name     string
	TraceID  string // as X-Ray writes it
	ID       string // hex
	ParentID string // hex; "" for none
	Kind     tracepb.Span_SpanKind
	Fault    bool // its status is Error
	// Attributes hold strings, int64s, float64s and bools.
	Attributes map[string]any
}

// Daemon receives what the tracing backends send.
type Daemon struct {
	conn net.PacketConn
}

// Start listens on loopback and points both backends there until the test
// ends: the X-Ray SDK, and AWS_XRAY_DAEMON_ADDRESS for OpenTelemetry
// backends made after it.
func Start(t testing.TB) *Daemon {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := xray.Configure(xray.Config{DaemonAddr: conn.LocalAddr().String()}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_XRAY_DAEMON_ADDRESS", conn.LocalAddr().String())
	return &Daemon{conn: conn}
}

// Next returns the next segment the X-Ray SDK sends, failing the test if
// none comes within 10 seconds.
func (d *Daemon) Next(t testing.TB) Segment {
	t.Helper()
	_, doc, ok := bytes.Cut(d.datagram(t, 10*time.Second), []byte("\n"))
	if !ok {
		t.Fatalf("datagram without the X-Ray header line: %q", doc)
	}
	var seg Segment
	if err := json.Unmarshal(doc, &seg); err != nil {
		t.Fatalf("datagram %q: %v", doc, err)
	}
	return seg
}

// NextSpans returns the spans of the next datagram an OpenTelemetry
// backend sends, failing the test if none comes within 10 seconds.
func (d *Daemon) NextSpans(t testing.TB) []Span {
	t.Helper()
	_, spans := d.NextSize(t)
	return spans
}

// NextSize is NextSpans with the size of the datagram that held them.
func (d *Daemon) NextSize(t testing.TB) (int, []Span) {
	t.Helper()
	return d.spans(t, d.datagram(t, 10*time.Second))
}

// Sent returns the spans of a datagram sent already, failing the test if
// there is none. On loopback a datagram is in the socket's buffer when the
// sender's write returns; the second it may wait is far below the 5 s after
// which the batch processor would send on its own.
func (d *Daemon) Sent(t testing.TB) []Span {
	t.Helper()
	_, spans := d.spans(t, d.datagram(t, time.Second))
	return spans
}

func (d *Daemon) spans(t testing.TB, b []byte) (int, []Span) {
	t.Helper()
	dg, err := otlpudp.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !dg.Sampled {
		t.Fatal("spans sent as unsampled (T1U)")
	}
	var spans []Span
	for _, rs := range dg.Request.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				spans = append(spans, Span{
					Name:       s.Name,
					TraceID:    otlpudp.XRayTraceID(s.TraceId),
					ID:         hex.EncodeToString(s.SpanId),
					ParentID:   hex.EncodeToString(s.ParentSpanId),
					Kind:       s.Kind,
					Fault:      s.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR,
					Attributes: attributes(s.Attributes),
				})
			}
		}
	}
	return len(b), spans
}

func (d *Daemon) datagram(t testing.TB, wait time.Duration) []byte {
	t.Helper()
	buf := make([]byte, 64<<10)
	_ = d.conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := d.conn.ReadFrom(buf)
	if err != nil {
		t.Fatalf("nothing reached the daemon in %v: %v", wait, err)
	}
	return buf[:n]
}

func attributes(kvs []*commonpb.KeyValue) map[string]any {
	out := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		switch v := kv.Value.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			out[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			out[kv.Key] = v.IntValue
		case *commonpb.AnyValue_DoubleValue:
			out[kv.Key] = v.DoubleValue
		case *commonpb.AnyValue_BoolValue:
			out[kv.Key] = v.BoolValue
		}
	}
	return out
}

// Invocation is the context aws-lambda-go gives a sampled invocation of
// trace TraceID.
func Invocation(ctx context.Context) context.Context {
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	return context.WithValue(ctx, "x-amzn-trace-id", "Root="+TraceID+";Parent="+ParentID+";Sampled=1")
}

// Invoke runs fn as one invocation of a function traced by b, in
// Invocation's trace, and returns fn's error as the invocation's.
func Invoke(ctx context.Context, b *tracing.Backend, fn func(ctx context.Context) error) error {
	ctx = lambdacontext.NewContext(Invocation(ctx), &lambdacontext.LambdaContext{AwsRequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd"})
	_, err := b.Handler(func(ctx context.Context) error { return fn(ctx) }).Invoke(ctx, []byte("{}"))
	return err
}
