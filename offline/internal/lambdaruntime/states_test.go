package lambdaruntime

import (
	"errors"
	"testing"
	"time"
)

// TestInstanceTransitions: from each phase, each transition either moves
// the instance as its life allows, signalling those who wait, or is
// refused and changes nothing.
func TestInstanceTransitions(t *testing.T) {
	// at puts a processless instance in phase p, holding inv when invoked.
	at := func(p instPhase, inv *invocation) *instance {
		i := newInstance(&lineWriter{})
		moves := map[instPhase][]func() error{
			instInitializing: nil,
			instInitFailed:   {func() error { return i.failInit(&FunctionError{Type: "Runtime.Init"}) }},
			instReady:        {func() error { return i.next(time.Now()) }},
			instInvoked:      {func() error { return i.next(time.Now()) }, func() error { return i.invoke(inv) }},
			instExited:       {func() error { return i.exit("exit status 1") }},
		}
		for _, move := range moves[p] {
			if err := move(); err != nil {
				t.Fatal(err)
			}
		}
		return i
	}
	type act struct {
		name string
		do   func(i *instance, inv *invocation) error
	}
	next := act{"next", func(i *instance, _ *invocation) error { return i.next(time.Now()) }}
	failInit := act{"init error", func(i *instance, _ *invocation) error { return i.failInit(&FunctionError{Type: "Runtime.Other"}) }}
	invoke := act{"invoke", func(i *instance, _ *invocation) error { return i.invoke(newInvocation("arn", nil, "")) }}
	exit := act{"exit", func(i *instance, _ *invocation) error { return i.exit("signal: killed") }}
	tests := []struct {
		from    instPhase
		act     act
		wantErr error
		want    instPhase
	}{
		{instInitializing, next, nil, instReady},
		{instInitializing, failInit, nil, instInitFailed},
		{instInitializing, invoke, errNotAllowed, instInitializing},
		{instInitializing, exit, nil, instExited},
		{instInitFailed, next, errNotAllowed, instInitFailed},
		{instInitFailed, failInit, errNotAllowed, instInitFailed},
		{instInitFailed, invoke, errNotAllowed, instInitFailed},
		{instInitFailed, exit, nil, instExited},
		{instReady, next, errNotAllowed, instReady},
		{instReady, failInit, errNotAllowed, instReady},
		{instReady, invoke, nil, instInvoked},
		{instReady, exit, nil, instExited},
		{instInvoked, next, nil, instReady},
		{instInvoked, failInit, errNotAllowed, instInvoked},
		{instInvoked, invoke, errNotAllowed, instInvoked},
		{instInvoked, exit, nil, instExited},
		{instExited, next, errNotAllowed, instExited},
		{instExited, failInit, errNotAllowed, instExited},
		{instExited, invoke, errNotAllowed, instExited},
		{instExited, exit, errNotAllowed, instExited},
	}
	for _, tt := range tests {
		t.Run(tt.from.String()+": "+tt.act.name, func(t *testing.T) {
			inv := newInvocation("arn", nil, "")
			i := at(tt.from, inv)
			err := tt.act.do(i, inv)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if i.phase != tt.want {
				t.Errorf("now %s, want %s", i.phase, tt.want)
			}
			// What waits on the instance is told of the change: init's
			// end, the invocation's, the process's. Init ends by a next or
			// an init error, not by the process exiting.
			initEnded := tt.from == instInitFailed || tt.from == instReady || tt.from == instInvoked ||
				tt.from == instInitializing && (tt.want == instReady || tt.want == instInitFailed)
			if initOver := isClosed(i.initOver); initOver != initEnded {
				t.Errorf("initOver closed %v, want %v", initOver, initEnded)
			}
			if completed := isClosed(inv.completed); completed != (tt.from == instInvoked && tt.want == instReady) {
				t.Errorf("the invocation held completed: %v", completed)
			}
			if exited := isClosed(i.exited); exited != (tt.want == instExited) {
				t.Errorf("exited closed %v in %s", exited, tt.want)
			}
			initDone := tt.from == instReady || tt.from == instInvoked || tt.from == instInitializing && tt.want == instReady
			if _, ok := i.initDuration(); ok != initDone {
				t.Errorf("init done %v, want %v", ok, initDone)
			}
		})
	}
}

// TestFunctionTransitions: from each phase, each transition moves the
// function as its life allows or is refused, and only a serving function
// admits an invocation.
func TestFunctionTransitions(t *testing.T) {
	at := func(p fnPhase) *function {
		f := newFunction(Options{}, Function{Name: "fn", MaxConcurrency: 1})
		switch p {
		case fnRetiring:
			_ = f.retireState()
		case fnClosed:
			_ = f.closeState()
		}
		return f
	}
	retire := func(f *function) error { return f.retireState() }
	closeFn := func(f *function) error { return f.closeState() }
	admit := func(f *function) error {
		err := f.admit()
		if err == nil {
			f.wg.Done()
		}
		return err
	}
	tests := []struct {
		name    string
		from    fnPhase
		act     func(*function) error
		wantErr error
		want    fnPhase
	}{
		{"serving: retire", fnServing, retire, nil, fnRetiring},
		{"serving: close", fnServing, closeFn, nil, fnClosed},
		{"serving: admit", fnServing, admit, nil, fnServing},
		{"retiring: retire", fnRetiring, retire, errNotAllowed, fnRetiring},
		{"retiring: close", fnRetiring, closeFn, nil, fnClosed},
		{"retiring: admit goes to the replacement", fnRetiring, admit, errRetired, fnRetiring},
		{"closed: retire", fnClosed, retire, errNotAllowed, fnClosed},
		{"closed: close", fnClosed, closeFn, errNotAllowed, fnClosed},
		{"closed: admit goes to the replacement", fnClosed, admit, errRetired, fnClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := at(tt.from)
			err := tt.act(f)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if f.phase != tt.want {
				t.Errorf("now %s, want %s", f.phase, tt.want)
			}
			if closing := isClosed(f.closing); closing != (tt.want != fnServing) {
				t.Errorf("closing closed %v in %s: those waiting for an instance must be told when it stops serving", closing, tt.want)
			}
		})
	}
}
