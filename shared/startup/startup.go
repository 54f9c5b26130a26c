// Package startup readies a function's process once, before its first
// invocation, the same way in every function: the JSON logger named for the
// function, the X-Ray SDK's own output sent to that logger, and the AWS
// config with every SDK call traced. A route's main calls Load and wires its
// handler from what it returns.
package startup

import (
	"context"

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
	// through it a subsegment of the invocation's trace.
	AWS aws.Config
}

// Load readies the process. Its error is the AWS config's, which a
// function cannot run without: main logs it on Log and exits, and Lambda
// reports the init as failed.
func Load(ctx context.Context, optFns ...func(*config.LoadOptions) error) (Function, error) {
	log := logging.ForFunction()
	tracing.Init(log)
	cfg, err := tracing.LoadConfig(ctx, optFns...)
	return Function{Log: log, AWS: cfg}, err
}
