package gateway

import "sync"

// backlog counts the bytes of a connection's messages read and not yet
// handled; its reader waits while they reach maxBacklogBytes.
type backlog struct {
	mu    sync.Mutex
	freed *sync.Cond // signalled as bytes are handled; only the reader waits
	bytes int
}

func newBacklog() *backlog {
	b := &backlog{}
	b.freed = sync.NewCond(&b.mu)
	return b
}

// add counts n bytes in, first waiting while the backlog is full. A message
// finding the backlog empty is let in whatever its size.
func (b *backlog) add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.bytes > 0 && b.bytes+n > maxBacklogBytes {
		b.freed.Wait()
	}
	b.bytes += n
}

// done counts n bytes out, once their message is handled.
func (b *backlog) done(n int) {
	b.mu.Lock()
	b.bytes -= n
	b.mu.Unlock()
	b.freed.Signal()
}
