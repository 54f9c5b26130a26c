package gateway

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
)

// frameGuard watches the bytes a client sends for WebSocket frame headers,
// to enforce API Gateway's 32 KB frame quota. WebSocket libraries hand over
// whole messages (a 128 KB message may arrive in several frames and is
// fine), so the frame sizes are read here, from the wire, as the bytes pass;
// so is the size of each message, to name the reason a too-long one is closed.
type frameGuard struct {
	net.Conn
	ahead         []byte        // bytes the HTTP server read past the handshake
	br            *bufio.Reader // the library's read buffer over this guard
	max           uint64        // per frame
	maxMessage    uint64
	tooBig        atomic.Bool // a frame over max
	messageTooBig atomic.Bool // a message over maxMessage
	messageBytes  uint64      // of the data frames of the message being read

	hdr       [14]byte // the header being read: at most 2 + 8 + 4 bytes
	hdrLen    int
	remaining uint64 // payload bytes of the current frame still to pass
}

func (g *frameGuard) Read(p []byte) (int, error) {
	if len(g.ahead) > 0 {
		n := copy(p, g.ahead)
		g.ahead = g.ahead[n:]
		if len(g.ahead) == 0 {
			g.ahead = nil
		}
		g.scan(p[:n])
		return n, nil
	}
	n, err := g.Conn.Read(p)
	g.scan(p[:n])
	return n, err
}

// buffered reports whether bytes already read from the socket wait to be
// read as frames: the socket's readiness says nothing about them.
func (g *frameGuard) buffered() bool {
	return len(g.ahead) > 0 || g.br.Buffered() > 0
}

func (g *frameGuard) scan(b []byte) {
	for len(b) > 0 {
		if g.remaining > 0 {
			skip := min(g.remaining, uint64(len(b)))
			g.remaining -= skip
			b = b[skip:]
			continue
		}
		g.hdr[g.hdrLen] = b[0]
		g.hdrLen++
		b = b[1:]
		if g.hdrLen < 2 {
			continue
		}
		need := 2
		length := uint64(g.hdr[1] & 0x7f)
		switch length {
		case 126:
			need += 2
		case 127:
			need += 8
		}
		if g.hdr[1]&0x80 != 0 {
			need += 4 // masking key
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
		if length > g.max {
			g.tooBig.Store(true)
		}
		if op := g.hdr[0] & 0x0f; op < 8 { // a data frame; 0 continues a message
			if op != 0 {
				g.messageBytes = 0
			}
			g.messageBytes += length
			if g.messageBytes > g.maxMessage {
				g.messageTooBig.Store(true)
			}
		}
		g.remaining, g.hdrLen = length, 0
	}
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
	// Bytes the HTTP server read ahead belong to the first frames.
	ahead, _ := brw.Reader.Peek(brw.Reader.Buffered())
	w.guard.Conn = conn
	w.guard.ahead = bytes.Clone(ahead)
	// The server's 4 KB buffers are dropped for small ones: frame headers
	// are a few bytes and larger payloads bypass a bufio buffer anyway, and
	// every idle connection keeps its two.
	w.guard.br = bufio.NewReaderSize(w.guard, connBufferBytes)
	return w.guard, bufio.NewReadWriter(w.guard.br, bufio.NewWriterSize(w.guard, connBufferBytes)), nil
}

// connBufferBytes sizes each connection's read and write buffers.
const connBufferBytes = 512
