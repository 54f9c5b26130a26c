// Package otlpudp reads the datagrams OpenTelemetry's X-Ray UDP exporter
// (github.com/aws-observability/aws-otel-go/exporters/xrayudp) sends to the
// X-Ray daemon Lambda runs beside a function: the daemon's header line
// {"format":"json","version":1}, then T1S for spans of a sampled trace or
// T1U for an unsampled one, then an OTLP ExportTraceServiceRequest in
// protobuf, base64-encoded. The X-Ray SDK sends segment documents to the same
// daemon behind the same header; Decode tells the two apart.
//
// It is a module of its own, depending on nothing of this workspace: the
// functions' tests read what their spans look like with it, and the offline
// gateway's X-Ray daemon reads the spans the functions send.
package otlpudp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// The prefixes of the body, after the header line.
const (
	Sampled   = "T1S"
	Unsampled = "T1U"
)

var (
	// ErrNotOTLP is a datagram whose body is not OTLP: a segment document
	// of the X-Ray SDK, for one.
	ErrNotOTLP = errors.New("not an OTLP datagram")
	// ErrMalformed is a datagram Decode cannot read: without the daemon's
	// header line, or with OTLP spans it cannot decode.
	ErrMalformed = errors.New("malformed datagram")
)

// Datagram is one datagram's spans.
type Datagram struct {
	// Sampled is false for T1U, spans of a trace Lambda did not sample,
	// which the daemon does not forward.
	Sampled bool
	Request *coltracepb.ExportTraceServiceRequest
}

// header is the daemon's first line, the same for segment documents.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// Decode reads one datagram. Every span it returns has a 16-byte trace id
// and an 8-byte span id; anything else is ErrMalformed.
func Decode(b []byte) (Datagram, error) {
	line, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return Datagram{}, fmt.Errorf("%w: no header line", ErrMalformed)
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return Datagram{}, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	if h.Format != "json" || h.Version != 1 {
		return Datagram{}, fmt.Errorf("%w: header format %q version %d", ErrMalformed, h.Format, h.Version)
	}
	var d Datagram
	switch {
	case bytes.HasPrefix(body, []byte(Sampled)):
		d.Sampled = true
	case bytes.HasPrefix(body, []byte(Unsampled)):
	case bytes.HasPrefix(body, []byte("T1")):
		return Datagram{}, fmt.Errorf("%w: prefix %q", ErrMalformed, body[:min(len(body), 3)])
	default:
		return Datagram{}, ErrNotOTLP
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(body)-3))
	n, err := base64.StdEncoding.Decode(raw, body[3:])
	if err != nil {
		return Datagram{}, fmt.Errorf("%w: %s spans: base64: %w", ErrMalformed, body[:3], err)
	}
	d.Request = &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(raw[:n], d.Request); err != nil {
		return Datagram{}, fmt.Errorf("%w: %s spans: protobuf: %w", ErrMalformed, body[:3], err)
	}
	for _, rs := range d.Request.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				if len(s.GetTraceId()) != 16 || len(s.GetSpanId()) != 8 || len(s.GetParentSpanId()) != 0 && len(s.GetParentSpanId()) != 8 {
					return Datagram{}, fmt.Errorf("%w: span %q: trace id of %d bytes, span id of %d, parent id of %d",
						ErrMalformed, s.GetName(), len(s.GetTraceId()), len(s.GetSpanId()), len(s.GetParentSpanId()))
				}
			}
		}
	}
	return d, nil
}

// XRayTraceID writes a 16-byte OTLP trace id as X-Ray writes it,
// 1-5759e988-bd862e3fe1be46a994272793: the first four bytes are the trace's
// start in Unix seconds, as the X-Ray id generator and Lambda make them. An
// id of another length comes back in plain hex.
func XRayTraceID(id []byte) string {
	h := hex.EncodeToString(id)
	if len(h) != 32 {
		return h
	}
	return "1-" + h[:8] + "-" + h[8:]
}
