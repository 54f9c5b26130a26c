// Package tracing keeps tracing behind one small surface: the functions open
// spans and instrument the AWS SDK here and nowhere else. Two backends send
// what they record to the X-Ray daemon Lambda runs beside each function:
//
//   - xray, the default: the X-Ray SDK, whose segment documents the daemon
//     forwards to X-Ray. AWS ends the SDK's support on 2027-02-25.
//   - otel: the OpenTelemetry SDK, whose spans go to the same daemon as OTLP
//     over UDP (AWS's xrayudp exporter) and on to CloudWatch Transaction
//     Search, which must be on in the account (docs/deploy.md).
//
// A stage picks one with the TRACING environment variable
// (`serverless deploy --param tracing=otel`). Either way the spans join the
// segment Lambda opens for the invocation, and the handlers do not know
// which backend records them.
package tracing

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/trace"
)

// The backends' names, as TRACING gives them.
const (
	XRay = "xray"
	OTel = "otel"
)

// Backend is the process's tracing: what instruments the AWS SDK, what
// wraps the Lambda handler, and where spans go.
type Backend struct {
	name string
	otel *otelBackend // nil for X-Ray
}

// New readies the backend named name ("" is X-Ray), logging its problems
// on log. It always returns a Backend the function can run with: for a name
// it does not know, or an OpenTelemetry exporter it cannot set up, that is
// X-Ray, and the error says why.
func New(ctx context.Context, log zerolog.Logger, name string) (*Backend, error) {
	switch name {
	case "", XRay:
		initXRay(log)
		return &Backend{name: XRay}, nil
	case OTel:
		o, err := newOTel(ctx, log)
		if err != nil {
			initXRay(log)
			return &Backend{name: XRay}, fmt.Errorf("TRACING=otel: %w; tracing with X-Ray instead", err)
		}
		return &Backend{name: OTel, otel: o}, nil
	}
	initXRay(log)
	return &Backend{name: XRay}, fmt.Errorf("TRACING=%q is not a tracing backend (want %q or %q); tracing with X-Ray", name, XRay, OTel)
}

// Name is the backend's name, XRay or OTel.
func (b *Backend) Name() string { return b.name }

// Instrument makes every AWS SDK call made with cfg a span of the
// invocation's trace.
func (b *Backend) Instrument(cfg *aws.Config) {
	if b.otel != nil {
		b.otel.instrument(cfg)
		return
	}
	instrumentXRay(cfg)
}

// LoadConfig loads the function's AWS config, as the SDK finds it in
// Lambda's environment, with every call it makes traced.
func (b *Backend) LoadConfig(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	b.Instrument(&cfg)
	return cfg, nil
}

// Handler returns handler, any handler lambda.Start takes, as the
// function's Lambda handler. With OpenTelemetry each invocation is a span
// under Lambda's own segment, and the invocation's spans are sent before
// it returns. X-Ray's SDK needs no wrapping: Lambda's segment is its
// parent already.
func (b *Backend) Handler(handler any) lambda.Handler {
	h := lambda.NewHandler(handler)
	if b.otel != nil {
		return b.otel.wrap(h)
	}
	return h
}

// Span is one span of the invocation's trace. The zero Span (no trace
// context) does nothing.
type Span struct {
	xray *xraySpan
	otel trace.Span
}

// Start opens a span named name, a child of the one in ctx: the
// OpenTelemetry span of the invocation or of an enclosing Start, or else
// the X-Ray segment Lambda opened for the invocation.
func Start(ctx context.Context, name string) (context.Context, *Span) {
	if parent := trace.SpanFromContext(ctx); parent.SpanContext().IsValid() {
		ctx, span := parent.TracerProvider().Tracer(scope).Start(ctx, name)
		return ctx, &Span{otel: span}
	}
	ctx, s := startXRay(ctx, name)
	return ctx, &Span{xray: s}
}

// Annotate records key on the span, searchable in X-Ray (an annotation) or
// Transaction Search (an attribute).
func (s *Span) Annotate(key string, value any) {
	switch {
	case s.otel != nil:
		s.otel.SetAttributes(attributeOf(key, value))
	case s.xray != nil:
		s.xray.annotate(key, value)
	}
}

// End closes the span, marking it faulted when err is not nil.
func (s *Span) End(err error) {
	switch {
	case s.otel != nil:
		endOTel(s.otel, err)
	case s.xray != nil:
		s.xray.end(err)
	}
}
