package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws-observability/aws-otel-go/exporters/xrayudp"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// scope names the spans Start opens.
const scope = "wsapi/shared/tracing"

// maxBatch bounds the spans the exporter puts in one datagram: one UDP
// packet, at most 65,507 bytes. A failed post to @connections and the SDK
// call beneath it, the largest spans a function sends, take about 750 bytes
// each once encoded (TestBatchFitsOneDatagram): 32 of them fill less than
// half a datagram, leaving room for longer attribute values.
const maxBatch = 32

// errNotSent marks an export the exporter failed, already logged.
var errNotSent = errors.New("spans not sent")

// otelBackend is the OpenTelemetry SDK set up for Lambda.
type otelBackend struct {
	tp  *sdktrace.TracerProvider
	log zerolog.Logger
}

// newOTel sends spans to the X-Ray daemon at AWS_XRAY_DAEMON_ADDRESS, which
// Lambda sets for every function with active tracing.
func newOTel(ctx context.Context, log zerolog.Logger) (*otelBackend, error) {
	log = log.With().Str("component", "otel").Logger()
	exp, err := xrayudp.NewSpanExporter(ctx, xrayudp.WithEndpoint(os.Getenv("AWS_XRAY_DAEMON_ADDRESS")))
	if err != nil {
		return nil, fmt.Errorf("X-Ray UDP exporter: %w", err)
	}
	// The exporter reports a failed send here twice before returning it;
	// the returned error is what the function's log gets, once
	// (reportingExporter). What else the SDK reports is chatter.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Debug().Err(err).Msg("sdk")
	}))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(lambdaResource()),
		// Lambda decides which invocations are traced, in the Sampled flag
		// of the trace header, as it does for the X-Ray SDK; an invocation
		// without one is not traced.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())),
		// Trace ids of the form X-Ray requires, should a span ever start a
		// trace of its own.
		sdktrace.WithIDGenerator(xray.NewIDGenerator()),
		// A span waits for room in the batch processor's queue rather than
		// be dropped unseen: the exporter only writes to loopback, so a wait
		// is short, as the X-Ray SDK's own sending in the caller is.
		sdktrace.WithBatcher(reportingExporter{SpanExporter: exp, log: log},
			sdktrace.WithMaxExportBatchSize(maxBatch), sdktrace.WithBlocking()),
	)
	return &otelBackend{tp: tp, log: log}, nil
}

// lambdaResource describes the function, from the variables Lambda sets.
func lambdaResource() *resource.Resource {
	attrs := []attribute.KeyValue{semconv.CloudProviderAWS, semconv.CloudPlatformAWSLambda}
	for _, a := range []struct {
		env string
		kv  func(string) attribute.KeyValue
	}{
		{"AWS_LAMBDA_FUNCTION_NAME", semconv.ServiceName},
		{"AWS_LAMBDA_FUNCTION_NAME", semconv.FaaSName},
		{"AWS_LAMBDA_FUNCTION_VERSION", semconv.FaaSVersion},
		{"AWS_REGION", semconv.CloudRegion},
		// Ties the spans to the function's log lines in CloudWatch.
		{"AWS_LAMBDA_LOG_GROUP_NAME", func(v string) attribute.KeyValue { return semconv.AWSLogGroupNames(v) }},
	} {
		if v := os.Getenv(a.env); v != "" {
			attrs = append(attrs, a.kv(v))
		}
	}
	return resource.NewWithAttributes(semconv.SchemaURL, attrs...)
}

// instrument adds a client span for every AWS SDK call, carrying the
// trace on in the X-Amzn-Trace-Id header as the X-Ray SDK does.
func (o *otelBackend) instrument(cfg *aws.Config) {
	otelaws.AppendMiddlewares(&cfg.APIOptions, otelaws.WithTracerProvider(o.tp), otelaws.WithTextMapPropagator(xray.Propagator{}))
}

// wrap makes each invocation of h a span under Lambda's segment, faulted
// when h returns an error, and sends the invocation's spans before the
// invocation returns.
func (o *otelBackend) wrap(h lambda.Handler) lambda.Handler {
	return otellambda.WrapHandler(faultOnError{h},
		otellambda.WithTracerProvider(o.tp),
		otellambda.WithPropagator(invocationPropagator{}),
		otellambda.WithFlusher(o),
	)
}

// ForceFlush sends the spans still held, before Lambda may freeze the
// process. A send that fails loses those spans, not the invocation: it is
// logged, and the invocation's result stands.
func (o *otelBackend) ForceFlush(ctx context.Context) error {
	if err := o.tp.ForceFlush(ctx); err != nil && !errors.Is(err, errNotSent) {
		withRequestID(ctx, o.log.Warn()).Err(err).Msg("flush spans")
	}
	return nil
}

// reportingExporter logs each export that fails, whether a flush or the
// batch processor sent it.
type reportingExporter struct {
	sdktrace.SpanExporter
	log zerolog.Logger
}

func (e reportingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if err := e.SpanExporter.ExportSpans(ctx, spans); err != nil {
		withRequestID(ctx, e.log.Warn()).Err(err).Int("spans", len(spans)).Msg("spans not sent")
		return fmt.Errorf("%w: %w", errNotSent, err)
	}
	return nil
}

func withRequestID(ctx context.Context, ev *zerolog.Event) *zerolog.Event {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ev = ev.Str("requestId", lc.AwsRequestID)
	}
	return ev
}

// invocationPropagator reads the invocation's trace from the X-Amzn-Trace-Id
// that aws-lambda-go puts in each invocation's context (and in
// _X_AMZN_TRACE_ID): the segment Lambda opened, and whether Lambda sampled
// it. The log lines' traceId comes from the same header
// (shared/invocation), so a line and its trace always agree.
type invocationPropagator struct {
	xray.Propagator
}

func (p invocationPropagator) Extract(ctx context.Context, _ propagation.TextMapCarrier) context.Context {
	return p.Propagator.Extract(ctx, propagation.MapCarrier{"X-Amzn-Trace-Id": traceHeader(ctx)})
}

// faultOnError marks the invocation's span faulted when the handler fails,
// as Lambda marks its own segment.
type faultOnError struct {
	lambda.Handler
}

func (h faultOnError) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := h.Handler.Invoke(ctx, payload)
	if err != nil {
		trace.SpanFromContext(ctx).SetStatus(codes.Error, err.Error())
	}
	return out, err
}

func endOTel(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

func attributeOf(key string, value any) attribute.KeyValue {
	switch v := value.(type) {
	case string:
		return attribute.String(key, v)
	case int:
		return attribute.Int(key, v)
	case int64:
		return attribute.Int64(key, v)
	case float64:
		return attribute.Float64(key, v)
	case bool:
		return attribute.Bool(key, v)
	}
	return attribute.String(key, fmt.Sprint(value))
}
