package xraydaemon

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"time"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// Segment is a segment the gateway records itself, standing in for the one
// Lambda records around each invocation. The function's subsegments name
// ID as their parent, through the Parent field of the trace header.
type Segment struct {
	TraceID  string
	ID       string
	ParentID string // empty for the root of the trace
	Name     string // the function name
	Origin   string // OriginLambdaFunction when empty
	Start    time.Time
	End      time.Time
	// Fault marks a failed invocation, with Cause its error message.
	Fault       bool
	Error       bool
	Cause       string
	Annotations map[string]any // string, number or bool values, such as route and requestId
}

// Record adds a segment the gateway recorded and starts the settle window
// of its trace. It returns at once; the trace is delivered to OnComplete
// later. After Close it does nothing.
func (d *Daemon) Record(seg Segment) error {
	if !validTraceID(seg.TraceID) || seg.ID == "" || seg.Name == "" {
		return fmt.Errorf("xray daemon: record segment %q (id %q) of trace %q: %w", seg.Name, seg.ID, seg.TraceID, errInvalidSegment)
	}
	n := xraytrace.Node{
		ID:          seg.ID,
		Name:        seg.Name,
		Origin:      seg.Origin,
		Start:       seg.Start,
		End:         seg.End,
		InProgress:  seg.End.IsZero(),
		Fault:       seg.Fault,
		Error:       seg.Error,
		Cause:       seg.Cause,
		Annotations: maps.Clone(seg.Annotations),
	}
	if n.Origin == "" {
		n.Origin = xraytrace.OriginLambdaFunction
	}
	d.mu.Lock()
	d.add(seg.TraceID, []entry{{node: n, parent: seg.ParentID}}, true)
	d.mu.Unlock()
	return nil
}

var errInvalidSegment = errors.New("trace id, id and name are required")

// NewTraceHeader makes what Lambda passes to a function in
// _X_AMZN_TRACE_ID and the Lambda-Runtime-Trace-Id header: a fresh trace
// whose parent is the function segment the gateway will Record with
// segmentID when sampled. Unsampled, the function's SDK records nothing.
func NewTraceHeader(sampled bool) (header, traceID, segmentID string) {
	var r [20]byte
	_, _ = rand.Read(r[:]) // never fails: crypto/rand aborts the program instead
	traceID = fmt.Sprintf("1-%08x-%s", uint32(time.Now().Unix()), hex.EncodeToString(r[:12]))
	segmentID = hex.EncodeToString(r[12:])
	decision := "0"
	if sampled {
		decision = "1"
	}
	return "Root=" + traceID + ";Parent=" + segmentID + ";Sampled=" + decision, traceID, segmentID
}
