package console

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// RenderTrace writes t as a compact tree, one line per segment:
//
//	trace 1-5759e988-bd862e3fe1be46a994272793  11.9 ms
//	└─ go-websocket-api-local-hello  11.9 ms  (Lambda function)  requestId=r1  route=hello
//	   └─ PostToConnection  3.1 ms  bytes=27  connectionId=abc=  outcome=ok
//	      └─ ApiGatewayManagementApi  2.8 ms  (AWS)  PostToConnection  HTTP 200
//
// Annotations follow in key order; a fault shows as "FAULT: cause".
func RenderTrace(w io.Writer, t *xraytrace.Trace) error {
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s  %s", clean(t.ID), traceDuration(t))
	if t.Dropped > 0 {
		fmt.Fprintf(&b, "  (%d segments dropped)", t.Dropped)
	}
	b.WriteByte('\n')
	for i, n := range t.Roots {
		renderNode(&b, n, "", i == len(t.Roots)-1)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("render trace %s: %w", t.ID, err)
	}
	return nil
}

func renderNode(b *strings.Builder, n *xraytrace.Node, indent string, last bool) {
	branch, next := "├─ ", "│  "
	if last {
		branch, next = "└─ ", "   "
	}
	b.WriteString(indent + branch + clean(n.Name) + "  ")
	if n.InProgress {
		b.WriteString("in progress")
	} else {
		b.WriteString(ms(n.Duration()))
	}
	if label := originLabel(n); label != "" {
		b.WriteString("  (" + label + ")")
	}
	if n.Operation != "" {
		b.WriteString("  " + clean(n.Operation))
	}
	if n.HTTPStatus != 0 {
		fmt.Fprintf(b, "  HTTP %d", n.HTTPStatus)
	}
	for _, k := range slices.Sorted(maps.Keys(n.Annotations)) {
		b.WriteString("  " + clean(k) + "=" + annotationValue(n.Annotations[k]))
	}
	switch {
	case n.Fault && n.Cause != "":
		b.WriteString("  FAULT: " + clean(n.Cause))
	case n.Fault:
		b.WriteString("  FAULT")
	}
	if n.Throttle {
		b.WriteString("  THROTTLED")
	} else if n.Error {
		b.WriteString("  ERROR")
	}
	b.WriteByte('\n')
	for i, c := range n.Children {
		renderNode(b, c, indent+next, i == len(n.Children)-1)
	}
}

func originLabel(n *xraytrace.Node) string {
	switch {
	case n.Origin == xraytrace.OriginLambdaFunction:
		return "Lambda function"
	case n.Origin == "AWS::Lambda":
		return "Lambda"
	case n.Origin != "":
		return clean(n.Origin)
	case n.Namespace == "aws":
		return "AWS"
	case n.Namespace == "remote":
		return "remote"
	}
	return ""
}

// traceDuration spans the earliest start to the latest end in the trace.
func traceDuration(t *xraytrace.Trace) string {
	var first, last time.Time
	var walk func(n *xraytrace.Node)
	walk = func(n *xraytrace.Node) {
		if first.IsZero() || n.Start.Before(first) {
			first = n.Start
		}
		if n.End.After(last) {
			last = n.End
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, r := range t.Roots {
		walk(r)
	}
	if last.Before(first) || first.IsZero() {
		return ms(0)
	}
	return ms(last.Sub(first))
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

func annotationValue(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
			return strconv.Quote(v)
		}
		return v
	case float64:
		if math.Abs(v) < 1e15 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	default:
		return clean(fmt.Sprint(v))
	}
}

// clean keeps text from a datagram on one line.
func clean(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}
