package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The benchmarks drive the real gateway and functions the way a client
// does, and put beside them the floor: a bare Go WebSocket echo server on
// the same loopback, measured the same way. Latencies are reported as
// percentiles of one round trip: frame sent until reply received.

// roundTrips sends n hellos one at a time on c and returns each round trip.
func roundTrips(b *testing.B, c *websocket.Conn, name string, n int) []time.Duration {
	ctx := context.Background()
	out := make([]time.Duration, 0, n)
	for i := range n {
		msg := fmt.Sprintf(`{"action":"hello","userName":"%s-%d"}`, name, i)
		want := fmt.Sprintf(`{"message":"hello, %s-%d!"}`, name, i)
		start := time.Now()
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			b.Fatal(err)
		}
		_, got, err := c.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, time.Since(start))
		// Replies are checked one by one: a lost, duplicated or crossed
		// reply fails the run.
		if string(got) != want {
			b.Fatalf("reply %s, want %s", got, want)
		}
	}
	return out
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	pct := func(p float64) float64 {
		return float64(d[int(float64(len(d)-1)*p)].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// echoServer is the floor: coder/websocket answering each frame with
// the hello reply, no functions behind it.
func echoServer(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			_, msg, err := c.Read(context.Background())
			if err != nil {
				return
			}
			name := strings.TrimSuffix(strings.TrimPrefix(string(msg), `{"action":"hello","userName":"`), `"}`)
			if err := c.Write(context.Background(), websocket.MessageText, []byte(`{"message":"hello, `+name+`!"}`)); err != nil {
				return
			}
		}
	}))
	b.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// target is what a benchmark drives: the gateway, or the floor.
type target struct {
	url string
	// gatewayPID is the gateway's process, whose CPU time and its
	// functions' the benchmark reports; 0 for the floor.
	gatewayPID int
}

var targets = []struct {
	name  string
	start func(*testing.B) target
}{{"gateway", gatewayTarget}, {"floor", floorTarget}}

// gatewayTarget starts the gateway as `make offline` does, only quiet.
func gatewayTarget(b *testing.B) target {
	// Past the stage's 500 a second on purpose: the gateway's own rate.
	g := startGateway(b, "-quiet", "-throttle=false")
	return target{url: g.url + "?token=" + tokenFor(b, "taro"), gatewayPID: g.cmd.Process.Pid}
}

func floorTarget(b *testing.B) target {
	return target{url: echoServer(b)}
}

func BenchmarkOneClient(b *testing.B) {
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			tgt := tg.start(b)
			c := dial(b, tgt.url)
			roundTrips(b, c, "warm", 200) // warm instances, as a user's second message finds them
			before := cpuOf(b, tgt.gatewayPID)
			b.ResetTimer()
			d := roundTrips(b, c, "taro", b.N)
			b.StopTimer()
			reportPercentiles(b, d)
			reportCPU(b, before, cpuOf(b, tgt.gatewayPID), len(d))
		})
	}
}

func BenchmarkHundredClients(b *testing.B) {
	const clients = 100
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			tgt := tg.start(b)
			conns := make([]*websocket.Conn, clients)
			for i := range conns {
				conns[i] = dial(b, tgt.url)
				roundTrips(b, conns[i], "warm", 5)
			}
			per := max(b.N/clients, 1)
			var mu sync.Mutex
			var all []time.Duration
			var wg sync.WaitGroup
			before := cpuOf(b, tgt.gatewayPID)
			b.ResetTimer()
			start := time.Now()
			for i, c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d := roundTrips(b, c, "client"+strconv.Itoa(i), per)
					mu.Lock()
					all = append(all, d...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "hellos/s")
			reportPercentiles(b, all)
			reportCPU(b, before, cpuOf(b, tgt.gatewayPID), len(all))
		})
	}
}

var initDuration = regexp.MustCompile(`(?m)^(\S+) +│ REPORT .*\tInit Duration: ([0-9.]+) ms$`)

// BenchmarkColdStart reports each function's Init Duration, as Lambda's
// REPORT line gives it, on a fresh gateway each time.
func BenchmarkColdStart(b *testing.B) {
	sums := map[string]float64{}
	for range b.N {
		g := startGateway(b)
		c := g.dial(b, "taro", "")
		send(b, c, `{"action":"hello","userName":"taro"}`)
		c.Close(websocket.StatusNormalClosure, "")
		g.waitOutput(b, `ondisconnect +│ REPORT .*Init Duration`, 1)
		for _, m := range initDuration.FindAllStringSubmatch(g.output(), -1) {
			v, _ := strconv.ParseFloat(m[2], 64)
			sums[m[1]] += v
		}
		_ = g.cmd.Process.Signal(os.Interrupt)
		<-g.done
	}
	for fn, sum := range sums {
		b.ReportMetric(sum/float64(b.N), fn+"-init-ms")
	}
}

// BenchmarkIdleConnections reports the gateway's resident memory per idle
// connection, with 10,000 connections open.
func BenchmarkIdleConnections(b *testing.B) {
	const n = 10_000
	for range b.N {
		// 10,000 handshakes as fast as they go: past $connect's 500 a second.
		g := startGateway(b, "-quiet", "-throttle=false")
		warm := g.dial(b, "taro", "")
		send(b, warm, `{"action":"hello","userName":"taro"}`)
		before := rss(b, g.cmd.Process.Pid)

		conns := make([]*websocket.Conn, 0, n)
		for range n {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c, _, err := websocket.Dial(ctx, g.url+"?token="+tokenFor(b, "idle"), nil)
			cancel()
			if err != nil {
				b.Fatalf("connection %d: %v", len(conns), err)
			}
			conns = append(conns, c)
		}
		after := rss(b, g.cmd.Process.Pid)
		b.ReportMetric(float64(after-before)/n, "bytes/conn")
		b.ReportMetric(float64(after)/(1<<20), "gateway-MB")
		for _, c := range conns {
			c.CloseNow()
		}
	}
}

// cpuUse is CPU time, user and system, spent by the gateway and by the
// function processes it runs.
type cpuUse struct {
	gateway, functions time.Duration
}

// cpuOf reads the CPU time used so far by the gateway with pid and by its
// function processes: the live ones, and those it has already reaped. The
// zero cpuUse for pid 0, the floor, which runs no processes.
func cpuOf(b *testing.B, pid int) cpuUse {
	if pid == 0 {
		return cpuUse{}
	}
	gw := procStat(b, pid)
	if gw == nil {
		b.Fatalf("gateway %d is gone", pid)
	}
	use := cpuUse{gateway: gw.self, functions: gw.children}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if st := procStat(b, child); st != nil && st.ppid == pid {
			use.functions += st.self
		}
	}
	return use
}

type stat struct {
	ppid           int
	self, children time.Duration
}

// procStat reads /proc/<pid>/stat; nil if the process is gone.
func procStat(b *testing.B, pid int) *stat {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it are numbered from 3 (state) in proc(5).
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		b.Fatalf("unexpected /proc/%d/stat: %q", pid, raw)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 15 {
		b.Fatalf("unexpected /proc/%d/stat: %q", pid, raw)
	}
	n := func(field int) int64 {
		v, err := strconv.ParseInt(f[field-3], 10, 64)
		if err != nil {
			b.Fatalf("/proc/%d/stat field %d: %v", pid, field, err)
		}
		return v
	}
	// Times are in clock ticks, USER_HZ, which is 100 on Linux.
	tick := func(fields ...int) time.Duration {
		var sum int64
		for _, field := range fields {
			sum += n(field)
		}
		return time.Duration(sum) * 10 * time.Millisecond
	}
	return &stat{ppid: int(n(4)), self: tick(14, 15), children: tick(16, 17)}
}

// reportCPU reports the CPU time each hello cost the gateway and the
// functions, and the rate the functions alone would allow on this machine
// with a gateway that cost nothing.
func reportCPU(b *testing.B, before, after cpuUse, hellos int) {
	if after == (cpuUse{}) {
		return
	}
	perHello := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(hellos) }
	gw, fn := perHello(after.gateway-before.gateway), perHello(after.functions-before.functions)
	b.ReportMetric(gw, "gateway-cpu-µs/hello")
	b.ReportMetric(fn, "functions-cpu-µs/hello")
	if fn > 0 {
		b.ReportMetric(float64(runtime.NumCPU())*1e6/fn, "functions-bound-hellos/s")
	}
}

// rss is a process's resident memory in bytes, from /proc.
func rss(b *testing.B, pid int) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		b.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// BenchmarkFanOut measures one send to a user with 1,000 open connections,
// end to end: from the sender's frame until every connection has the
// message. The send function posts concurrently (its default) or one by one
// (SEND_CONCURRENCY=1), each as is on loopback and with every @connections
// call delayed by 20 ms, standing in for the network between Lambda and API
// Gateway. Every connection must get the message exactly once.
func BenchmarkFanOut(b *testing.B) {
	const receivers = 1000
	for _, delay := range []time.Duration{0, 20 * time.Millisecond} {
		for _, mode := range []struct{ name, concurrency string }{{"concurrent", ""}, {"one-by-one", "1"}} {
			args := []string{"-quiet", "-management-delay", delay.String()}
			if mode.concurrency != "" {
				args = append(args, "-env", "SEND_CONCURRENCY="+mode.concurrency)
			}
			g := startGateway(b, args...)
			frames := connectMany(b, g, "hanako", receivers)
			sender := g.dial(b, "taro", "")
			b.Run(fmt.Sprintf("delay=%v/%s", delay, mode.name), func(b *testing.B) {
				var total time.Duration
				for i := range b.N {
					total += fanOutOnce(b, sender, frames, receivers, fmt.Sprintf("message %d", i))
				}
				b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/fan-out")
			})
			g.stop()
		}
	}
}

// connectMany opens n connections as user, 50 at a time, and forwards every
// frame they receive.
func connectMany(b *testing.B, g *gatewayProc, user string, n int) <-chan frame {
	frames := make(chan frame, n)
	tok := tokenFor(b, user)
	var wg sync.WaitGroup
	slots := make(chan struct{}, 50)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			c, _, err := websocket.Dial(ctx, g.url+"?token="+tok, nil)
			cancel()
			if err != nil {
				b.Errorf("connection %d: %v", i, err)
				return
			}
			b.Cleanup(func() { c.CloseNow() })
			forward(c, i, frames)
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return frames
}

// fanOutOnce sends text to hanako and waits until each of her n connections
// has it exactly once, then checks the sender's receipt.
func fanOutOnce(b *testing.B, sender *websocket.Conn, frames <-chan frame, n int, text string) time.Duration {
	ctx := context.Background()
	start := time.Now()
	if err := sender.Write(ctx, websocket.MessageText, []byte(`{"action":"send","to":"hanako","message":"`+text+`"}`)); err != nil {
		b.Fatal(err)
	}
	awaitEachOnce(b, frames, n, 60*time.Second, withText(text, "taro"))
	elapsed := time.Since(start)
	_, receipt, err := sender.Read(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if want := fmt.Sprintf(`{"action":"send","to":"hanako","delivered":%d,"failed":0}`, n); string(receipt) != want {
		b.Fatalf("receipt %s, want %s", receipt, want)
	}
	return elapsed
}

// p50 is the median of d, which it sorts.
func p50(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
