// Command send delivers {"action":"send","to":"hanako","message":"…"} to
// every connection hanako has open, from the sender's verified identity.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"wsapi/shared/connections"
	"wsapi/shared/fanout"
	"wsapi/shared/invocation"
	"wsapi/shared/membership"
	"wsapi/shared/registry"
	"wsapi/shared/startup"
)

func main() {
	n, nerr := fanout.ConcurrencyFromEnv("SEND_CONCURRENCY", defaultConcurrency)
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
		Registry:    reg,
		Forget:      fanout.All(reg.Remove, members.Forget),
		Concurrency: n,
		ReceiptTime: defaultReceiptTime,
		Now:         time.Now,
	}
	fn.Start(invocation.Logged(fn.Log, h.Handle))
}
