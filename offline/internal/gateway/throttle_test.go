package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/offline/testkit"
)

func TestTokenBucket(t *testing.T) {
	type step struct {
		at   time.Duration // since the bucket was made
		want bool
	}
	tests := []struct {
		name     string
		throttle Throttle
		steps    []step
	}{
		{"the burst at once, then nothing", Throttle{RateLimit: 1, BurstLimit: 3},
			[]step{{0, true}, {0, true}, {0, true}, {0, false}, {0, false}}},
		{"a token back each 1/rate", Throttle{RateLimit: 2, BurstLimit: 1},
			[]step{{0, true}, {0, false}, {250 * time.Millisecond, false}, {500 * time.Millisecond, true}, {500 * time.Millisecond, false},
				{time.Second, true}}},
		{"idle time refills up to the burst, no more", Throttle{RateLimit: 10, BurstLimit: 2},
			[]step{{0, true}, {0, true}, {time.Hour, true}, {time.Hour, true}, {time.Hour, false}}},
		{"steady at the rate is never throttled", Throttle{RateLimit: 4, BurstLimit: 1},
			[]step{{0, true}, {250 * time.Millisecond, true}, {500 * time.Millisecond, true}, {750 * time.Millisecond, true}, {time.Second, true}}},
		{"burst 0 refuses everything", Throttle{RateLimit: 500, BurstLimit: 0},
			[]step{{0, false}, {time.Second, false}, {time.Hour, false}}},
		{"rate 0 allows the burst once", Throttle{RateLimit: 0, BurstLimit: 2},
			[]step{{0, true}, {time.Second, true}, {time.Hour, false}}},
		{"a fractional rate", Throttle{RateLimit: 0.5, BurstLimit: 1},
			[]step{{0, true}, {time.Second, false}, {2 * time.Second, true}}},
		{"a clock that steps back takes nothing back", Throttle{RateLimit: 1, BurstLimit: 1},
			[]step{{time.Second, true}, {0, false}, {time.Second, false}, {2 * time.Second, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(1_700_000_000, 0)
			b := newTokenBucket(tt.throttle, start)
			for i, s := range tt.steps {
				if got := b.take(start.Add(s.at)); got != s.want {
					t.Fatalf("step %d at %v: take = %v, want %v", i, s.at, got, s.want)
				}
			}
		})
	}
}

// TestThrottledMessage: a message past its route's burst gets API
// Gateway's Too Many Requests frame and reaches no function; the
// connection stays open, and other routes still answer.
func TestThrottledMessage(t *testing.T) {
	h := start(t, func(c *Config) {
		echo := c.Routes["echo"]
		echo.Throttle = &Throttle{RateLimit: 0, BurstLimit: 3}
		c.Routes["echo"] = echo
	})
	c := h.dial(t, "/local")
	for i := range 3 {
		if got := roundTrip(t, c, `{"action":"echo","n":1}`); got != `echo: {"action":"echo","n":1}` {
			t.Fatalf("echo %d within the burst: %s", i, got)
		}
	}
	for range 5 {
		got := roundTrip(t, c, `{"action":"echo","n":2}`)
		var f struct{ Message, ConnectionID, RequestID string }
		if err := json.Unmarshal([]byte(got), &f); err != nil || f.Message != "Too Many Requests" || f.ConnectionID == "" || f.RequestID == "" ||
			!strings.HasPrefix(got, `{"message": "Too Many Requests", "connectionId":"`) {
			t.Fatalf("past the burst: %s, want the Too Many Requests frame", got)
		}
	}
	h.fns.mu.Lock()
	calls := len(h.fns.events["echo"])
	h.fns.mu.Unlock()
	if calls != 3 {
		t.Errorf("echo ran %d times, want the burst's 3", calls)
	}
	// Still open: another route answers.
	if got := roundTrip(t, c, `{}`); !strings.HasPrefix(got, `{"message": "Forbidden"`) {
		t.Errorf("after throttling: %s, want the connection open", got)
	}
}

// TestThrottledConnect: a handshake past $connect's burst is refused with
// 429 before any function runs.
func TestThrottledConnect(t *testing.T) {
	h := start(t, func(c *Config) {
		connect := c.Routes["$connect"]
		connect.Throttle = &Throttle{RateLimit: 0, BurstLimit: 1}
		c.Routes["$connect"] = connect
	})
	h.dial(t, "/local")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, h.ws+"/local", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second handshake: %v %v, want 429", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != `{"message":"Too Many Requests"}` {
		t.Errorf("429 body %q", body)
	}
	h.fns.mu.Lock()
	defer h.fns.mu.Unlock()
	if n := len(h.fns.events["connect"]); n != 1 {
		t.Errorf("$connect ran %d times, want once", n)
	}
}

// held stands in for functions that are slow: "slow" returns only once
// release is closed, or its invocation is cancelled.
type held struct {
	*functions
	release chan struct{}
}

func (h held) InvokeFor(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	if function != "slow" {
		return h.functions.InvokeFor(ctx, function, route, payload)
	}
	select {
	case <-h.release:
		return []byte(`{"statusCode":200}`), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestThrottleJudgesOnArrival: a message is judged by its route's bucket as
// it arrives, not once the functions have room for it: with more accepted
// messages waiting than a connection may have handled at once, the next
// one past the burst is still answered Too Many Requests at once.
func TestThrottleJudgesOnArrival(t *testing.T) {
	release := make(chan struct{})
	h := start(t, func(c *Config) {
		c.Invoker = held{functions: c.Invoker.(*functions), release: release}
		c.Routes["slow"] = Route{Function: "slow", Throttle: &Throttle{RateLimit: 0, BurstLimit: 2 * maxInflightPerConn}}
	})
	t.Cleanup(func() { close(release) })
	c := h.dial(t, "/local")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 2 * maxInflightPerConn {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"slow"}`)); err != nil {
			t.Fatal(err)
		}
	}
	got := roundTrip(t, c, `{"action":"slow"}`)
	if !strings.HasPrefix(got, `{"message": "Too Many Requests"`) {
		t.Errorf("past the burst, with the burst still being handled: %s, want Too Many Requests", got)
	}
}

// TestUnthrottled: a load test may serve the routes without their buckets,
// those a reload puts in service too.
func TestUnthrottled(t *testing.T) {
	h := start(t, func(c *Config) {
		c.Unthrottled = true
		echo := c.Routes["echo"]
		echo.Throttle = &Throttle{RateLimit: 0, BurstLimit: 0}
		c.Routes["echo"] = echo
	})
	c := h.dial(t, "/local")
	if got := roundTrip(t, c, `{"action":"echo"}`); got != `echo: {"action":"echo"}` {
		t.Fatalf("unthrottled, burst 0: %s", got)
	}
	if err := h.gw.SetRoutes("$request.body.action", map[string]Route{"echo": {Function: "echo", RouteResponse: true, Throttle: &Throttle{}}}); err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, c, `{"action":"echo"}`); got != `echo: {"action":"echo"}` {
		t.Errorf("unthrottled after a reload, burst 0: %s", got)
	}
}

// counted stands in for a slow function that counts its invocations: the
// first ones wait for first to close, the later ones for later; it keeps
// the most of the later ones that ran at once.
type counted struct {
	*functions
	first, later chan struct{}
	firstCount   int

	mu                     sync.Mutex
	started, finished      int
	runningLater, maxLater int
}

func (f *counted) InvokeFor(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	if function != "slow" {
		return f.functions.InvokeFor(ctx, function, route, payload)
	}
	f.mu.Lock()
	f.started++
	later := f.started > f.firstCount
	if later {
		f.runningLater++
		f.maxLater = max(f.maxLater, f.runningLater)
	}
	f.mu.Unlock()
	if later {
		<-f.later
	} else {
		<-f.first
	}
	f.mu.Lock()
	f.finished++
	if later {
		f.runningLater--
	}
	f.mu.Unlock()
	return []byte(`{"statusCode":200}`), nil
}

func (f *counted) await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, 5*time.Second, func() (bool, string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return cond(), fmt.Sprintf("%s: %d started, %d finished", what, f.started, f.finished)
	})
}

// TestFloodingConnectionOneMessageAtATime: once a connection has a message
// throttled, the messages it has waiting are handled one at a time, so a
// flood cannot take every core; before, up to maxInflightPerConn at once.
func TestFloodingConnectionOneMessageAtATime(t *testing.T) {
	const accepted = maxInflightPerConn + 2
	f := &counted{first: make(chan struct{}), later: make(chan struct{}), firstCount: maxInflightPerConn}
	h := start(t, func(c *Config) {
		f.functions = c.Invoker.(*functions)
		c.Invoker = f
		c.Routes["slow"] = Route{Function: "slow", Throttle: &Throttle{RateLimit: 0, BurstLimit: accepted}}
	})
	c := h.dial(t, "/local")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range accepted {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"slow"}`)); err != nil {
			t.Fatal(err)
		}
	}
	f.await(t, "the first messages handled at once", func() bool { return f.started == maxInflightPerConn })
	if got := roundTrip(t, c, `{"action":"slow"}`); !strings.HasPrefix(got, `{"message": "Too Many Requests"`) {
		t.Fatalf("past the burst: %s, want Too Many Requests", got)
	}
	close(f.first)
	f.await(t, "a waiting message started", func() bool { return f.started > maxInflightPerConn })
	close(f.later)
	f.await(t, "every message handled", func() bool { return f.finished == accepted })
	if f.maxLater != 1 {
		t.Errorf("after the throttle, %d of the connection's waiting messages were handled at once, want 1", f.maxLater)
	}
}
