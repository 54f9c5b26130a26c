package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// answerWait bounds the wait for a caller's goroutine to be scheduled once
// its Invoke holds the answer: Remove cannot wait for the code its callers
// run after Invoke returns, so a test waits for that, with a deadline.
const answerWait = 10 * time.Second

type answer struct {
	res *Result
	err error
}

func TestRemoveFinishesInFlightThenStopsInstances(t *testing.T) {
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	rt := newRuntime(t, fn)
	_, idle := invokeEcho(t, rt, fn.Name, `{}`) // warm: the slow one runs on it

	ctx, hangUp := context.WithCancel(t.Context())
	defer hangUp()
	slow := make(chan answer, 1)
	go func() {
		res, err := rt.Invoke(ctx, fn.Name, []byte(`{"say":"slow","sleep_ms":1000}`), "")
		slow <- answer{res, err}
	}()
	waitForLine(t, log, "stdout: slow")

	if err := rt.Remove(t.Context(), fn.Name); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	// The caller hangs up as Remove returns: it holds its answer by then,
	// so its Invoke returns the answer, not the context's end.
	hangUp()
	lines := log.lines(t)
	reports := slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return !strings.HasPrefix(l, "REPORT ") })
	if len(reports) != 2 {
		t.Fatalf("REPORT lines as Remove returned: %q, want the warm-up's and the invocation in flight's", reports)
	}
	if !testkit.Gone(idle.PID) {
		t.Errorf("Remove returned while instance %d still runs", idle.PID)
	}
	select {
	case a := <-slow:
		if a.err != nil || a.res.Err != nil || !strings.Contains(string(a.res.Payload), "slow") {
			t.Errorf("invocation in flight across Remove: %+v, %v; want its answer", a.res, a.err)
		} else if want := "REPORT RequestId: " + a.res.RequestID + "\t"; !strings.HasPrefix(reports[1], want) {
			t.Errorf("last REPORT line %q, want the one of %s", reports[1], a.res.RequestID)
		}
	case <-time.After(answerWait):
		t.Fatal("the invocation in flight across Remove was never answered")
	}
	if _, err := rt.Invoke(t.Context(), fn.Name, []byte(`{}`), ""); !errors.Is(err, ErrFunctionNotFound) {
		t.Errorf("Invoke after Remove = %v, want ErrFunctionNotFound", err)
	}
	if err := rt.Add(fn); err != nil {
		t.Errorf("Add after Remove: %v, want the name free again", err)
	}
}

// An invocation still waiting for a free instance when its function is
// removed is refused as one made after the removal is.
func TestRemoveRefusesInvocationsWaitingForAnInstance(t *testing.T) {
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	fn.MaxConcurrency = 1
	rt := newRuntime(t, fn)
	slow := make(chan answer, 1)
	go func() {
		res, err := rt.Invoke(t.Context(), fn.Name, []byte(`{"say":"slow","sleep_ms":1000}`), "")
		slow <- answer{res, err}
	}()
	waitForLine(t, log, "stdout: slow")
	ctx := &doneWatcher{Context: t.Context(), waiting: make(chan struct{})}
	waiter := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(ctx, fn.Name, []byte(`{}`), "")
		waiter <- err
	}()
	<-ctx.waiting

	if err := rt.Remove(t.Context(), fn.Name); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	select {
	case err := <-waiter:
		if !errors.Is(err, ErrFunctionNotFound) {
			t.Errorf("invocation waiting across Remove = %v, want ErrFunctionNotFound", err)
		}
	case <-time.After(answerWait):
		t.Fatal("the invocation waiting across Remove was never answered")
	}
	select {
	case a := <-slow:
		if a.err != nil || a.res.Err != nil {
			t.Errorf("invocation in flight across Remove: %+v, %v; want its answer", a.res, a.err)
		}
	case <-time.After(answerWait):
		t.Fatal("the invocation in flight across Remove was never answered")
	}
}

// What an instance prints as it is stopped is in the log when Remove or
// Close returns, so that the log can be closed then.
func TestStoppingLogsAllTheInstancesPrinted(t *testing.T) {
	const goodbyes = 2000 // some 40 KB, written by one write as the process exits
	tests := []struct {
		name string
		stop func(ctx context.Context, rt *Runtime, fn string) error
	}{
		{"Remove", func(ctx context.Context, rt *Runtime, fn string) error { return rt.Remove(ctx, fn) }},
		{"Close", func(ctx context.Context, rt *Runtime, _ string) error { return rt.Close(ctx) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &logRecorder{}
			fn := echoFunction("svc-dev-echo", log)
			fn.Env = map[string]string{"ECHO_GOODBYE_LINES": fmt.Sprint(goodbyes)}
			rt := newRuntime(t, fn)
			invokeEcho(t, rt, fn.Name, `{}`)
			if err := tt.stop(t.Context(), rt, fn.Name); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			lines := log.lines(t)
			if last := fmt.Sprintf("echo: goodbye %d", goodbyes); lines[len(lines)-1] != last {
				t.Errorf("last line as %s returned: %q, want %q", tt.name, lines[len(lines)-1], last)
			}
		})
	}
}

func TestRemoveRefusesAnUnknownFunction(t *testing.T) {
	rt := newRuntime(t, echoFunction("svc-dev-echo", nil))
	if err := rt.Remove(t.Context(), "svc-dev-other"); !errors.Is(err, ErrFunctionNotFound) {
		t.Errorf("Remove of an unknown function = %v, want ErrFunctionNotFound", err)
	}
}
