// Command hello answers {"action":"hello","userName":"taro"} with
// {"message":"hello, taro!"} on the caller's own connection.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"wsapi/shared/connections"
	"wsapi/shared/invocation"
	"wsapi/shared/logging"
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
	pool := connections.NewPool(cfg)

	h := Handler{Connections: func(domainName, stage string) Poster { return pool.For(domainName, stage) }}
	lambda.Start(invocation.Logged(log, h.Handle))
}
