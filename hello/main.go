// Command hello answers {"action":"hello","userName":"taro"} with
// {"message":"hello, taro!"} on the caller's own connection.
package main

import (
	"context"

	"wsapi/shared/connections"
	"wsapi/shared/invocation"
	"wsapi/shared/startup"
)

func main() {
	fn, err := startup.Load(context.Background())
	if err != nil {
		fn.Log.Fatal().Err(err).Send()
	}
	pool := connections.NewPool(fn.AWS)

	h := Handler{Connections: func(domainName, stage string) connections.Poster { return pool.For(domainName, stage) }}
	fn.Start(invocation.Logged(fn.Log, h.Handle))
}
