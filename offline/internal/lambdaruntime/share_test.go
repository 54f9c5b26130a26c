package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// inFlight is how many of f's invocations hold an instance.
func inFlight(f *function) int {
	f.share.mu.Lock()
	defer f.share.mu.Unlock()
	return f.share.inUse
}

func waiting(s *share) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.callers {
		n += len(c.waiting)
	}
	return n
}

// TestShareGivesAFreedInstanceToTheCallerHoldingFewest plays invocations
// ("a1" is caller a's first) arriving (+) and ending (-) on a function's
// instances, each step once the last has settled, and checks the order in
// which they get an instance.
func TestShareGivesAFreedInstanceToTheCallerHoldingFewest(t *testing.T) {
	tests := []struct {
		name  string
		max   int
		steps string
		want  string // invocations in the order they got an instance
	}{
		{
			name:  "a free instance is taken at once",
			max:   2,
			steps: "+a1 +b1 -a1 +a2",
			want:  "a1 b1 a2",
		},
		{
			name:  "one caller's backlog does not stand before another's message",
			max:   2,
			steps: "+a1 +a2 +a3 +a4 +a5 +b1 -a1 -a2 -b1 -a3",
			want:  "a1 a2 b1 a3 a4 a5",
		},
		{
			name:  "callers wanting more end with equal shares",
			max:   4,
			steps: "+a1 +a2 +a3 +a4 +a5 +a6 +b1 +b2 +b3 -a1 -a2 -a3 -b1",
			want:  "a1 a2 a3 a4 b1 b2 a5 b3",
		},
		{
			name:  "among callers holding as few, the longest waiting first",
			max:   1,
			steps: "+a1 +c1 +b1 +c2 -a1 -c1 -b1",
			want:  "a1 c1 b1 c2",
		},
		{
			name:  "a caller's own invocations keep their order",
			max:   1,
			steps: "+a1 +a2 +a3 +a4 -a1 -a2 -a3",
			want:  "a1 a2 a3 a4",
		},
		{
			name:  "no caller named is one caller",
			max:   2,
			steps: "+_1 +_2 +_3 +b1 -_1 -_2",
			want:  "_1 _2 b1 _3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newShare(tt.max)
			var mu sync.Mutex
			var got []string
			granted := func() []string {
				mu.Lock()
				defer mu.Unlock()
				return slices.Clone(got)
			}
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			defer wg.Wait()
			defer cancel() // the invocations still waiting give up
			for step := range strings.FieldsSeq(tt.steps) {
				inv := step[1:]
				caller := strings.TrimPrefix(inv[:1], "_")
				before, waitersBefore := len(granted()), waiting(s)
				switch step[0] {
				case '+':
					wg.Go(func() {
						if err := s.acquire(ctx, caller, nil); err != nil {
							return
						}
						mu.Lock()
						got = append(got, inv)
						mu.Unlock()
					})
					// Settled once it holds an instance or waits for one.
					testkit.Eventually(t, 5*time.Second, func() (bool, string) {
						return len(granted()) > before || waiting(s) > waitersBefore, inv + " neither holds nor waits"
					})
				case '-':
					s.release(caller)
					if waitersBefore > 0 {
						testkit.Eventually(t, 5*time.Second, func() (bool, string) {
							return len(granted()) > before, "no waiter got the instance " + inv + " freed"
						})
					}
				}
			}
			if got := strings.Join(granted(), " "); got != tt.want {
				t.Errorf("instances went to %s, want %s", got, tt.want)
			}
		})
	}
}

// An invocation that gives up waiting holds no instance, and an instance
// granted to it as it gave up goes on to the next.
func TestShareWaiterThatGivesUpHoldsNothing(t *testing.T) {
	s := newShare(1)
	if err := s.acquire(t.Context(), "a", nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- s.acquire(ctx, "b", nil) }()
	stop := make(chan struct{})
	retired := make(chan error, 1)
	testkit.Eventually(t, 5*time.Second, func() (bool, string) { return waiting(s) == 1, "b never waits" })
	go func() { retired <- s.acquire(t.Context(), "c", stop) }()
	testkit.Eventually(t, 5*time.Second, func() (bool, string) { return waiting(s) == 2, "c never waits" })

	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("b's wait = %v, want context.Canceled", err)
	}
	close(stop)
	if err := <-retired; !errors.Is(err, errRetired) {
		t.Errorf("c's wait = %v, want errRetired", err)
	}
	s.release("a")
	if s.inUse != 0 || len(s.callers) != 0 {
		t.Errorf("after every invocation left: %d in use, callers %v; want none", s.inUse, s.callers)
	}
}

// Real instances: with a function's only instance busy and one caller's
// invocations waiting for it, another caller's invocation runs next.
func TestInvocationsOfACallerWithNothingInFlightRunFirst(t *testing.T) {
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	fn.MaxConcurrency = 1
	rt := newRuntime(t, fn)
	invokeEcho(t, rt, fn.Name, `{}`) // warm, so the busy call below starts at once

	type started struct {
		name  string
		start time.Time
	}
	results := make(chan started, 5)
	run := func(caller, name, payload string) {
		ctx := &doneWatcher{Context: WithCaller(t.Context(), caller), waiting: make(chan struct{})}
		go func() {
			res, err := rt.Invoke(ctx, fn.Name, []byte(payload), "")
			if err != nil || res.Err != nil {
				t.Errorf("%s: %v, %+v", name, err, res)
				results <- started{name: name}
				return
			}
			results <- started{name, res.Start}
		}()
		<-ctx.waiting
	}
	run("flood", "flood 1", `{"say":"busy","sleep_ms":300}`)
	waitForLine(t, log, "stdout: busy")
	for i := 2; i <= 4; i++ {
		run("flood", fmt.Sprintf("flood %d", i), `{}`)
	}
	run("calm", "calm", `{}`)

	var order []started
	for range 5 {
		order = append(order, <-results)
	}
	slices.SortFunc(order, func(a, b started) int { return a.start.Compare(b.start) })
	var names []string
	for _, s := range order {
		names = append(names, s.name)
	}
	if got, want := strings.Join(names, ", "), "flood 1, calm, flood 2, flood 3, flood 4"; got != want {
		t.Errorf("invocations ran in the order %s, want %s", got, want)
	}
}
