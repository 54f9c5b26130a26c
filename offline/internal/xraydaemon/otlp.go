package xraydaemon

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"wsapi/offline/internal/xraydaemon/xraytrace"
	"wsapi/otlpudp"
)

// errUnsampled is a datagram of spans of a trace Lambda did not sample
// (T1U), which the daemon does not forward.
var errUnsampled = errors.New("spans of an unsampled trace")

// batch is what one datagram holds of one trace.
type batch struct {
	traceID string
	entries []entry
}

// decodeDatagram reads a datagram of either sender the daemon serves: a
// segment document of the X-Ray SDK, or OpenTelemetry spans as AWS's X-Ray
// UDP exporter sends them. Both come behind the same header line.
func decodeDatagram(b []byte) ([]batch, error) {
	dg, err := otlpudp.Decode(b)
	switch {
	case errors.Is(err, otlpudp.ErrNotOTLP):
		traceID, entries, err := parseDatagram(b)
		if err != nil {
			return nil, err
		}
		return []batch{{traceID: traceID, entries: entries}}, nil
	case err != nil:
		return nil, err
	case !dg.Sampled:
		return nil, errUnsampled
	}
	return spanBatches(dg.Request)
}

// spanBatches turns spans into segments as X-Ray does with the spans it
// receives, by trace. One bad span refuses the datagram, as one bad
// subsegment refuses a segment document.
func spanBatches(req *coltracepb.ExportTraceServiceRequest) ([]batch, error) {
	var out []batch
	byTrace := map[string]int{}
	for _, rs := range req.GetResourceSpans() {
		service := stringAttribute(rs.GetResource().GetAttributes(), "service.name")
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				e, err := spanEntry(s, service)
				if err != nil {
					return nil, err
				}
				id := otlpudp.XRayTraceID(s.GetTraceId())
				i, ok := byTrace[id]
				if !ok {
					i = len(out)
					byTrace[id] = i
					out = append(out, batch{traceID: id})
				}
				out[i].entries = append(out[i].entries, e)
			}
		}
	}
	return out, nil
}

// spanEntry makes a span the segment X-Ray makes of it: a server span is
// named for its service (the function), an AWS SDK call for the AWS service
// with its operation, and a status of error, or an HTTP status of 4xx or
// 5xx, marks it as X-Ray marks a segment.
func spanEntry(s *tracepb.Span, service string) (entry, error) {
	start, end := s.GetStartTimeUnixNano(), s.GetEndTimeUnixNano()
	if start == 0 || end < start || end > math.MaxInt64 {
		return entry{}, fmt.Errorf("%w: span %q: start %d, end %d (ns)", otlpudp.ErrMalformed, s.GetName(), start, end)
	}
	attrs := s.GetAttributes()
	n := xraytrace.Node{
		ID: hex.EncodeToString(s.GetSpanId()),
		// X-Ray's name for a segment whose span has none.
		Name:        cmp.Or(s.GetName(), "span"),
		Start:       time.Unix(0, int64(start)),
		End:         time.Unix(0, int64(end)),
		Annotations: spanAnnotations(attrs),
	}
	if code := intAttribute(attrs, "http.response.status_code", "http.status_code"); code >= 100 && code <= 999 {
		n.HTTPStatus = int(code)
	}
	e := entry{node: n, parent: hex.EncodeToString(s.GetParentSpanId())}
	switch s.GetKind() {
	case tracepb.Span_SPAN_KIND_SERVER:
		if service != "" {
			e.node.Name = service
		}
		// OpenTelemetry's Lambda instrumentation opens this span under the
		// segment Lambda records for the invocation.
		e.invocation = e.parent != ""
	case tracepb.Span_SPAN_KIND_CLIENT:
		e.node.Namespace = "remote"
		if svc, op, ok := awsCall(attrs); ok {
			e.node.Namespace, e.node.Name, e.node.Operation = "aws", svc, op
		}
	}
	failed := s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR
	switch code := e.node.HTTPStatus; {
	case code >= 400 && code <= 499:
		e.node.Error, e.node.Throttle = true, code == 429
	case code >= 500 && code <= 599:
		e.node.Fault = true
	default:
		e.node.Fault = failed
	}
	if failed {
		e.node.Cause = spanCause(s)
	}
	return e, nil
}

// awsCall reads which AWS API a client span calls, from the RPC semantic
// conventions as OpenTelemetry's AWS SDK instrumentation sets them:
// rpc.system.name "aws-api" and rpc.method "Service/Operation", or before
// semantic conventions 1.39, rpc.system, rpc.service and rpc.method.
func awsCall(attrs []*commonpb.KeyValue) (service, operation string, ok bool) {
	if stringAttribute(attrs, "rpc.system.name", "rpc.system") != "aws-api" {
		return "", "", false
	}
	method := stringAttribute(attrs, "rpc.method")
	if svc := stringAttribute(attrs, "rpc.service"); svc != "" {
		return svc, method, true
	}
	service, operation, found := strings.Cut(method, "/")
	if !found {
		return "", "", false
	}
	return service, operation, true
}

// spanCause is the message of the span's first exception, or else its
// status message.
func spanCause(s *tracepb.Span) string {
	for _, ev := range s.GetEvents() {
		if ev.GetName() == "exception" {
			if m := stringAttribute(ev.GetAttributes(), "exception.message"); m != "" {
				return m
			}
		}
	}
	return s.GetStatus().GetMessage()
}

// spanAnnotations keeps the attributes a function set as it would set X-Ray
// annotations: keys of letters, digits and underscores only, which X-Ray
// requires of an annotation's key, and so none of the semantic conventions'
// dotted keys; values of a type X-Ray indexes.
func spanAnnotations(attrs []*commonpb.KeyValue) map[string]any {
	var out map[string]any
	for _, kv := range attrs {
		if !annotationKey(kv.GetKey()) {
			continue
		}
		var v any
		switch val := kv.GetValue().GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			v = val.StringValue
		case *commonpb.AnyValue_IntValue:
			v = float64(val.IntValue)
		case *commonpb.AnyValue_DoubleValue:
			v = val.DoubleValue
		case *commonpb.AnyValue_BoolValue:
			v = val.BoolValue
		default:
			continue
		}
		if out == nil {
			out = make(map[string]any, len(attrs))
		}
		out[kv.GetKey()] = v
	}
	return out
}

func annotationKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// stringAttribute is the first of keys that attrs holds as a string.
func stringAttribute(attrs []*commonpb.KeyValue, keys ...string) string {
	for _, k := range keys {
		for _, kv := range attrs {
			if kv.GetKey() == k {
				if v, ok := kv.GetValue().GetValue().(*commonpb.AnyValue_StringValue); ok {
					return v.StringValue
				}
			}
		}
	}
	return ""
}

// intAttribute is the first of keys that attrs holds as an integer.
func intAttribute(attrs []*commonpb.KeyValue, keys ...string) int64 {
	for _, k := range keys {
		for _, kv := range attrs {
			if kv.GetKey() == k {
				if v, ok := kv.GetValue().GetValue().(*commonpb.AnyValue_IntValue); ok {
					return v.IntValue
				}
			}
		}
	}
	return 0
}
