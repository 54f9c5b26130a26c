package lambdaruntime

import (
	"errors"
	"fmt"
	"time"
)

// The lives of an execution environment (an instance) and of a deployed
// function, as named states. Every transition is one method that either
// moves the state or refuses with errNotAllowed and leaves it as it was,
// called with the owner's mu held; the channels beside a state only
// signal its changes to those waiting.

var (
	// errNotAllowed refuses a transition the state does not allow.
	errNotAllowed = errors.New("transition not allowed")
	// errRetired refuses an invocation to a function replaced or removed
	// before the invocation reached an instance: the Runtime sends it on
	// to the replacement, if there is one.
	errRetired = errors.New("lambdaruntime: function retired")
)

// instPhase is where an instance is in its life, as the Runtime API sees
// it:
//
//	initializing → ready       the process's first GET /next
//	initializing → initFailed  it posts init/error
//	ready → invoked            an event goes to its pending GET /next
//	invoked → ready            its next GET /next: the invocation is over
//	any → exited               the process is reaped
//
// A process that outlasts initTimeout, or exits, while initializing is
// failed by whoever waits for it, from the state it left.
type instPhase int

const (
	instInitializing instPhase = iota
	instInitFailed
	instReady
	instInvoked
	instExited
)

func (p instPhase) String() string {
	switch p {
	case instInitializing:
		return "initializing"
	case instInitFailed:
		return "init failed"
	case instReady:
		return "ready"
	case instInvoked:
		return "invoked"
	case instExited:
		return "exited"
	}
	return fmt.Sprintf("instPhase(%d)", int(p))
}

// next is the process asking for its next event: initializing → ready,
// which ends init (readyAt, initOver), or invoked → ready, which ends the
// invocation it held (its completed closes).
func (i *instance) next(now time.Time) error {
	switch i.phase {
	case instInitializing:
		i.readyAt = now
		close(i.initOver)
	case instInvoked:
		close(i.current.completed)
		i.current = nil
	default:
		return fmt.Errorf("%w: next event, the instance is %s", errNotAllowed, i.phase)
	}
	i.phase = instReady
	return nil
}

// failInit is the process posting init/error: initializing → initFailed.
func (i *instance) failInit(fe *FunctionError) error {
	if i.phase != instInitializing {
		return fmt.Errorf("%w: init error, the instance is %s", errNotAllowed, i.phase)
	}
	i.phase, i.initErr = instInitFailed, fe
	close(i.initOver)
	return nil
}

// invoke gives inv to the ready process: ready → invoked.
func (i *instance) invoke(inv *invocation) error {
	if i.phase != instReady {
		return fmt.Errorf("%w: invoke, the instance is %s", errNotAllowed, i.phase)
	}
	i.phase, i.current = instInvoked, inv
	return nil
}

// exit is the process reaped, with its wait status: any phase → exited.
func (i *instance) exit(status string) error {
	if i.phase == instExited {
		return fmt.Errorf("%w: exit, the instance is %s", errNotAllowed, i.phase)
	}
	i.phase, i.exitStatus = instExited, status
	close(i.exited)
	return nil
}

// invocationEnd is how an invocation on an instance ended.
type invocationEnd int

const (
	// invocationCompleted: the process asked for its next event
	// (instInvoked → instReady), having answered or not.
	invocationCompleted invocationEnd = iota
	// invocationExited: the process exited first.
	invocationExited
	// invocationTimedOut: the function's timeout came first.
	invocationTimedOut
)

// await waits for inv, which i holds, to end, or for timeout. When two
// came at once, the invocation's own end counts first, then the exit.
func (i *instance) await(inv *invocation, timeout <-chan time.Time) invocationEnd {
	select {
	case <-inv.completed:
	case <-i.exited:
	case <-timeout:
	}
	switch {
	case isClosed(inv.completed):
		return invocationCompleted
	case i.hasExited():
		return invocationExited
	}
	return invocationTimedOut
}

// fnPhase is where a deployed function is in its life:
//
//	serving → retiring   Replace or Remove: no new invocation; those in
//	                     flight finish, and one still waiting for an
//	                     instance goes to the replacement (errRetired)
//	serving → closed     Close
//	retiring → closed    its instances stop
type fnPhase int

const (
	fnServing fnPhase = iota
	fnRetiring
	fnClosed
)

func (p fnPhase) String() string {
	switch p {
	case fnServing:
		return "serving"
	case fnRetiring:
		return "retiring"
	case fnClosed:
		return "closed"
	}
	return fmt.Sprintf("fnPhase(%d)", int(p))
}

// admit counts an invocation in flight, while the function serves.
func (f *function) admit() error {
	if f.phase != fnServing {
		return fmt.Errorf("%w (%s)", errRetired, f.phase)
	}
	f.wg.Add(1)
	return nil
}

// retireState stops taking invocations: serving → retiring.
func (f *function) retireState() error {
	if f.phase != fnServing {
		return fmt.Errorf("%w: retire, the function is %s", errNotAllowed, f.phase)
	}
	f.phase = fnRetiring
	close(f.closing)
	return nil
}

// closeState stops the function for good: serving or retiring → closed.
func (f *function) closeState() error {
	switch f.phase {
	case fnServing:
		close(f.closing)
	case fnRetiring:
	default:
		return fmt.Errorf("%w: close, the function is %s", errNotAllowed, f.phase)
	}
	f.phase = fnClosed
	return nil
}
