package xraydaemon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// maxDepth bounds inline nesting. The SDK nests one level per open
// subsegment, so real documents stay shallow; a deeper one is hostile and
// would make the rendered tree unreadable anyway.
const maxDepth = 32

// maxEpoch rejects timestamps that cannot be a wall clock (year > 5000),
// which would otherwise overflow time conversions.
const maxEpoch = 1e11

var errMalformed = errors.New("malformed segment document")

// header is the first line of every datagram, `{"format": "json", "version": 1}`.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// document is the part of the X-Ray segment document this daemon shows. The
// SDK's xray.Segment marshals to this shape; unknown fields are ignored.
type document struct {
	TraceID     string          `json:"trace_id"`
	ID          string          `json:"id"`
	ParentID    string          `json:"parent_id"`
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	StartTime   float64         `json:"start_time"`
	EndTime     float64         `json:"end_time"`
	InProgress  bool            `json:"in_progress"`
	Fault       bool            `json:"fault"`
	Error       bool            `json:"error"`
	Throttle    bool            `json:"throttle"`
	Cause       json.RawMessage `json:"cause"`
	Origin      string          `json:"origin"`
	Namespace   string          `json:"namespace"`
	Annotations map[string]any  `json:"annotations"`
	HTTP        struct {
		Response struct {
			Status int `json:"status"`
		} `json:"response"`
	} `json:"http"`
	AWS struct {
		Operation string `json:"operation"`
	} `json:"aws"`
	Subsegments []document `json:"subsegments"`
}

// cause is the object form of a document's cause; X-Ray also allows a bare
// exception id string, which carries no message worth showing.
type cause struct {
	Exceptions []struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"exceptions"`
}

// entry is one segment or subsegment of a datagram, flattened. parent is
// where it belongs in the tree: for an inline subsegment that is the
// document containing it, not its parent_id, because the SDK sets parent_id
// of inline subsegments to the facade segment whatever their nesting.
type entry struct {
	node   xraytrace.Node
	parent string
	// invocation marks a function's own span of its invocation, which
	// OpenTelemetry opens under the segment Lambda records: the tree shows
	// what it holds under that segment, as it shows the X-Ray SDK's
	// subsegments, which hang on the segment directly.
	invocation bool
}

// parseDatagram decodes one datagram as the SDK's emitter writes it: the
// JSON header line, a newline, then one segment document.
func parseDatagram(b []byte) (traceID string, entries []entry, err error) {
	line, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return "", nil, fmt.Errorf("%w: no header line", errMalformed)
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return "", nil, fmt.Errorf("%w: header: %w", errMalformed, err)
	}
	if h.Format != "json" || h.Version != 1 {
		return "", nil, fmt.Errorf("%w: header format %q version %d", errMalformed, h.Format, h.Version)
	}
	var doc document
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", nil, fmt.Errorf("%w: body: %w", errMalformed, err)
	}
	if !validTraceID(doc.TraceID) {
		return "", nil, fmt.Errorf("%w: trace_id %q", errMalformed, doc.TraceID)
	}
	if doc.Type == "subsegment" && doc.ParentID == "" {
		return "", nil, fmt.Errorf("%w: subsegment %q without parent_id", errMalformed, doc.ID)
	}
	entries, err = flatten(doc, doc.ParentID, 0, entries)
	if err != nil {
		return "", nil, err
	}
	return doc.TraceID, entries, nil
}

// flatten appends doc and its inline subsegments, parents before children.
func flatten(doc document, parent string, depth int, out []entry) ([]entry, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: subsegments nested deeper than %d", errMalformed, maxDepth)
	}
	if doc.ID == "" || doc.Name == "" {
		return nil, fmt.Errorf("%w: segment without id or name", errMalformed)
	}
	if doc.StartTime <= 0 || doc.StartTime > maxEpoch || doc.EndTime < 0 || doc.EndTime > maxEpoch ||
		(doc.EndTime != 0 && doc.EndTime < doc.StartTime) {
		return nil, fmt.Errorf("%w: %q: start_time %v end_time %v", errMalformed, doc.ID, doc.StartTime, doc.EndTime)
	}
	n := xraytrace.Node{
		ID:          doc.ID,
		Name:        doc.Name,
		Origin:      doc.Origin,
		Namespace:   doc.Namespace,
		Start:       epoch(doc.StartTime),
		InProgress:  doc.InProgress || doc.EndTime == 0,
		Fault:       doc.Fault,
		Error:       doc.Error,
		Throttle:    doc.Throttle,
		Cause:       causeMessage(doc.Cause),
		Annotations: annotations(doc.Annotations),
		Operation:   doc.AWS.Operation,
		HTTPStatus:  doc.HTTP.Response.Status,
	}
	if doc.EndTime != 0 {
		n.End = epoch(doc.EndTime)
	}
	out = append(out, entry{node: n, parent: parent})
	for _, sub := range doc.Subsegments {
		var err error
		if out, err = flatten(sub, doc.ID, depth+1, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// validTraceID accepts the X-Ray form 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy.
func validTraceID(id string) bool {
	if len(id) != 35 || id[:2] != "1-" || id[10] != '-' {
		return false
	}
	for i, c := range id {
		if i < 2 || i == 10 {
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func epoch(sec float64) time.Time {
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9))
}

func causeMessage(raw json.RawMessage) string {
	var c cause
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil {
		return ""
	}
	for _, e := range c.Exceptions {
		if m := strings.TrimSpace(e.Message); m != "" {
			return m
		}
		if e.Type != "" {
			return e.Type
		}
	}
	return ""
}

// annotations keeps the value types X-Ray indexes (string, number, boolean)
// and drops anything else a sender put there.
func annotations(in map[string]any) map[string]any {
	var out map[string]any
	for k, v := range in {
		switch v.(type) {
		case string, float64, bool:
			if out == nil {
				out = make(map[string]any, len(in))
			}
			out[k] = v
		}
	}
	return out
}
