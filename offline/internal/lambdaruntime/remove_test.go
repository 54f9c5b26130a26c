package lambdaruntime

import (
	"context"
	"errors"
	"strings"
	"testing"

	"wsapi/offline/testkit"
)

func TestRemoveFinishesInFlightThenStopsInstances(t *testing.T) {
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	rt := newRuntime(t, fn)
	_, idle := invokeEcho(t, rt, fn.Name, `{}`) // warm: the slow one runs on it

	slow := make(chan *Result, 1)
	go func() {
		res, err := rt.Invoke(context.Background(), fn.Name, []byte(`{"say":"slow","sleep_ms":1000}`), "")
		if err != nil {
			t.Errorf("slow invocation: %v", err)
		}
		slow <- res
	}()
	waitForLine(t, log, "stdout: slow")

	if err := rt.Remove(t.Context(), fn.Name); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	// Remove returns once every process is reaped, so the invocation in
	// flight is over by then.
	select {
	case res := <-slow:
		if res == nil || res.Err != nil || !strings.Contains(string(res.Payload), "slow") {
			t.Errorf("invocation in flight across Remove: %+v, want it answered", res)
		}
	default:
		t.Error("Remove returned before the invocation in flight was answered")
	}
	if !testkit.Gone(idle.PID) {
		t.Errorf("Remove returned while instance %d still runs", idle.PID)
	}
	if _, err := rt.Invoke(t.Context(), fn.Name, []byte(`{}`), ""); !errors.Is(err, ErrFunctionNotFound) {
		t.Errorf("Invoke after Remove = %v, want ErrFunctionNotFound", err)
	}
	if err := rt.Add(fn); err != nil {
		t.Errorf("Add after Remove: %v, want the name free again", err)
	}
}

func TestRemoveRefusesAnUnknownFunction(t *testing.T) {
	rt := newRuntime(t, echoFunction("svc-dev-echo", nil))
	if err := rt.Remove(t.Context(), "svc-dev-other"); !errors.Is(err, ErrFunctionNotFound) {
		t.Errorf("Remove of an unknown function = %v, want ErrFunctionNotFound", err)
	}
}
