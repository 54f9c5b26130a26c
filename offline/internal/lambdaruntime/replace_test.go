package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// waitForLine polls log until a line contains s.
func waitForLine(t *testing.T, log *logRecorder, s string) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, func() (bool, string) {
		return slices.ContainsFunc(log.lines(t), func(l string) bool { return strings.Contains(l, s) }), fmt.Sprintf("no log line with %q", s)
	})
}

func TestReplaceFinishesInFlightOnOldCodeAndRunsNewCode(t *testing.T) {
	tests := []struct {
		name string
		// replace makes the new deployment from the old one.
		replace func(Function) Function
		// check looks at an invocation after the replacement.
		check func(t *testing.T, rt *Runtime, name string, oldPID int)
	}{
		{
			name: "new configuration",
			replace: func(fn Function) Function {
				fn.Env = map[string]string{"VERSION": "2"}
				return fn
			},
			check: func(t *testing.T, rt *Runtime, name string, oldPID int) {
				_, r := invokeEcho(t, rt, name, `{"env":true}`)
				if r.Env["VERSION"] != "2" || r.PID == oldPID {
					t.Errorf("after Replace: VERSION=%q on pid %d (old pid %d), want VERSION=2 on a new instance", r.Env["VERSION"], r.PID, oldPID)
				}
			},
		},
		{
			name: "new code",
			replace: func(fn Function) Function {
				fn.Executable = filepath.Join(bin, "panic")
				return fn
			},
			check: func(t *testing.T, rt *Runtime, name string, _ int) {
				res := invoke(t, rt, name, `{}`)
				if res.Err == nil || res.Err.Message != "boom" {
					t.Errorf("after Replace with the panicking program: %+v, want its panic, boom", res.Err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &logRecorder{}
			fn := echoFunction("svc-dev-echo", log)
			fn.Env = map[string]string{"VERSION": "1"}
			rt := newRuntime(t, fn)
			_, idle := invokeEcho(t, rt, fn.Name, `{}`) // warm: becomes the slow one's instance

			slow := make(chan *Result, 1)
			go func() {
				res, err := rt.Invoke(context.Background(), fn.Name, []byte(`{"say":"slow","sleep_ms":1500,"env":true}`), "")
				if err != nil {
					t.Errorf("slow invocation: %v", err)
				}
				slow <- res
			}()
			waitForLine(t, log, "stdout: slow")

			if err := rt.Replace(t.Context(), tt.replace(fn)); err != nil {
				t.Fatalf("Replace: %v", err)
			}
			tt.check(t, rt, fn.Name, idle.PID)

			res := <-slow
			if res == nil || res.Err != nil {
				t.Fatalf("slow invocation across Replace: %+v", res)
			}
			if !strings.Contains(string(res.Payload), `"VERSION":"1"`) || !strings.Contains(string(res.Payload), `"pid":`) {
				t.Errorf("slow invocation ran on %s, want the old code", res.Payload)
			}
			waitGone(t, idle.PID)
		})
	}
}

func TestReplaceStopsIdleOldInstancesAtOnce(t *testing.T) {
	fn := echoFunction("svc-dev-echo", nil)
	rt := newRuntime(t, fn)
	_, r := invokeEcho(t, rt, fn.Name, `{}`)
	if err := rt.Replace(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
	waitGone(t, r.PID)
	if _, again := invokeEcho(t, rt, fn.Name, `{}`); again.PID == r.PID {
		t.Errorf("invocation after Replace ran on the old instance %d", r.PID)
	}
}

func TestReplaceRefuses(t *testing.T) {
	echo := echoFunction("svc-dev-echo", nil)
	tests := []struct {
		name string
		fn   Function
		want error
	}{
		{"unknown function", echoFunction("svc-dev-other", nil), ErrFunctionNotFound},
		{"reserved environment", func() Function {
			fn := echo
			fn.Env = map[string]string{"AWS_REGION": "mars-1"}
			return fn
		}(), nil},
		{"missing executable", func() Function {
			fn := echo
			fn.Executable = filepath.Join(bin, "nothing-here")
			return fn
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newRuntime(t, echo)
			_, before := invokeEcho(t, rt, echo.Name, `{}`)
			err := rt.Replace(t.Context(), tt.fn)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Replace = %v, want an error (%v)", err, tt.want)
			}
			if _, after := invokeEcho(t, rt, echo.Name, `{}`); after.PID != before.PID {
				t.Errorf("after a refused Replace the function moved from pid %d to %d", before.PID, after.PID)
			}
		})
	}
}

func TestCloseStopsReplacedInstancesStillRunning(t *testing.T) {
	rt, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	if err := rt.Add(fn); err != nil {
		t.Fatal(err)
	}
	busy := make(chan *Result, 1)
	go func() {
		res, err := rt.Invoke(context.Background(), fn.Name, []byte(`{"say":"busy","sleep_ms":10000}`), "")
		if err != nil {
			t.Errorf("busy invocation: %v", err)
		}
		busy <- res
	}()
	waitForLine(t, log, "stdout: busy")
	if err := rt.Replace(t.Context(), fn); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rt.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if res := <-busy; res == nil || res.Err == nil || res.Err.Type != "Runtime.ExitError" {
		t.Errorf("old invocation cut short by Close: %+v, want Runtime.ExitError", res)
	}
}

// doneWatcher tells when an invocation starts waiting on its context,
// which it does once it has found its function and waits for an instance.
type doneWatcher struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func (d *doneWatcher) Done() <-chan struct{} {
	d.once.Do(func() { close(d.waiting) })
	return d.Context.Done()
}

func TestReplaceSendsWaitingInvocationsToTheNewCode(t *testing.T) {
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	fn.MaxConcurrency = 1
	fn.Env = map[string]string{"VERSION": "1"}
	rt := newRuntime(t, fn)
	slow := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(context.Background(), fn.Name, []byte(`{"say":"slow","sleep_ms":1000}`), "")
		slow <- err
	}()
	waitForLine(t, log, "stdout: slow")

	// The old function's only instance is busy: this one waits for it.
	ctx := &doneWatcher{Context: t.Context(), waiting: make(chan struct{})}
	waiter := make(chan *Result, 1)
	go func() {
		res, err := rt.Invoke(ctx, fn.Name, []byte(`{"env":true}`), "")
		if err != nil {
			t.Errorf("waiting invocation: %v", err)
		}
		waiter <- res
	}()
	<-ctx.waiting
	next := fn
	next.Env = map[string]string{"VERSION": "2"}
	if err := rt.Replace(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	if res := <-waiter; res == nil || !strings.Contains(string(res.Payload), `"VERSION":"2"`) {
		t.Errorf("invocation waiting at Replace: %+v, want it run by the new code", res)
	}
	if err := <-slow; err != nil {
		t.Errorf("slow invocation: %v", err)
	}
}

// TestCloseWaitsForReplacedInstances: Close returns once every process is
// gone, those of a function just replaced too, which are being stopped in
// the background.
func TestCloseWaitsForReplacedInstances(t *testing.T) {
	rt, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	fn.Env = map[string]string{"ECHO_OUTLIVE_SIGTERM": "1"} // it lives until killed
	if err := rt.Add(fn); err != nil {
		t.Fatal(err)
	}
	_, old := invokeEcho(t, rt, fn.Name, `{}`)
	if err := rt.Replace(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
	waitForLine(t, log, "echo: SIGTERM") // the replaced instance is being stopped
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rt.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !testkit.Gone(old.PID) {
		t.Errorf("Close returned while the replaced instance %d still runs", old.PID)
		waitGone(t, old.PID)
	}
}
