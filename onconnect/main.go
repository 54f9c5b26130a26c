// Command onconnect accepts a new WebSocket connection and records it in the
// connection registry under the user the authorizer verified.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/registry"
	"wsapi/shared/tracing"
)

func main() {
	log := logging.ForFunction()
	tracing.Init(log)
	cfg, err := tracing.LoadConfig(context.Background())
	if err != nil {
		log.Fatal().Err(err).Send()
	}

	h := Handler{Registry: registry.New(dynamodb.NewFromConfig(cfg), os.Getenv("CONNECTIONS_TABLE"))}
	lambda.Start(invocation.Logged(log, h.Handle))
}
