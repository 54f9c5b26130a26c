package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkTracingBackends puts the two tracing backends side by side, as
// `make offline` and `make offline TRACING=otel` serve them: each
// function's Init Duration, as its first REPORT line gives it on a fresh
// gateway, and hello's round trip with every invocation traced (-trace-all),
// so that the figure holds the whole cost of recording and sending spans.
// fanout is not invoked: it runs only for a room of over 100 others.
func BenchmarkTracingBackends(b *testing.B) {
	for _, backend := range []struct {
		name string
		args []string
	}{
		{"xray", nil},
		{"otel", []string{"-param", "tracing=otel"}},
	} {
		b.Run(backend.name, func(b *testing.B) {
			inits := map[string]float64{}
			var trips []time.Duration
			for range b.N {
				g := startGateway(b, append([]string{"-trace-all", "-throttle=false"}, backend.args...)...)
				everyRoute(b, g)
				for _, m := range initDuration.FindAllStringSubmatch(g.output(), -1) {
					v, _ := strconv.ParseFloat(m[2], 64)
					inits[m[1]] += v
				}
				c := g.dial(b, "taro", "")
				roundTrips(b, c, "warm", 100)
				trips = append(trips, roundTrips(b, c, "taro", 300)...)
				g.stop()
			}
			for fn, sum := range inits {
				b.ReportMetric(sum/float64(b.N), fn+"-init-ms")
			}
			reportPercentiles(b, trips)
		})
	}
}

// everyRoute starts an instance of each function a client reaches, and
// waits for each one's first REPORT.
func everyRoute(b *testing.B, g *gatewayProc) {
	c := g.dial(b, "taro", "")
	for _, m := range []struct{ send, answer string }{
		{`{"action":"hello","userName":"taro"}`, `"message":"hello, taro!"`},
		{`{"action":"send","to":"taro","message":"hi"}`, `"action":"send"`},
		{`{"action":"join","room":"lobby"}`, `"action":"join"`},
		{`{"action":"broadcast","room":"lobby","message":"hi"}`, `"action":"broadcast"`},
		{`{"action":"leave","room":"lobby"}`, `"action":"leave"`},
	} {
		answered(b, c, m.send, m.answer)
	}
	c.Close(websocket.StatusNormalClosure, "")
	for _, fn := range []string{"authorizer", "onconnect", "hello", "send", "join", "broadcast", "leave", "ondisconnect"} {
		g.waitOutput(b, `(?m)^`+fn+` +│ REPORT .*\tInit Duration`, 1)
	}
}

// answered sends msg on c and reads frames until one holds answer.
func answered(b *testing.B, c *websocket.Conn, msg, answer string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		b.Fatalf("send %s: %v", msg, err)
	}
	for {
		_, got, err := c.Read(ctx)
		if err != nil {
			b.Fatalf("no answer holding %s to %s: %v", answer, msg, err)
		}
		if strings.Contains(string(got), answer) {
			return
		}
	}
}
