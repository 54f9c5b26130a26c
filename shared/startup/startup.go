// Package startup readies a function's process once, before its first
// invocation, the same way in every function: the JSON logger named for the
// function, the tracing backend the stage chose (TRACING), and the AWS
// config with every SDK call traced. A route's main calls Load, wires its
// handler from what it returns, and runs it with Start.
package startup

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/rs/zerolog"

	"wsapi/shared/logging"
	"wsapi/shared/tracing"
)

// Function is what a function starts with.
type Function struct {
	// Log writes the function's JSON lines: named by
	// AWS_LAMBDA_FUNCTION_NAME, at LOG_LEVEL.
	Log zerolog.Logger
	// AWS is the SDK config Lambda's environment gives, with every call made
	// through it a span of the invocation's trace.
	AWS aws.Config
	// Tracing is the backend TRACING names: xray (the default) or otel.
	Tracing *tracing.Backend
}

// Load readies the process. Its error is the AWS config's, which a
// function cannot run without: main logs it on Log and exits, and Lambda
// reports the init as failed. A bad TRACING is reported on Log, and the
// function traces with X-Ray.
func Load(ctx context.Context, optFns ...func(*config.LoadOptions) error) (Function, error) {
	log := logging.ForFunction()
	tr, err := tracing.New(ctx, log, os.Getenv("TRACING"))
	if err != nil {
		log.Warn().Err(err).Msg("config")
	}
	cfg, err := tr.LoadConfig(ctx, optFns...)
	return Function{Log: log, AWS: cfg, Tracing: tr}, err
}

// Start runs handler, any handler lambda.Start takes, as the function's
// Lambda handler, each invocation traced by the function's backend.
func (f Function) Start(handler any) {
	lambda.Start(f.Tracing.Handler(handler))
}
