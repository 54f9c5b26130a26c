// Command fanout is the fan-out worker: it reads jobs off the fan-out
// queue (a room's audience in batches, see shared/fanoutqueue) and posts
// each job's frame to its connections.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"wsapi/shared/connections"
	"wsapi/shared/fanout"
	"wsapi/shared/fanoutqueue"
	"wsapi/shared/membership"
	"wsapi/shared/registry"
	"wsapi/shared/startup"
)

func main() {
	n, nerr := fanout.ConcurrencyFromEnv("FANOUT_CONCURRENCY", defaultConcurrency)
	fn, err := startup.Load(context.Background(), config.WithHTTPClient(fanout.HTTPClient(n)))
	if err != nil {
		fn.Log.Fatal().Err(err).Send()
	}
	if nerr != nil {
		fn.Log.Warn().Err(nerr).Msg("config")
	}
	pool := connections.NewPool(fn.AWS)
	reg := registry.NewFromConfig(fn.AWS, os.Getenv("CONNECTIONS_TABLE"))
	members := membership.NewFromConfig(fn.AWS, os.Getenv("ROOMS_TABLE"), reg)

	h := Handler{
		Connections: func(domainName, stage string) connections.Poster { return pool.For(domainName, stage) },
		Forget:      fanout.All(reg.Remove, members.Forget),
		Queue:       fanoutqueue.NewFromConfig(fn.AWS, os.Getenv("FANOUT_QUEUE_URL")),
		Concurrency: n,
		Log:         fn.Log,
	}
	fn.Start(h.Handle)
}
