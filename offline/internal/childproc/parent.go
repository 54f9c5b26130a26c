package childproc

import (
	"context"
	"os"
	"time"
)

// parentPoll is how often the parent is looked for: a stop within a second
// of the parent's, for one getppid a poll.
const parentPoll = 500 * time.Millisecond

// WithParent returns a context that ends when the process that started
// this one exits. `make offline` killed with `kill -INT` ends without
// passing the signal on, and the gateway it started would go on serving,
// orphaned, with its port taken; a parent's death reparents its children,
// which getppid shows.
func WithParent(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	parent := os.Getppid()
	go func() {
		tick := time.NewTicker(parentPoll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if os.Getppid() != parent {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
}
