// Package tracing keeps X-Ray behind one small surface: the functions open
// subsegments and instrument the AWS SDK here and nowhere else, so moving to
// OpenTelemetry (AWS's successor to the X-Ray SDKs) touches this package only.
package tracing

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/v2/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/aws/aws-xray-sdk-go/v2/xraylog"
	"github.com/rs/zerolog"
)

// Init sends the X-Ray SDK's warnings and errors to log, so that a
// function's output stays JSON lines; its chatter below that is dropped.
func Init(log zerolog.Logger) {
	xray.SetLogger(sdkLogger{log: log.With().Str("component", "xray").Logger()})
}

// Instrument makes every AWS SDK call made with cfg a subsegment of the
// invocation's trace.
func Instrument(cfg *aws.Config) {
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
}

// Span is one subsegment. The zero Span (no trace context) does nothing.
type Span struct {
	seg *xray.Segment
}

// Start opens a subsegment named name under the invocation's segment.
func Start(ctx context.Context, name string) (context.Context, *Span) {
	if traceHeader(ctx) == "" && xray.GetSegment(ctx) == nil {
		return ctx, &Span{}
	}
	ctx, seg := xray.BeginSubsegment(ctx, name)
	return ctx, &Span{seg: seg}
}

// Annotate records an indexed key on the subsegment, searchable in the X-Ray console.
func (s *Span) Annotate(key string, value any) {
	if s.seg != nil {
		_ = s.seg.AddAnnotation(key, value)
	}
}

// End closes the subsegment, marking it faulted when err is not nil.
func (s *Span) End(err error) {
	if s.seg != nil {
		s.seg.Close(err)
	}
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

// LoadConfig loads the function's AWS config, as the SDK finds it in
// Lambda's environment, with every call it makes traced.
func LoadConfig(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	Instrument(&cfg)
	return cfg, nil
}
