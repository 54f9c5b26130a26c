// Package tracingtest stands in for the X-Ray daemon in tests: the SDK is
// pointed at a loopback UDP socket, and the segments it sends are read back
// decoded, inside a context traced as aws-lambda-go traces an invocation.
package tracingtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-xray-sdk-go/v2/xray"
)

// TraceID is the trace of Invocation's context.
const TraceID = "1-5759e988-bd862e3fe1be46a994272793"

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

// Daemon receives what the X-Ray SDK sends.
type Daemon struct {
	conn net.PacketConn
}

// Start listens on loopback and configures the X-Ray SDK to send there,
// until the test ends.
func Start(t testing.TB) *Daemon {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := xray.Configure(xray.Config{DaemonAddr: conn.LocalAddr().String()}); err != nil {
		t.Fatal(err)
	}
	return &Daemon{conn: conn}
}

// Next returns the next segment the SDK sends, failing the test if none
// comes within 10 seconds.
func (d *Daemon) Next(t testing.TB) Segment {
	t.Helper()
	buf := make([]byte, 64<<10)
	_ = d.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := d.conn.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no segment reached the daemon: %v", err)
	}
	_, doc, ok := bytes.Cut(buf[:n], []byte("\n"))
	if !ok {
		t.Fatalf("datagram without the X-Ray header line: %q", buf[:n])
	}
	var seg Segment
	if err := json.Unmarshal(doc, &seg); err != nil {
		t.Fatalf("datagram %q: %v", doc, err)
	}
	return seg
}

// Invocation is the context aws-lambda-go gives a sampled invocation of
// trace TraceID.
func Invocation(ctx context.Context) context.Context {
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	return context.WithValue(ctx, "x-amzn-trace-id", "Root="+TraceID+";Parent=53995c3f42cd8ad8;Sampled=1")
}
