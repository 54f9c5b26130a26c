package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkRoomBroadcast measures one broadcast to a room of 10,000 idle
// members, end to end: from the sender's frame until the last member has
// it. Above 100 members, broadcast hands the audience to the fan-out queue
// in jobs of 1,000 and the fanout worker posts them, concurrently (its
// default) or one by one (FANOUT_CONCURRENCY=1), as is on loopback and with
// every @connections call delayed by 20 ms, standing in for the network
// between Lambda and API Gateway. Every member must get the message exactly
// once.
func BenchmarkRoomBroadcast(b *testing.B) {
	const members = 10_000
	var concurrent20ms float64
	for _, run := range []struct {
		delay       time.Duration
		mode, posts string
	}{
		{0, "concurrent", ""},
		{20 * time.Millisecond, "concurrent", ""},
		{20 * time.Millisecond, "one-by-one", "1"},
	} {
		// Joining 10,000 members takes minutes on a busy machine: the first
		// must not be closed as idle before the last has joined.
		args := []string{"-quiet", "-management-delay", run.delay.String(), "-idle-timeout", "2h"}
		if run.posts != "" {
			args = append(args, "-env", "FANOUT_CONCURRENCY="+run.posts)
		}
		g := startGateway(b, args...)
		frames := joinMany(b, g, "arena", members)
		sender := g.dial(b, "sender", "")
		if got := send(b, sender, `{"action":"join","room":"arena"}`); got != fmt.Sprintf(`{"action":"join","room":"arena","members":%d}`, members+1) {
			b.Fatalf("sender's join: %s", got)
		}
		b.Run(fmt.Sprintf("delay=%v/%s", run.delay, run.mode), func(b *testing.B) {
			var total time.Duration
			for i := range b.N {
				total += broadcastOnce(b, sender, frames, members, fmt.Sprintf("round %d", i))
			}
			ms := float64(total.Milliseconds()) / float64(b.N)
			b.ReportMetric(ms, "ms/broadcast")
			switch {
			case run.delay > 0 && run.posts == "":
				concurrent20ms = ms
			case run.delay > 0 && concurrent20ms > 0:
				b.ReportMetric(ms/concurrent20ms, "x-slower-than-concurrent")
			}
		})
		g.stop()
	}
}

// broadcastOnce broadcasts text to the room and waits until each of its n
// other members has it exactly once; it returns the time from the frame
// sent to the last delivery.
func broadcastOnce(b *testing.B, sender *websocket.Conn, frames <-chan roomFrame, n int, text string) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	if err := sender.Write(ctx, websocket.MessageText, []byte(`{"action":"broadcast","room":"arena","message":"`+text+`"}`)); err != nil {
		b.Fatal(err)
	}
	_, raw, err := sender.Read(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var receipt struct {
		MessageID  string
		Recipients int
	}
	if err := json.Unmarshal(raw, &receipt); err != nil || receipt.Recipients != n {
		b.Fatalf("receipt %s, want %d recipients", raw, n)
	}
	seen := make(map[int]bool, n)
	var last time.Time
	for len(seen) < n {
		select {
		case f := <-frames:
			if f.messageID != receipt.MessageID {
				b.Fatalf("member %d got %s, want message %s", f.conn, f.message, receipt.MessageID)
			}
			if seen[f.conn] {
				b.Fatalf("member %d got message %s twice", f.conn, receipt.MessageID)
			}
			seen[f.conn] = true
			last = f.at
		case <-ctx.Done():
			b.Fatalf("%d of %d members got the message within 5 minutes", len(seen), n)
		}
	}
	return last.Sub(start)
}
