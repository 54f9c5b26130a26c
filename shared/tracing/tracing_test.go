package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/rs/zerolog"
)

// A span outside a traced invocation (a unit test, a local run) does
// nothing and must not fail.
func TestSpanWithoutTrace(t *testing.T) {
	ctx, span := Start(context.Background(), "PostToConnection")
	span.Annotate("connectionId", "x=")
	span.End(errors.New("boom"))
	if xray.GetSegment(ctx) != nil {
		t.Error("an untraced context got a segment")
	}
}

func TestSpanEmitted(t *testing.T) {
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()
	if err := xray.Configure(xray.Config{DaemonAddr: daemon.LocalAddr().String()}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	Init(zerolog.New(&logs))

	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	_, span := Start(ctx, "Registry")
	span.Annotate("user", "taro")
	span.End(errors.New("throttled"))

	buf := make([]byte, 64<<10)
	daemon.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := daemon.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no segment reached the daemon: %v", err)
	}
	_, doc, _ := bytes.Cut(buf[:n], []byte("\n"))
	var seg struct {
		Name        string         `json:"name"`
		TraceID     string         `json:"trace_id"`
		Fault       bool           `json:"fault"`
		Annotations map[string]any `json:"annotations"`
	}
	if err := json.Unmarshal(doc, &seg); err != nil {
		t.Fatal(err)
	}
	if seg.Name != "Registry" || seg.TraceID != "1-5759e988-bd862e3fe1be46a994272793" || !seg.Fault || seg.Annotations["user"] != "taro" {
		t.Errorf("segment = %+v", seg)
	}
	if logs.Len() != 0 {
		t.Errorf("the SDK's chatter reached the function's log: %s", logs.String())
	}
}
