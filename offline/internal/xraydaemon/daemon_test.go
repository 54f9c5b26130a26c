package xraydaemon

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/console"
	"wsapi/offline/internal/xraydaemon/xraytrace"
	"wsapi/offline/testkit"
)

// waitFor bounds every wait in these tests; nothing sleeps to synchronise.
const waitFor = 10 * time.Second

// startDaemon listens on a free loopback port and returns the daemon with a
// channel that receives every completed trace.
func startDaemon(t *testing.T, cfg Config) (*Daemon, <-chan *xraytrace.Trace) {
	t.Helper()
	done := make(chan *xraytrace.Trace, 64)
	cfg.OnComplete = func(tr *xraytrace.Trace) { done <- tr }
	d, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d, done
}

// send writes each datagram from a real UDP socket, as the SDK's emitter does.
func send(t *testing.T, addr string, datagrams ...string) {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, dg := range datagrams {
		if _, err := conn.Write([]byte(dg)); err != nil {
			t.Fatal(err)
		}
	}
}

// waitStats polls the daemon's counters until ok holds.
func waitStats(t *testing.T, d *Daemon, ok func(Stats) bool) Stats {
	t.Helper()
	var s Stats
	testkit.Eventually(t, waitFor, func() (bool, string) {
		s = d.Stats()
		return ok(s), fmt.Sprintf("stats never reached the expected state: %+v", s)
	})
	return s
}

func waitTrace(t *testing.T, done <-chan *xraytrace.Trace) *xraytrace.Trace {
	t.Helper()
	select {
	case tr := <-done:
		return tr
	case <-time.After(waitFor):
		t.Fatal("no trace completed")
		return nil
	}
}

func render(t *testing.T, tr *xraytrace.Trace) string {
	t.Helper()
	var b strings.Builder
	if err := console.RenderTrace(&b, tr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sub is a datagram carrying one subsegment emitted alone, as the SDK sends
// a closed subsegment of the facade segment. Times are ms after base.
func sub(id, parent, name string, startMS, endMS float64, extra string) string {
	return fmt.Sprintf(`%s{"trace_id":%q,"id":%q,"parent_id":%q,"type":"subsegment","name":%q,"start_time":%.4f,"end_time":%.4f%s}`,
		hdr, trace, id, parent, name, base+startMS/1000, base+endMS/1000, extra)
}

const base = 1700000000.0

func at(ms float64) time.Time {
	return time.Unix(int64(base), 0).Add(time.Duration(ms * float64(time.Millisecond)))
}

// function is the segment the gateway records; f0 is the Parent of the
// trace header the function was given.
func function(fault bool, cause string) Segment {
	return Segment{
		TraceID: trace, ID: "f0", Name: "go-websocket-api-local-hello",
		Start: at(0), End: at(12.4), Fault: fault, Cause: cause,
		Annotations: map[string]any{"route": "hello", "requestId": "r-1"},
	}
}

func TestDaemonAssemblesTrace(t *testing.T) {
	tests := []struct {
		name      string
		datagrams []string
		fn        Segment
		malformed int
		want      string
	}{
		{
			name: "inline nested subsegments",
			datagrams: []string{
				// The SDK emits a subsegment of the facade with its closed
				// children inline; their parent_id names the facade (f0).
				sub("a1", "f0", "PostToConnection", 1, 4.1, `,"annotations":{"connectionId":"abc=","bytes":27,"outcome":"ok"},`+
					`"subsegments":[{"id":"b1","parent_id":"f0","name":"ApiGatewayManagementApi","namespace":"aws","start_time":1700000000.0012,"end_time":1700000000.004,`+
					`"aws":{"operation":"PostToConnection"},"http":{"response":{"status":200}}}]`),
			},
			fn: function(false, ""),
			want: `trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
└─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  requestId=r-1  route=hello
   └─ PostToConnection  3.1 ms  bytes=27  connectionId=abc=  outcome=ok
      └─ ApiGatewayManagementApi  2.8 ms  (AWS)  PostToConnection  HTTP 200
`,
		},
		{
			name: "streamed child before its parent, siblings by start time",
			datagrams: []string{
				sub("c2", "a1", "second", 3, 4, ""),
				sub("c1", "a1", "first", 2, 2.5, ""),
				sub("a1", "f0", "Broadcast", 1, 5, ""),
				sub("a0", "f0", "Registry", 0.5, 0.9, ""),
			},
			fn: function(false, ""),
			want: `trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
└─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  requestId=r-1  route=hello
   ├─ Registry  0.4 ms
   └─ Broadcast  4.0 ms
      ├─ first  0.5 ms
      └─ second  1.0 ms
`,
		},
		{
			name: "subsegment whose parent never arrived",
			datagrams: []string{
				sub("a1", "f0", "PostToConnection", 1, 2, ""),
				sub("z1", "lost", "Orphan", 13, 14, ""),
			},
			fn: function(false, ""),
			want: `trace 1-5759e988-bd862e3fe1be46a994272793  14.0 ms
├─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  requestId=r-1  route=hello
│  └─ PostToConnection  1.0 ms
└─ Orphan  1.0 ms
`,
		},
		{
			name: "in-progress then complete document",
			datagrams: []string{
				hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"Slow","start_time":1700000000.001,"in_progress":true}`,
				sub("a1", "f0", "Slow", 1, 11, ""),
				hdr + `{"trace_id":"` + trace + `","id":"a1","parent_id":"f0","type":"subsegment","name":"Slow","start_time":1700000000.001,"in_progress":true}`,
			},
			fn: function(false, ""),
			want: `trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
└─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  requestId=r-1  route=hello
   └─ Slow  10.0 ms
`,
		},
		{
			name: "faults, errors and malformed datagrams in between",
			datagrams: []string{
				"garbage",
				sub("a1", "f0", "PostToConnection", 1, 3, `,"fault":true,"cause":{"exceptions":[{"message":"post: connection gone"}]},"annotations":{"outcome":"gone"}`),
				hdr + `{"trace_id":"` + trace + `"}`,
				sub("a2", "f0", "ApiGatewayManagementApi", 4, 5, `,"namespace":"aws","error":true,"http":{"response":{"status":410}}`),
				sub("a3", "f0", "ApiGatewayManagementApi", 6, 7, `,"namespace":"aws","error":true,"throttle":true,"http":{"response":{"status":429}}`),
			},
			fn:        function(true, "handler: boom"),
			malformed: 2,
			want: `trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
└─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  requestId=r-1  route=hello  FAULT: handler: boom
   ├─ PostToConnection  2.0 ms  outcome=gone  FAULT: post: connection gone
   ├─ ApiGatewayManagementApi  1.0 ms  (AWS)  HTTP 410  ERROR
   └─ ApiGatewayManagementApi  1.0 ms  (AWS)  HTTP 429  THROTTLED
`,
		},
		{
			name: "function that sent nothing",
			fn:   function(false, ""),
			want: `trace 1-5759e988-bd862e3fe1be46a994272793  12.4 ms
└─ go-websocket-api-local-hello  12.4 ms  (Lambda function)  requestId=r-1  route=hello
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, done := startDaemon(t, Config{Settle: 20 * time.Millisecond})
			send(t, d.Addr(), tt.datagrams...)
			waitStats(t, d, func(s Stats) bool { return s.Datagrams == len(tt.datagrams) })
			if err := d.Record(tt.fn); err != nil {
				t.Fatal(err)
			}
			tr := waitTrace(t, done)
			if got := render(t, tr); got != tt.want {
				t.Errorf("rendered\n%s\nwant\n%s", got, tt.want)
			}
			if s := d.Stats(); s.Malformed != tt.malformed || s.Completed != 1 || s.DroppedTraces != 0 {
				t.Errorf("stats = %+v, want %d malformed, 1 completed", s, tt.malformed)
			}
		})
	}
}

func TestDaemonDatagramAfterRecordJoinsTrace(t *testing.T) {
	// A settle window that never ends on its own: Close delivers, so the
	// test decides when the trace is complete.
	d, done := startDaemon(t, Config{Settle: time.Hour, MaxWait: time.Hour})
	if err := d.Record(function(false, "")); err != nil {
		t.Fatal(err)
	}
	send(t, d.Addr(), sub("a1", "f0", "Late", 13, 14, ""))
	waitStats(t, d, func(s Stats) bool { return s.Datagrams == 1 })
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case tr := <-done:
		if n := tr.Roots[0]; len(tr.Roots) != 1 || len(n.Children) != 1 || n.Children[0].Name != "Late" {
			t.Errorf("trace after Close:\n%s", render(t, tr))
		}
	default:
		t.Fatal("Close did not deliver the recorded trace")
	}
	if err := d.Record(function(false, "")); err != nil {
		t.Errorf("Record after Close: %v", err)
	}
}

func TestDaemonMaxWait(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: time.Hour, MaxWait: 20 * time.Millisecond})
	if err := d.Record(function(false, "")); err != nil {
		t.Fatal(err)
	}
	if tr := waitTrace(t, done); tr.ID != trace {
		t.Errorf("trace id = %q", tr.ID)
	}
}

func TestDaemonExpiresUnrecordedTraces(t *testing.T) {
	d, done := startDaemon(t, Config{MaxAge: 20 * time.Millisecond})
	send(t, d.Addr(), sub("a1", "f0", "Never recorded", 1, 2, ""))
	waitStats(t, d, func(s Stats) bool { return s.DroppedTraces == 1 })
	select {
	case tr := <-done:
		t.Errorf("delivered a trace without a recorded segment:\n%s", render(t, tr))
	default:
	}
}

func TestDaemonCloseDropsUnrecordedTraces(t *testing.T) {
	d, _ := startDaemon(t, Config{})
	send(t, d.Addr(), sub("a1", "f0", "x", 1, 2, ""))
	waitStats(t, d, func(s Stats) bool { return s.Datagrams == 1 })
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if s := d.Stats(); s.DroppedTraces != 1 || s.Completed != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestDaemonCapsTracesHeld(t *testing.T) {
	d, done := startDaemon(t, Config{MaxTraces: 2, Settle: 10 * time.Millisecond})
	traces := []string{
		"1-5759e988-00000000000000000000000a",
		"1-5759e988-00000000000000000000000b",
		"1-5759e988-00000000000000000000000c",
	}
	for _, id := range traces {
		send(t, d.Addr(), strings.Replace(sub("s-"+id[len(id)-1:], "f0", "work", 1, 2, ""), trace, id, 1))
	}
	waitStats(t, d, func(s Stats) bool { return s.Datagrams == 3 })
	if s := d.Stats(); s.DroppedTraces != 1 {
		t.Fatalf("stats = %+v, want the oldest trace dropped", s)
	}
	d.mu.Lock()
	held := len(d.traces)
	d.mu.Unlock()
	if held != 2 {
		t.Fatalf("%d traces held, want 2", held)
	}
	// The two newest keep their subsegment; the evicted one comes back
	// with its function segment alone.
	for _, want := range []struct {
		id       string
		children int
	}{{traces[2], 1}, {traces[1], 1}, {traces[0], 0}} {
		fn := function(false, "")
		fn.TraceID = want.id
		if err := d.Record(fn); err != nil {
			t.Fatal(err)
		}
		tr := waitTrace(t, done)
		if tr.ID != want.id || len(tr.Roots) != 1 || len(tr.Roots[0].Children) != want.children {
			t.Errorf("trace %s: got\n%s", want.id, render(t, tr))
		}
	}
}

func TestDaemonCapsSegmentsPerTrace(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 10 * time.Millisecond})
	var datagrams []string
	for i := range 3 {
		var kids []string
		for j := range 400 {
			kids = append(kids, fmt.Sprintf(`{"id":"k%d-%d","name":"k","start_time":%.4f,"end_time":%.4f}`, i, j, base+0.002, base+0.003))
		}
		datagrams = append(datagrams, sub(fmt.Sprintf("p%d", i), "f0", "parent", 1, 4, `,"subsegments":[`+strings.Join(kids, ",")+`]`))
	}
	// One at a time: three 30 KB datagrams at once could overflow a
	// default socket receive buffer while the reader is slowed by -race.
	for i, dg := range datagrams {
		send(t, d.Addr(), dg)
		waitStats(t, d, func(s Stats) bool { return s.Datagrams == i+1 })
	}
	if err := d.Record(function(false, "")); err != nil {
		t.Fatal(err)
	}
	tr := waitTrace(t, done)
	count := 0
	var walk func([]*xraytrace.Node)
	walk = func(ns []*xraytrace.Node) {
		for _, n := range ns {
			count++
			walk(n.Children)
		}
	}
	walk(tr.Roots)
	// 3×401 segments arrived; 1,000 were kept, and the function segment
	// gets in regardless since the trace hangs on it.
	if count != maxSegmentsPerTrace+1 || tr.Dropped != 3*401-maxSegmentsPerTrace || tr.Roots[0].Name != "go-websocket-api-local-hello" {
		t.Errorf("%d segments, %d dropped, first root %q", count, tr.Dropped, tr.Roots[0].Name)
	}
	if first := strings.SplitN(render(t, tr), "\n", 2)[0]; !strings.HasSuffix(first, "(203 segments dropped)") {
		t.Errorf("header line %q does not say the trace is incomplete", first)
	}
}

func TestDaemonDropsLateDatagrams(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 10 * time.Millisecond})
	if err := d.Record(function(false, "")); err != nil {
		t.Fatal(err)
	}
	waitTrace(t, done)
	send(t, d.Addr(), sub("a1", "f0", "too late", 20, 21, ""))
	waitStats(t, d, func(s Stats) bool { return s.DroppedSegments == 1 })
	d.mu.Lock()
	held := len(d.traces)
	d.mu.Unlock()
	if held != 0 {
		t.Errorf("a late datagram opened a trace")
	}
}

func TestDaemonCountsMalformedDatagrams(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 10 * time.Millisecond})
	junk := []string{"", "\n", "{", hdr, hdr + "null", hdr + `{"id":1}`, strings.Repeat("\xff", 1000), hdr + strings.Repeat("{", 5000)}
	send(t, d.Addr(), junk...)
	waitStats(t, d, func(s Stats) bool { return s.Datagrams == len(junk) })
	if s := d.Stats(); s.Malformed != len(junk) {
		t.Errorf("stats = %+v, want %d malformed", s, len(junk))
	}
	// Still serving.
	if err := d.Record(function(false, "")); err != nil {
		t.Fatal(err)
	}
	waitTrace(t, done)
}

func TestRecordRejectsIncompleteSegments(t *testing.T) {
	d, _ := startDaemon(t, Config{})
	tests := []struct {
		name string
		seg  Segment
	}{
		{"no trace id", Segment{ID: "f0", Name: "fn"}},
		{"bad trace id", Segment{TraceID: "Root=" + trace, ID: "f0", Name: "fn"}},
		{"no id", Segment{TraceID: trace, Name: "fn"}},
		{"no name", Segment{TraceID: trace, ID: "f0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := d.Record(tt.seg); !errors.Is(err, errInvalidSegment) {
				t.Errorf("err = %v", err)
			}
		})
	}
	if s := d.Stats(); s != (Stats{}) {
		t.Errorf("stats = %+v after rejected records", s)
	}
}

func TestListenRejectsBadAddress(t *testing.T) {
	if d, err := Listen("not-an-address", Config{}); err == nil {
		d.Close()
		t.Fatal("Listen accepted a bad address")
	}
}
