package console

import (
	"errors"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

func TestTracesPrintsEachTraceTaggedXRay(t *testing.T) {
	var b strings.Builder
	printTrace := Traces(New(&b), true)
	if printTrace == nil {
		t.Fatal("Traces(printed) is nil, want a printer")
	}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	printTrace(&xraytrace.Trace{ID: "1-5759e988-bd862e3fe1be46a994272793", Roots: []*xraytrace.Node{{
		Name: "go-websocket-api-local-hello", Origin: "AWS::Lambda::Function", Start: start, End: start.Add(2 * time.Millisecond),
	}}})
	want := "x-ray        │ trace 1-5759e988-bd862e3fe1be46a994272793  2.0 ms\n" +
		"x-ray        │ └─ go-websocket-api-local-hello  2.0 ms  (Lambda function)\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
}

// TestTracesNotPrintedIsNil: nil is what tells the daemon not to render
// traces at all, and the banner not to name its sampling.
func TestTracesNotPrintedIsNil(t *testing.T) {
	if Traces(New(&strings.Builder{}), false) != nil {
		t.Error("Traces(not printed) is a printer, want nil")
	}
}

func TestMalformedDatagramWarns(t *testing.T) {
	var b strings.Builder
	MalformedDatagram(New(&b))(errors.New("malformed datagram: no header line"))
	want := "warning      │ X-Ray daemon: malformed datagram: no header line; later datagrams it cannot read are not shown\n"
	if b.String() != want {
		t.Errorf("printed %q, want %q", b.String(), want)
	}
}
