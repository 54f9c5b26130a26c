package tracing

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-xray-sdk-go/v2/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/aws/aws-xray-sdk-go/v2/xraylog"
	"github.com/rs/zerolog"
)

// initXRay sends the X-Ray SDK's warnings and errors to log, so that a
// function's output stays JSON lines; its chatter below that is dropped.
func initXRay(log zerolog.Logger) {
	xray.SetLogger(sdkLogger{log: log.With().Str("component", "xray").Logger()})
}

// instrumentXRay makes every AWS SDK call made with cfg a subsegment.
func instrumentXRay(cfg *aws.Config) {
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
}

// xraySpan is one subsegment.
type xraySpan struct {
	seg *xray.Segment
}

// startXRay opens a subsegment named name under the invocation's segment,
// or nothing outside a traced invocation (a unit test, a local run).
func startXRay(ctx context.Context, name string) (context.Context, *xraySpan) {
	if traceHeader(ctx) == "" && xray.GetSegment(ctx) == nil {
		return ctx, nil
	}
	ctx, seg := xray.BeginSubsegment(ctx, name)
	if seg == nil {
		return ctx, nil
	}
	return ctx, &xraySpan{seg: seg}
}

func (s *xraySpan) annotate(key string, value any) {
	_ = s.seg.AddAnnotation(key, value)
}

func (s *xraySpan) end(err error) {
	s.seg.Close(err)
}

// traceHeader is the X-Amzn-Trace-Id the Lambda runtime client put in ctx.
func traceHeader(ctx context.Context) string {
	h, _ := ctx.Value(xray.LambdaTraceHeaderKey).(string)
	return h
}

type sdkLogger struct {
	log zerolog.Logger
}

func (l sdkLogger) Log(level xraylog.LogLevel, msg fmt.Stringer) {
	switch level {
	case xraylog.LogLevelError:
		l.log.Error().Msg(msg.String())
	case xraylog.LogLevelWarn:
		l.log.Warn().Msg(msg.String())
	}
}
