// Command hello answers {"action":"hello","userName":"taro"} with
// {"message":"hello, taro!"} on the caller's own connection.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"wsapi/shared/connections"
	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/tracing"
)

func main() {
	log := logging.ForFunction()
	tracing.Init(log)
	cfg, err := tracing.LoadConfig(context.Background())
	if err != nil {
		log.Fatal().Err(err).Send()
	}
	pool := connections.NewPool(cfg)

	h := Handler{Connections: func(domainName, stage string) Poster { return pool.For(domainName, stage) }}
	lambda.Start(invocation.Logged(log, h.Handle))
}
