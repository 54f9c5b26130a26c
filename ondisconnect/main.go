// Command ondisconnect removes a closed WebSocket connection from the
// connection registry.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/registry"
	"wsapi/shared/tracing"
)

func main() {
	log, err := logging.New(os.Stdout, os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), os.Getenv("LOG_LEVEL"))
	if err != nil {
		log.Warn().Err(err).Msg("config")
	}
	tracing.Init(log)

	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal().Err(err).Msg("load AWS config")
	}
	tracing.Instrument(&cfg)

	h := Handler{Registry: registry.New(dynamodb.NewFromConfig(cfg), os.Getenv("CONNECTIONS_TABLE"))}
	lambda.Start(invocation.Logged(log, h.Handle))
}
