// Package logging writes the JSON log lines every function shares: one field
// set per invocation (function, route, requestId, connectionId, traceId), so
// that CloudWatch Logs Insights and `serverless logs` read the same everywhere.
package logging

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"
)

// New returns a logger writing JSON lines to w at the level named by level
// ("" means info). An unknown level falls back to info and is reported, so a
// typo in LOG_LEVEL never silences a function.
func New(w io.Writer, function, level string) (zerolog.Logger, error) {
	log := zerolog.New(w).With().Timestamp().Str("function", function).Logger()
	if level == "" {
		return log.Level(zerolog.InfoLevel), nil
	}
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || lvl == zerolog.NoLevel {
		return log.Level(zerolog.InfoLevel), fmt.Errorf("LOG_LEVEL %q is not a level (trace, debug, info, warn, error): using info", level)
	}
	return log.Level(lvl), nil
}

// Invocation names the request a log line belongs to.
type Invocation struct {
	Route        string
	RequestID    string
	ConnectionID string
	TraceID      string
}

type ctxKey struct{}

type entry struct {
	base   zerolog.Logger
	inv    Invocation
	logger zerolog.Logger
}

// WithInvocation returns a context whose logger carries inv's fields.
func WithInvocation(ctx context.Context, base zerolog.Logger, inv Invocation) context.Context {
	e := &entry{base: base, inv: inv}
	e.logger = e.with(inv.ConnectionID)
	return context.WithValue(ctx, ctxKey{}, e)
}

func (e *entry) with(connectionID string) zerolog.Logger {
	return e.base.With().
		Str("route", e.inv.Route).
		Str("requestId", e.inv.RequestID).
		Str("connectionId", connectionID).
		Str("traceId", e.inv.TraceID).
		Logger()
}

// From returns the invocation's logger, or a disabled one outside an invocation.
func From(ctx context.Context) *zerolog.Logger {
	if e, ok := ctx.Value(ctxKey{}).(*entry); ok {
		return &e.logger
	}
	return zerolog.Ctx(ctx)
}

// ForConnection returns the invocation's logger speaking of another
// connection, for lines about a message sent to someone other than the caller.
func ForConnection(ctx context.Context, connectionID string) zerolog.Logger {
	e, ok := ctx.Value(ctxKey{}).(*entry)
	if !ok {
		return zerolog.Ctx(ctx).With().Str("connectionId", connectionID).Logger()
	}
	if connectionID == e.inv.ConnectionID {
		return e.logger
	}
	return e.with(connectionID)
}

// ForFunction returns the logger of the Lambda function this process runs:
// named by AWS_LAMBDA_FUNCTION_NAME, at LOG_LEVEL. A bad LOG_LEVEL is
// reported on the logger itself.
func ForFunction() zerolog.Logger {
	log, err := New(os.Stdout, os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), os.Getenv("LOG_LEVEL"))
	if err != nil {
		log.Warn().Err(err).Msg("config")
	}
	return log
}
