package gateway

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// rawClient speaks WebSocket byte by byte, to send what a well-behaved
// library never would.
type rawClient struct {
	nc net.Conn
	br *bufio.Reader
}

func (h *harness) rawDial(t *testing.T, path string) *rawClient {
	t.Helper()
	nc, br := testkit.RawDial(t, strings.TrimPrefix(h.srv.URL, "http://"), path, nil)
	return &rawClient{nc: nc, br: br}
}

// frame encodes one client frame; length, when not negative, overrides the
// length written in the header.
func frame(opcode byte, fin, masked bool, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	var maskBit byte
	if masked {
		maskBit = 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, maskBit|byte(n))
	case n < 1<<16:
		out = append(out, maskBit|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, maskBit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if !masked {
		return append(out, payload...)
	}
	key := [4]byte{1, 2, 3, 4}
	out = append(out, key[:]...)
	for i, b := range payload {
		out = append(out, b^key[i%4])
	}
	return out
}

func text(s string) []byte { return frame(0x1, true, true, []byte(s)) }

// next reads one frame within wait and returns its opcode and payload; ok
// is false when the socket ends or stays silent first.
func (r *rawClient) next(wait time.Duration) (opcode byte, payload []byte, ok bool) {
	r.nc.SetReadDeadline(time.Now().Add(wait))
	var hdr [2]byte
	if _, err := io.ReadFull(r.br, hdr[:]); err != nil {
		return 0, nil, false
	}
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r.br, ext[:]); err != nil {
			return 0, nil, false
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r.br, ext[:]); err != nil {
			return 0, nil, false
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r.br, payload); err != nil {
		return 0, nil, false
	}
	return hdr[0] & 0x0f, payload, true
}

// closeFrame reads frames until a close frame and returns its code and
// reason; ok is false when the socket ends or stays silent first.
func (r *rawClient) closeFrame(wait time.Duration) (code int, reason string, ok bool) {
	for {
		op, payload, ok := r.next(wait)
		if !ok {
			return 0, "", false
		}
		if op == 0x8 && len(payload) >= 2 {
			return int(binary.BigEndian.Uint16(payload)), string(payload[2:]), true
		}
	}
}

// closed reports whether the gateway closed the socket within wait.
func (r *rawClient) closed(wait time.Duration) bool {
	r.nc.SetReadDeadline(time.Now().Add(wait))
	_, err := io.Copy(io.Discard, r.br)
	return err == nil // EOF: the gateway closed it
}
