// Command broadcast delivers {"action":"broadcast","room":"lobby","message":"hi"}
// from a member to every other connection in the room: a small room at
// once, a large one through the fan-out queue and its worker.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"wsapi/shared/connections"
	"wsapi/shared/fanout"
	"wsapi/shared/fanoutqueue"
	"wsapi/shared/invocation"
	"wsapi/shared/membership"
	"wsapi/shared/registry"
	"wsapi/shared/startup"
)

func main() {
	fn, err := startup.Load(context.Background(), config.WithHTTPClient(fanout.HTTPClient(defaultConcurrency)))
	if err != nil {
		fn.Log.Fatal().Err(err).Send()
	}
	pool := connections.NewPool(fn.AWS)
	reg := registry.NewFromConfig(fn.AWS, os.Getenv("CONNECTIONS_TABLE"))
	members := membership.NewFromConfig(fn.AWS, os.Getenv("ROOMS_TABLE"), reg)

	h := Handler{
		Connections: func(domainName, stage string) connections.Poster { return pool.For(domainName, stage) },
		Rooms:       members,
		Queue:       fanoutqueue.NewFromConfig(fn.AWS, os.Getenv("FANOUT_QUEUE_URL")),
		Forget:      fanout.All(reg.Remove, members.Forget),
		Concurrency: defaultConcurrency,
		InlineMax:   defaultInlineMax,
		ReceiptTime: defaultReceiptTime,
		Now:         time.Now,
		NewID:       newID,
	}
	fn.Start(invocation.Logged(fn.Log, h.Handle))
}
