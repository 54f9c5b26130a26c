package gateway

import (
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// frameOverhead is what a queued frame holds besides its payload (its place
// in the queue, the header it is written with), counted so that empty
// frames fill a client's buffer too.
const frameOverhead = 64

func queuedBytes(frame []byte) int { return len(frame) + frameOverhead }

// errBufferFull refuses a frame to a client whose buffer is full.
var errBufferFull = errors.New("the client's outbound buffer is full")

// outbox is the frames accepted for one client and not yet written, in the
// order they were accepted. One writer at a time drains it: whoever found
// it empty.
type outbox struct {
	frames  [][]byte // nil while nothing waits, so an idle connection keeps none
	bytes   int      // queued and being written
	writing bool
}

// post queues frame for c. The caller's goroutine writes it when nothing
// else is being written and wait is true; otherwise a writer does, and post
// returns at once.
func (c *conn) post(frame []byte, wait bool) error {
	c.outMu.Lock()
	if err := c.state.Post(); err != nil {
		c.outMu.Unlock()
		return err
	}
	if c.out.bytes+queuedBytes(frame) > maxQueuedBytes {
		c.outMu.Unlock()
		return errBufferFull
	}
	c.out.frames = append(c.out.frames, frame)
	c.out.bytes += queuedBytes(frame)
	if c.out.writing {
		c.outMu.Unlock()
		return nil
	}
	c.out.writing = true
	c.outMu.Unlock()
	if wait {
		c.flush()
	} else {
		go c.flush()
	}
	return nil
}

// flush writes the queued frames until none is left. A frame that cannot be
// written ends the connection, so that what was accepted is never dropped
// without $disconnect saying so.
func (c *conn) flush() {
	for {
		c.outMu.Lock()
		if len(c.out.frames) == 0 {
			c.out.frames, c.out.writing = nil, false
			c.outMu.Unlock()
			return
		}
		frame := c.out.frames[0]
		c.out.frames[0] = nil
		c.out.frames = c.out.frames[1:]
		c.outMu.Unlock()

		err := c.write(frame)
		c.outMu.Lock()
		c.out.bytes -= queuedBytes(frame)
		c.outMu.Unlock()
		if err != nil {
			c.abort("Frame not delivered: " + err.Error())
			c.outMu.Lock()
			c.out.frames, c.out.bytes, c.out.writing = nil, 0, false
			c.outMu.Unlock()
			return
		}
	}
}

// write writes one frame, or gives up on the client when it has not taken
// the frame within its write timeout. The timer, not a deadline of the
// library's, ends the connection, so that $disconnect gives that reason.
func (c *conn) write(frame []byte) error {
	timer := time.AfterFunc(c.writeTimeout, func() {
		c.abort(fmt.Sprintf("Frame not delivered: the client took nothing for %s", c.writeTimeout))
	})
	defer timer.Stop()
	return c.ws.Write(c.base, websocket.MessageText, frame)
}
