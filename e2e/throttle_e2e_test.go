package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestFloodIsThrottled: the stage's throttling in serverless.yml holds
// offline as on AWS. With hello's RouteSettings at burst 5 and 1 a second,
// beside the stage's 500 a second and burst 1000, a connection that floods
// hello gets the burst answered and Too Many Requests for the rest, stays
// open, and its other routes still answer.
func TestFloodIsThrottled(t *testing.T) {
	t.Parallel()
	dir := queueVariant(t, "          ThrottlingBurstLimit: 1000\n",
		"          ThrottlingBurstLimit: 1000\n        RouteSettings:\n          hello:\n            ThrottlingBurstLimit: 5\n            ThrottlingRateLimit: 1\n")
	g := launchGateway(t, dir)
	g.awaitReady(t)
	g.waitOutput(t, `throttling +500 requests a second, burst 1000, each route \(the stage's DefaultRouteSettings\)`, 1)
	g.waitOutput(t, `throttled at 1 request a second, burst 5 \(its RouteSettings\)`, 1)

	c := g.dial(t, "taro", "")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	const flood = 40
	start := time.Now()
	for range flood {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"hello","userName":"taro"}`)); err != nil {
			t.Fatal(err)
		}
	}
	answered, throttled := 0, 0
	for range flood {
		_, msg, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("after %d answers and %d throttled: %v", answered, throttled, err)
		}
		switch s := string(msg); {
		case strings.HasPrefix(s, `{"message": "Too Many Requests", "connectionId":"`):
			throttled++
		case strings.Contains(s, "taro"):
			answered++
		default:
			t.Fatalf("unexpected frame %s", s)
		}
	}
	// The burst, and a token a second since the flood began.
	if most := 5 + int(time.Since(start).Seconds()) + 1; answered < 5 || answered > most {
		t.Errorf("%d of %d hellos answered, want the burst of 5 and at most %d", answered, flood, most)
	}
	if throttled == 0 {
		t.Error("no hello throttled")
	}
	if got, want := send(t, c, `{"action":"join","room":"calm"}`), `{"action":"join","room":"calm","members":1}`; got != want {
		t.Errorf("join after the flood: %s, want %s: the connection stays open, other routes unthrottled", got, want)
	}
}
