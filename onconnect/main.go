// Command onconnect accepts a new WebSocket connection.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"wsapi/shared/invocation"
	"wsapi/shared/logging"
)

func main() {
	log, err := logging.New(os.Stdout, os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), os.Getenv("LOG_LEVEL"))
	if err != nil {
		log.Warn().Err(err).Msg("config")
	}
	lambda.Start(invocation.Logged(log, Handle))
}
