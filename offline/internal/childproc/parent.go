package childproc

import (
	"context"
	"os"
	"time"
)

// parentPoll is how often the parent is looked at: a stop within a second
// of the parent's, for a getppid and one small /proc read a poll.
const parentPoll = 500 * time.Millisecond

// WithParent returns a context that ends when the process that started
// this one is going: it has exited (its children are reparented), or it has
// stopped catching SIGINT, SIGTERM or SIGHUP. The second is how `kill -INT`
// of `make offline` shows: GNU make neither passes SIGINT on nor exits; its
// handler resets the signal to its default, waits for the recipe's process
// to end and then re-raises it, as programs that die by a caught signal do.
// Without this the gateway would go on serving, with make waiting on it.
func WithParent(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	parent := os.Getppid()
	caught, _ := fatalSignalsCaught(parent)
	go func() {
		tick := time.NewTicker(parentPoll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				now, ok := fatalSignalsCaught(parent)
				if os.Getppid() != parent || (ok && now&caught != caught) {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
}
