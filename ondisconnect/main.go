// Command ondisconnect removes a closed WebSocket connection from the
// connection registry and from every room it was in.
package main

import (
	"context"
	"os"

	"wsapi/shared/invocation"
	"wsapi/shared/membership"
	"wsapi/shared/registry"
	"wsapi/shared/startup"
)

func main() {
	fn, err := startup.Load(context.Background())
	if err != nil {
		fn.Log.Fatal().Err(err).Send()
	}

	reg := registry.NewFromConfig(fn.AWS, os.Getenv("CONNECTIONS_TABLE"))
	h := Handler{
		Registry: reg,
		Rooms:    membership.NewFromConfig(fn.AWS, os.Getenv("ROOMS_TABLE"), reg),
	}
	fn.Start(invocation.Logged(fn.Log, h.Handle))
}
