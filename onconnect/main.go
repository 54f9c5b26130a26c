// Command onconnect accepts a new WebSocket connection and records it in the
// connection registry under the user the authorizer verified.
package main

import (
	"context"
	"os"

	"wsapi/shared/invocation"
	"wsapi/shared/registry"
	"wsapi/shared/startup"
)

func main() {
	fn, err := startup.Load(context.Background())
	if err != nil {
		fn.Log.Fatal().Err(err).Send()
	}

	h := Handler{Registry: registry.NewFromConfig(fn.AWS, os.Getenv("CONNECTIONS_TABLE"))}
	fn.Start(invocation.Logged(fn.Log, h.Handle))
}
