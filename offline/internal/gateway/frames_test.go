package gateway

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// TestBrokenFrames: a client that breaks the protocol gets the close code
// RFC 6455 gives for it, its socket is closed, and $disconnect runs.
func TestBrokenFrames(t *testing.T) {
	negative := []byte{0x81, 0x80 | 127}
	negative = binary.BigEndian.AppendUint64(negative, 1<<63|5)
	negative = append(negative, 1, 2, 3, 4)
	tests := []struct {
		name       string
		send       []byte
		wantCode   int
		wantReason string
	}{
		{"unmasked frame", frame(0x1, true, false, []byte(`{"action":"echo"}`)), 1002, "Protocol error: unmasked client frame"},
		{"negative 64-bit length", negative, 1002, "Protocol error: negative payload length"},
		{"invalid UTF-8 in a text frame", frame(0x1, true, true, []byte{'{', 0xff, 0xfe, '}'}), 1007, "Invalid UTF-8 in a text message"},
		{"unknown opcode", frame(0x3, true, true, []byte("x")), 1002, "Protocol error: unknown opcode 3"},
		{"binary frame", frame(0x2, true, true, []byte{1, 2}), 1003, "Binary frames are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, nil)
			c := h.rawDial(t, "/")
			if _, err := c.nc.Write(tt.send); err != nil {
				t.Fatal(err)
			}
			code, reason, ok := c.closeFrame(5 * time.Second)
			if !ok || code != tt.wantCode || reason != tt.wantReason {
				t.Errorf("close frame %v %d %q, want %d %q", ok, code, reason, tt.wantCode, tt.wantReason)
			}
			if !c.closed(5 * time.Second) {
				t.Error("the gateway left the socket open")
			}
			ev := h.disconnected(t)
			if rc := ev.RequestContext; rc.DisconnectStatusCode != int64(tt.wantCode) {
				t.Errorf("$disconnect got %d, want %d", rc.DisconnectStatusCode, tt.wantCode)
			}
		})
	}
}

// TestMessageBeforeOversizedFrame: what a client sent within the limits
// reaches its route even when a frame over a limit follows it in the same
// write; the client then gets 1009, at once, with a reason naming the limit.
func TestMessageBeforeOversizedFrame(t *testing.T) {
	tests := []struct {
		name       string
		oversized  []byte
		wantReason string
	}{
		{"frame over 32 KB", text(`{"action":"x","pad":"` + string(bytes.Repeat([]byte("x"), MaxFrameBytes)) + `"}`),
			fmt.Sprintf("Frame too big: the limit is %d bytes", MaxFrameBytes)},
		{"message over 128 KB in frames", func() []byte {
			var b []byte
			chunk := bytes.Repeat([]byte("x"), 30<<10)
			b = append(b, frame(0x1, false, true, chunk)...)
			for range 4 {
				b = append(b, frame(0x0, false, true, chunk)...)
			}
			return append(b, frame(0x0, true, true, chunk)...)
		}(), fmt.Sprintf("Message too big: the limit is %d bytes", MaxMessageBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, nil)
			c := h.rawDial(t, "/")
			first := `{"action":"quiet","n":1}`
			if _, err := c.nc.Write(append(text(first), tt.oversized...)); err != nil {
				t.Fatal(err)
			}
			code, reason, ok := c.closeFrame(5 * time.Second)
			if !ok || code != 1009 || reason != tt.wantReason {
				t.Errorf("close frame %v %d %q, want 1009 %q", ok, code, reason, tt.wantReason)
			}
			ev := h.disconnected(t)
			if rc := ev.RequestContext; rc.DisconnectStatusCode != 1009 || rc.DisconnectReason == nil || *rc.DisconnectReason != tt.wantReason {
				t.Errorf("$disconnect got %d %v", rc.DisconnectStatusCode, rc.DisconnectReason)
			}
			testkit.Eventually(t, 5*time.Second, func() (bool, string) {
				h.fns.mu.Lock()
				got := h.fns.events["echo"]
				h.fns.mu.Unlock()
				return len(got) == 1 && got[0].Body == first, fmt.Sprintf("the route got %d messages, want the one sent before the oversized frame", len(got))
			})
		})
	}
}
