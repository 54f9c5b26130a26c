package gateway

import "sync"

// backlog counts a connection's messages read and not yet handled, and
// their bytes; its reader waits while they reach maxBacklogMessages or
// maxBacklogBytes. Each waits in a goroutine of its own: the count bounds
// those goroutines when the messages are small.
type backlog struct {
	mu       sync.Mutex
	freed    *sync.Cond // signalled as messages are handled; only the reader waits
	bytes    int
	messages int
	// throttled holds from a message throttled until no message waits:
	// the connection is flooding, and its messages are handled one at a
	// time (see maxInflightPerConn).
	throttled bool
}

func newBacklog() *backlog {
	b := &backlog{}
	b.freed = sync.NewCond(&b.mu)
	return b
}

// add counts a message of n bytes in, first waiting while the backlog is
// full. A message finding the backlog empty is let in whatever its size.
func (b *backlog) add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.messages >= maxBacklogMessages || b.bytes > 0 && b.bytes+n > maxBacklogBytes {
		b.freed.Wait()
	}
	b.bytes += n
	b.messages++
}

// done counts a message of n bytes out, once it is handled.
func (b *backlog) done(n int) {
	b.mu.Lock()
	b.bytes -= n
	b.messages--
	if b.messages == 0 {
		b.throttled = false
	}
	b.mu.Unlock()
	b.freed.Signal()
}

// throttle marks the connection flooding: a message of its was throttled.
func (b *backlog) throttle() {
	b.mu.Lock()
	b.throttled = true
	b.mu.Unlock()
}

// flooding reports whether a message was throttled since the backlog was
// last empty.
func (b *backlog) flooding() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.throttled
}
