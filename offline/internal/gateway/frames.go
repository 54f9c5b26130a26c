package gateway

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// violation is why the gateway fails a connection: the close code and
// reason the client gets and $disconnect reports.
type violation struct {
	code   websocket.StatusCode
	reason string
}

func (v *violation) Error() string { return fmt.Sprintf("%d %s", v.code, v.reason) }

// frameGuard reads the bytes a client sends for WebSocket frame headers, to
// enforce API Gateway's quotas (32 KB a frame, 128 KB a message) and the
// parts of RFC 6455 the library leaves to its caller, before the library
// sees a frame. At the first header that breaks a rule the guard begins
// closing the connection with the rule's code and passes the bytes before
// it and nothing after: every message the client completed reaches its
// route, and the next read fails, so the gateway sends its close frame at
// once. Once the connection is closing the guard checks nothing more: what
// follows, the rest of a message too big included, goes to the library's
// close handshake, which drops it until the client's close frame.
type frameGuard struct {
	net.Conn
	state        *connState
	ahead        []byte // bytes read but not yet passed: past the handshake, or held back at a broken rule
	max          uint64 // per frame
	maxMessage   uint64
	messageBytes uint64 // of the data frames of the message being read

	hdr       [14]byte // the header being read: at most 2 + 8 + 4 bytes
	hdrLen    int
	hdrStart  int    // where the header began in the chunk being scanned
	remaining uint64 // payload bytes of the current frame still to pass

	// broke is the rule the client broke, for the read that reports it;
	// unparsable is set when that rule leaves no frame boundary to find
	// (a protocol error): the client's bytes are then read and dropped
	// without the library.
	broke      *violation
	resume     int // where the bytes after a header over a limit begin
	unparsable bool
	lingerOnce sync.Once
}

func (g *frameGuard) Read(p []byte) (int, error) {
	if v := g.broke; v != nil {
		g.broke = nil
		return 0, v
	}
	if g.unparsable {
		return 0, g.discard()
	}
	var n int
	var err error
	if len(g.ahead) > 0 {
		n = copy(p, g.ahead)
		g.ahead = g.ahead[n:]
		if len(g.ahead) == 0 {
			g.ahead = nil
		}
	} else {
		n, err = g.Conn.Read(p)
		if err != nil {
			_ = g.state.Close(int(websocket.StatusAbnormalClosure), "Connection closed abnormally")
		}
	}
	if g.state.Phase() != connOpen {
		return n, err
	}
	pass := g.scan(p[:n])
	if pass == n {
		return n, err
	}
	v := g.broke
	if g.state.Close(int(v.code), v.reason) != nil {
		// Closing already, for another reason: no rule applies any more.
		g.broke = nil
		return n, err
	}
	g.linger()
	if v.code == websocket.StatusProtocolError {
		g.unparsable = true
	} else {
		// The header whole, though it may have begun in an earlier chunk:
		// the library reads it afresh in its close handshake.
		held := append(g.hdr[:g.hdrLen:g.hdrLen], p[g.resume:n]...)
		g.ahead = append(held, g.ahead...)
	}
	if pass == 0 {
		g.broke = nil
		return 0, v
	}
	return pass, nil
}

// linger bounds the close handshake: reads fail once the client has had
// closeHandshakeTimeout to send its close frame.
func (g *frameGuard) linger() {
	g.lingerOnce.Do(func() { _ = g.Conn.SetReadDeadline(time.Now().Add(closeHandshakeTimeout)) })
}

// discard reads and drops what a client that broke the protocol still
// sends, until it closes or the close handshake's time is up: closing the
// socket on its unread data would reset the connection, and the client
// would lose the close frame that says what it broke.
func (g *frameGuard) discard() error {
	g.ahead = nil
	if _, err := io.Copy(io.Discard, g.Conn); err != nil {
		return err
	}
	return io.EOF
}

// scan follows the frame headers in b and returns how many of its bytes may
// pass to the library.
func (g *frameGuard) scan(b []byte) int {
	g.hdrStart = 0 // a header carried over from the last chunk began before b
	for i := 0; i < len(b); {
		if g.remaining > 0 {
			skip := min(g.remaining, uint64(len(b)-i))
			g.remaining -= skip
			i += int(skip)
			continue
		}
		if g.hdrLen == 0 {
			g.hdrStart = i
		}
		g.hdr[g.hdrLen] = b[i]
		g.hdrLen++
		i++
		if g.hdrLen < 2 {
			continue
		}
		if v := g.check(); v != nil {
			g.broke = v
			return g.hdrStart
		}
		need := 2 + 4 // the masking key, which check made sure is there
		length := uint64(g.hdr[1] & 0x7f)
		switch length {
		case 126:
			need += 2
		case 127:
			need += 8
		}
		if g.hdrLen < need {
			continue
		}
		switch length {
		case 126:
			length = uint64(binary.BigEndian.Uint16(g.hdr[2:4]))
		case 127:
			length = binary.BigEndian.Uint64(g.hdr[2:10])
		}
		if v := g.checkLength(length); v != nil {
			g.broke, g.resume = v, i
			return g.hdrStart
		}
		g.remaining, g.hdrLen = length, 0
	}
	return len(b)
}

// check judges a header by its first two bytes.
func (g *frameGuard) check() *violation {
	op := g.hdr[0] & 0x0f
	switch {
	case g.hdr[0]&0x70 != 0:
		return &violation{websocket.StatusProtocolError, "Protocol error: reserved bits set"}
	case op > 2 && op < 8 || op > 10:
		return &violation{websocket.StatusProtocolError, fmt.Sprintf("Protocol error: unknown opcode %d", op)}
	case g.hdr[1]&0x80 == 0:
		return &violation{websocket.StatusProtocolError, "Protocol error: unmasked client frame"}
	}
	return nil
}

// checkLength judges a header by its payload length.
func (g *frameGuard) checkLength(length uint64) *violation {
	if length>>63 != 0 {
		return &violation{websocket.StatusProtocolError, "Protocol error: negative payload length"}
	}
	if op := g.hdr[0] & 0x0f; op < 8 { // a data frame; 0 continues a message
		if op != 0 {
			g.messageBytes = 0
		}
		g.messageBytes += length
		if g.messageBytes > g.maxMessage {
			return &violation{websocket.StatusMessageTooBig, fmt.Sprintf("Message too big: the limit is %d bytes", g.maxMessage)}
		}
	}
	if length > g.max {
		return &violation{websocket.StatusMessageTooBig, fmt.Sprintf("Frame too big: the limit is %d bytes", g.max)}
	}
	return nil
}

// guardedWriter hands the WebSocket library a connection read through a
// frameGuard when it hijacks the request's connection.
type guardedWriter struct {
	http.ResponseWriter
	guard *frameGuard
}

func (w *guardedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	// The HTTP server's deadlines were for the handshake: a WebSocket may
	// stay quiet for as long as the idle timeout allows.
	_ = conn.SetDeadline(time.Time{})
	// Bytes the HTTP server read ahead belong to the first frames.
	ahead, _ := brw.Reader.Peek(brw.Reader.Buffered())
	w.guard.Conn = conn
	w.guard.ahead = bytes.Clone(ahead)
	// The server's 4 KB buffers are dropped for small ones: frame headers
	// are a few bytes and larger payloads bypass a bufio buffer anyway, and
	// every idle connection keeps its two.
	return w.guard, bufio.NewReadWriter(bufio.NewReaderSize(w.guard, connBufferBytes), bufio.NewWriterSize(w.guard, connBufferBytes)), nil
}

// connBufferBytes sizes each connection's read and write buffers.
const connBufferBytes = 512
