// Command authorizer is the Lambda REQUEST authorizer of the $connect route:
// it lets a handshake through when its token query parameter is a valid
// token (see package token) and names the user for the rest of the connection.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"wsapi/shared/logging"
)

func main() {
	log, err := logging.New(os.Stdout, os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), os.Getenv("LOG_LEVEL"))
	if err != nil {
		log.Warn().Err(err).Msg("config")
	}

	secrets := secretSource(log, os.Getenv, func() ParameterClient {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			log.Fatal().Err(err).Msg("load AWS config")
		}
		return ssm.NewFromConfig(cfg)
	})

	lambda.Start(Handler{Secrets: secrets, Log: log}.Handle)
}
