// Command join puts the caller's connection in a room:
// {"action":"join","room":"lobby"} → {"action":"join","room":"lobby","members":N}.
package main

import (
	"context"
	"os"

	"wsapi/shared/connections"
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
	pool := connections.NewPool(fn.AWS)

	h := Handler{
		Connections: func(domainName, stage string) connections.Poster { return pool.For(domainName, stage) },
		Rooms:       membership.NewFromConfig(fn.AWS, os.Getenv("ROOMS_TABLE"), registry.NewFromConfig(fn.AWS, os.Getenv("CONNECTIONS_TABLE"))),
	}
	fn.Start(invocation.Logged(fn.Log, h.Handle))
}
