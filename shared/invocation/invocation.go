// Package invocation adapts a route's logic to a Lambda handler: it gives
// every invocation its logger (function, route, requestId, connectionId,
// traceId) and closes it with one line carrying the status and duration.
package invocation

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/rs/zerolog"

	"wsapi/shared/logging"
)

// Handler is a route's logic for one WebSocket event.
type Handler func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error)

// Logged returns h with each invocation logged through base.
func Logged(base zerolog.Logger, h Handler) Handler {
	return func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		start := time.Now()
		ctx = logging.WithInvocation(ctx, base, For(ctx, req.RequestContext))

		resp, err := h(ctx, req)

		log := logging.From(ctx)
		ev := log.Info()
		if err != nil {
			ev = log.Error().Err(err)
		}
		ev.Int("status", resp.StatusCode).
			Float64("durationMs", float64(time.Since(start).Microseconds())/1000).
			Msg("invocation done")
		return resp, err
	}
}

// For names the invocation in ctx, of an event with requestContext rc, the
// way every function's log lines do: requestId is Lambda's, so it matches the
// platform's own START, END and REPORT lines.
func For(ctx context.Context, rc events.APIGatewayWebsocketProxyRequestContext) logging.Invocation {
	inv := Of(ctx, rc.RouteKey)
	inv.ConnectionID = rc.ConnectionID
	return inv
}

// Of names an invocation in ctx that no connection's event started, such as
// the fan-out worker's batch off the queue, by route and as For does.
func Of(ctx context.Context, route string) logging.Invocation {
	inv := logging.Invocation{Route: route, TraceID: traceID(ctx)}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		inv.RequestID = lc.AwsRequestID
	}
	return inv
}

// traceID returns the root of the X-Amzn-Trace-Id that aws-lambda-go puts in
// the context of each invocation (Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1).
// Reading it here rather than through the X-Ray SDK keeps functions that do
// not trace free of the SDK's weight.
func traceID(ctx context.Context) string {
	header, _ := ctx.Value("x-amzn-trace-id").(string)
	for part := range strings.SplitSeq(header, ";") {
		if root, ok := strings.CutPrefix(part, "Root="); ok {
			return root
		}
	}
	return ""
}
