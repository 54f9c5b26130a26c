package tracing

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/rs/zerolog"

	"wsapi/shared/tracing/tracingtest"
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
	daemon := tracingtest.Start(t)
	var logs bytes.Buffer
	Init(zerolog.New(&logs))

	_, span := Start(tracingtest.Invocation(context.Background()), "Registry")
	span.Annotate("user", "taro")
	span.End(errors.New("throttled"))

	seg := daemon.Next(t)
	if seg.Name != "Registry" || seg.TraceID != tracingtest.TraceID || !seg.Fault || seg.Annotations["user"] != "taro" {
		t.Errorf("segment = %+v", seg)
	}
	if logs.Len() != 0 {
		t.Errorf("the SDK's chatter reached the function's log: %s", logs.String())
	}
}
