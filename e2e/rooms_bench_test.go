package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// tenReceivers is the audience of the two benchmarks below: the same ten
// connections of hanako, reached once by a send to hanako and once by a
// broadcast to a room they are all in, so the two numbers compare one
// path against the other for the same deliveries.
const tenReceivers = 10

// BenchmarkSendToTen measures a send from taro to hanako, who has ten
// connections open: from the sender's frame until the tenth connection has
// the message, as p50/p99 over b.N sends.
func BenchmarkSendToTen(b *testing.B) {
	frames, sender := hanakoAndTaro(b, "")
	publish, checkReceipt := sendToHanako()
	measureDeliveries(b, sender, frames, publish, checkReceipt)
}

// BenchmarkRoomOfTen measures a broadcast from taro to a room holding
// hanako's ten connections and his own: from the sender's frame until the
// tenth member has the message, as p50/p99 over b.N broadcasts. Every
// member's copy must carry the receipt's messageId.
func BenchmarkRoomOfTen(b *testing.B) {
	const room = "bench-room"
	frames, sender := hanakoAndTaro(b, room)
	publish, checkReceipt := broadcastTo(room)
	measureDeliveries(b, sender, frames, publish, checkReceipt)
}

// BenchmarkRoomOfTenBesideSend measures both on one gateway, a send and a
// broadcast in turn to the same ten connections, so that the machine's
// slow and fast spells fall on both alike: p50 of each, and their ratio.
func BenchmarkRoomOfTenBesideSend(b *testing.B) {
	const room = "bench-room"
	frames, sender := hanakoAndTaro(b, room)
	sendPublish, sendReceipt := sendToHanako()
	roomPublish, roomReceipt := broadcastTo(room)
	for i := range 20 {
		deliverOnce(b, sender, frames, sendPublish, sendReceipt, fmt.Sprintf("warm send %d", i))
		deliverOnce(b, sender, frames, roomPublish, roomReceipt, fmt.Sprintf("warm room %d", i))
	}
	sends, rooms := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		sends = append(sends, deliverOnce(b, sender, frames, sendPublish, sendReceipt, fmt.Sprintf("send %d", i)))
		rooms = append(rooms, deliverOnce(b, sender, frames, roomPublish, roomReceipt, fmt.Sprintf("room %d", i)))
	}
	b.StopTimer()
	s, r := p50(sends), p50(rooms)
	b.ReportMetric(float64(s.Microseconds()), "send-p50-µs")
	b.ReportMetric(float64(r.Microseconds()), "room-p50-µs")
	b.ReportMetric(float64(r)/float64(s), "room/send")
}

// sendToHanako is taro's send to hanako and the receipt it must get.
func sendToHanako() (publish func(string) string, checkReceipt func(string, []string) error) {
	publish = func(text string) string {
		return `{"action":"send","to":"hanako","message":"` + text + `"}`
	}
	checkReceipt = func(receipt string, _ []string) error {
		if want := fmt.Sprintf(`{"action":"send","to":"hanako","delivered":%d,"failed":0}`, tenReceivers); receipt != want {
			return fmt.Errorf("receipt %s, want %s", receipt, want)
		}
		return nil
	}
	return publish, checkReceipt
}

// broadcastTo is taro's broadcast to room and what its receipt and every
// copy must carry.
func broadcastTo(room string) (publish func(string) string, checkReceipt func(string, []string) error) {
	publish = func(text string) string {
		return `{"action":"broadcast","room":"` + room + `","message":"` + text + `"}`
	}
	checkReceipt = func(receipt string, deliveries []string) error {
		var r struct {
			Action, Room, MessageID string
			Recipients              int
		}
		if err := json.Unmarshal([]byte(receipt), &r); err != nil || r.Action != "broadcast" || r.Room != room ||
			r.Recipients != tenReceivers || r.MessageID == "" {
			return fmt.Errorf("receipt %s, want %d recipients and a messageId", receipt, tenReceivers)
		}
		for _, d := range deliveries {
			if !strings.Contains(d, `"messageId":"`+r.MessageID+`"`) || !strings.Contains(d, `"room":"`+room+`"`) {
				return fmt.Errorf("delivery %s, want room %s and messageId %s", d, room, r.MessageID)
			}
		}
		return nil
	}
	return publish, checkReceipt
}

// hanakoAndTaro starts a quiet gateway with hanako's ten connections and
// taro, the sender, all in room unless room is empty.
func hanakoAndTaro(b *testing.B, room string) (<-chan frame, *websocket.Conn) {
	g := startGateway(b, "-quiet")
	frames := openReceivers(b, g, room)
	sender := g.dial(b, "taro", "")
	if room == "" {
		return frames, sender
	}
	join(b, sender, room, tenReceivers+1)
	return frames, sender
}

// openReceivers opens hanako's ten connections, each joined to room unless
// room is empty, and forwards every frame they receive.
func openReceivers(b *testing.B, g *gatewayProc, room string) <-chan frame {
	frames := make(chan frame, 4*tenReceivers)
	for i := range tenReceivers {
		c := g.dial(b, "hanako", "")
		if room != "" {
			join(b, c, room, i+1)
		}
		forward(c, i, frames)
	}
	return frames
}

// measureDeliveries publishes b.N messages one at a time, after a warm-up
// that leaves every function warm, and reports the time from each publish
// until the last receiver has it. Each receiver must get each message
// exactly once, and the receipt must pass checkReceipt.
func measureDeliveries(b *testing.B, sender *websocket.Conn, frames <-chan frame,
	publish func(text string) string, checkReceipt func(receipt string, deliveries []string) error) {
	for i := range 20 {
		deliverOnce(b, sender, frames, publish, checkReceipt, fmt.Sprintf("warm %d", i))
	}
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		d = append(d, deliverOnce(b, sender, frames, publish, checkReceipt, fmt.Sprintf("message %d", i)))
	}
	b.StopTimer()
	reportPercentiles(b, d)
}

// deliverOnce publishes text and waits until each of the ten receivers has
// it exactly once, then checks the receipt against what they got; it
// returns the time from the publish to the last delivery.
func deliverOnce(b *testing.B, sender *websocket.Conn, frames <-chan frame,
	publish func(string) string, checkReceipt func(string, []string) error, text string) time.Duration {
	ctx := context.Background()
	start := time.Now()
	if err := sender.Write(ctx, websocket.MessageText, []byte(publish(text))); err != nil {
		b.Fatal(err)
	}
	deliveries, _ := awaitEachOnce(b, frames, tenReceivers, 30*time.Second, withText(text, "taro"))
	elapsed := time.Since(start)
	readCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, receipt, err := sender.Read(readCtx)
	if err != nil {
		b.Fatalf("no receipt for %q: %v", text, err)
	}
	all := make([]string, 0, len(deliveries))
	for _, d := range deliveries {
		all = append(all, d.text)
	}
	if err := checkReceipt(string(receipt), all); err != nil {
		b.Fatal(err)
	}
	return elapsed
}
