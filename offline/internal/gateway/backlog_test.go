package gateway

import (
	"testing"
	"time"
)

// A full backlog, by count or by bytes, holds the reader until a message is
// handled; a message finding it empty gets in whatever its size.
func TestBacklogHoldsTheReaderWhenFull(t *testing.T) {
	tests := []struct {
		name  string
		fill  func(b *backlog)
		next  int
		freed int
	}{
		{"by count", func(b *backlog) {
			for range maxBacklogMessages {
				b.add(1)
			}
		}, 1, 1},
		{"by bytes", func(b *backlog) { b.add(maxBacklogBytes - 10) }, 11, maxBacklogBytes - 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBacklog()
			tt.fill(b)
			added := make(chan struct{})
			go func() {
				b.add(tt.next)
				close(added)
			}()
			select {
			case <-added:
				t.Fatal("add returned while the backlog was full")
			case <-time.After(50 * time.Millisecond):
			}
			b.done(tt.freed)
			select {
			case <-added:
			case <-time.After(10 * time.Second):
				t.Fatal("add still waits after a message was handled")
			}
		})
	}
	b := newBacklog()
	b.add(2 * maxBacklogBytes) // empty: let in
	if b.bytes != 2*maxBacklogBytes || b.messages != 1 {
		t.Errorf("backlog = %d bytes, %d messages; want the one large message", b.bytes, b.messages)
	}
}
