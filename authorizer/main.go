// Command authorizer is the Lambda REQUEST authorizer of the $connect route:
// it lets a handshake through when its token query parameter is a valid
// token (see package token) and names the user for the rest of the connection.
package main

import (
	"context"
	"os"

	"wsapi/shared/startup"
)

func main() {
	fn, err := startup.Load(context.Background())
	if err != nil {
		fn.Log.Fatal().Err(err).Send()
	}

	secrets := secretSource(fn.Log, os.Getenv, func() ParameterClient { return newParameterClient(fn.AWS) })
	fn.Start(Handler{Secrets: secrets, Log: fn.Log}.Handle)
}
