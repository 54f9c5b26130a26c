package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"
)

// Defaults for a Function's zero values: Lambda's own defaults, and a
// concurrency cap small enough for a laptop.
const (
	defaultTimeout        = 3 * time.Second
	defaultMemoryMB       = 128
	defaultMaxConcurrency = 10
)

// Function is one deployed function, as serverless.yml declares it.
type Function struct {
	Name       string            // deployed name, e.g. "go-websocket-api-local-hello"
	Executable string            // path to its bootstrap
	Env        map[string]string // its environment; Lambda's reserved keys are refused
	Timeout    time.Duration     // 0 means Lambda's default, 3 s
	MemoryMB   int               // 0 means Lambda's default, 128; reported, not enforced
	// MaxConcurrency caps the function's instances (0 means 10). Invocations
	// beyond it wait for a free instance, or until their context ends.
	MaxConcurrency int
	// Log receives the function's output (stdout and stderr) and Lambda's
	// START/END/REPORT lines: one Write per line, newline included. Writes
	// are serialised, so Log need not be safe for concurrent use. Nil
	// discards them.
	Log io.Writer
}

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	Payload   []byte         // the function's response when it succeeded
	Err       *FunctionError // set when it failed: reported an error, timed out or crashed
	Start     time.Time      // when the event was handed to the process
	Duration  time.Duration
	// InitDuration is set on a cold start: from process start to its first
	// GET /next.
	InitDuration time.Duration
	MaxMemoryMB  int // the process's peak resident memory; 0 if unknown
}

// function is a Function's pool of warm instances.
type function struct {
	cfg   Function
	opts  Options
	arn   string
	log   *lineWriter
	share *share // the invocations in flight, at most MaxConcurrency
	wg    sync.WaitGroup

	mu      sync.Mutex
	phase   fnPhase       // states.go
	closing chan struct{} // closed when the function stops serving
	idle    []*instance   // most recently used last
	all     map[*instance]struct{}
}

func newFunction(opts Options, cfg Function) *function {
	out := cfg.Log
	if out == nil {
		out = io.Discard
	}
	return &function{
		cfg:     cfg,
		opts:    opts,
		arn:     fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", opts.Region, AccountID, cfg.Name),
		log:     &lineWriter{w: out},
		share:   newShare(cfg.MaxConcurrency),
		closing: make(chan struct{}),
		all:     make(map[*instance]struct{}),
	}
}

// invoke runs one event. The invocation goes on when ctx ends, as it does in
// Lambda when the caller hangs up; only the wait for it is abandoned.
func (f *function) invoke(ctx context.Context, payload []byte, trace string) (*Result, error) {
	caller := CallerOf(ctx)
	if err := f.share.acquire(ctx, caller, f.closing); err != nil {
		if errors.Is(err, errRetired) {
			return nil, err
		}
		return nil, fmt.Errorf("waiting for an instance of %s: %w", f.cfg.Name, err)
	}
	f.mu.Lock()
	if err := f.admit(); err != nil {
		f.mu.Unlock()
		f.share.release(caller)
		return nil, err
	}
	f.mu.Unlock()

	inv := newInvocation(f.arn, payload, trace)
	if ctx.Done() == nil {
		// Nothing can abandon the wait: no goroutine to watch for it.
		defer f.wg.Done()
		defer f.share.release(caller)
		return f.run(inv)
	}
	type outcome struct {
		res *Result
		err error
	}
	// Unbuffered, so that the invocation leaves f.wg only once the caller
	// holds its outcome (or has left): a close that waits for f.wg then
	// returns after every caller has its answer, not merely after the
	// answer is made.
	done := make(chan outcome)
	left := make(chan struct{})
	go func() {
		defer f.wg.Done()
		res, err := f.run(inv)
		f.share.release(caller)
		select {
		case done <- outcome{res, err}:
		case <-left:
		}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		close(left)
		return nil, fmt.Errorf("invoke %s: %w", f.cfg.Name, ctx.Err())
	}
}

func (f *function) run(inv *invocation) (*Result, error) {
	for {
		inst, cold, err := f.acquire()
		if errors.Is(err, errRetired) {
			return nil, err
		}
		if err != nil {
			return f.failWithoutInstance(inv, err), nil
		}
		res, delivered := f.runOn(inst, cold, inv)
		f.release(inst)
		if delivered || cold {
			return res, nil
		}
		// A warm instance died while idle: Lambda would have sent the event
		// to a new environment, so this one goes to a new instance too.
	}
}

// acquire returns the most recently used idle instance, or a new one.
func (f *function) acquire() (inst *instance, cold bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.phase != fnServing {
		return nil, false, fmt.Errorf("%w (%s)", errRetired, f.phase)
	}
	for len(f.idle) > 0 {
		inst = f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if !inst.hasExited() {
			return inst, false, nil
		}
		delete(f.all, inst)
	}
	// Started under the lock so that Close, which takes it too, sees every
	// process there is.
	inst, err = startInstance(f.opts, &f.cfg, f.log)
	if err != nil {
		return nil, true, err
	}
	f.all[inst] = struct{}{}
	return inst, true, nil
}

func (f *function) release(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inst.hasExited() {
		delete(f.all, inst)
		return
	}
	if f.phase == fnServing {
		f.idle = append(f.idle, inst)
	}
}

// runOn carries inv through inst; false if inst was warm but had died.
func (f *function) runOn(inst *instance, cold bool, inv *invocation) (*Result, bool) {
	res := &Result{RequestID: inv.id}
	if cold {
		if fe := f.awaitInit(inst, inv); fe != nil {
			res.Err = fe
			res.InitDuration = time.Since(inst.started)
			res.Start = time.Now()
			res.MaxMemoryMB = inst.sampleMemory()
			return res, false
		}
		res.InitDuration, _ = inst.initDuration()
		inst.sampleMemory()
		inst.flushLog() // init output goes ahead of START
	}

	res.Start = time.Now()
	inv.deadline = res.Start.Add(f.cfg.Timeout)
	timer := time.NewTimer(f.cfg.Timeout)
	defer timer.Stop()
	if !inst.deliver(inv) {
		if !cold {
			return nil, false
		}
		// Init finished, then the process died before taking the event.
		f.log.line(startLine(inv.id))
	}

	rep := report{requestID: inv.id, initDuration: res.InitDuration, memorySizeMB: f.cfg.MemoryMB}
	var extra []string // platform lines after REPORT
	ended := inst.await(inv, timer.C)
	end := time.Now()
	response, fnErr, answered := inv.outcome()
	switch ended {
	case invocationCompleted:
		rep.maxMemoryMB = inst.sampleMemory()
		inst.flushLog()
		if !answered {
			fnErr = &FunctionError{Type: errTypeUnknown,
				Message: fmt.Sprintf("RequestId: %s Error: the runtime asked for the next event without answering this one", inv.id)}
		}
	case invocationExited:
		rep.maxMemoryMB = inst.sampleMemory()
		inst.flushLog()
		exit := exitError(inv.id, inst.status())
		f.log.lines(exitLines(exit))
		rep.status, rep.errorType = "error", exit.Type
		if !answered {
			fnErr = exit
		}
	case invocationTimedOut:
		rep.maxMemoryMB = inst.sampleMemory()
		inst.kill()
		inst.flushLog()
		end = res.Start.Add(f.cfg.Timeout)
		rep.status = "timeout"
		extra = append(extra, timeoutLine(time.Now(), inv.id, f.cfg.Timeout))
		if !answered {
			fnErr = timeoutError(inv.id, f.cfg.Timeout)
		}
	}
	res.Duration = end.Sub(res.Start)
	rep.duration = res.Duration
	res.MaxMemoryMB = rep.maxMemoryMB
	f.log.line(endLine(inv.id))
	f.log.line(rep.String())
	f.log.lines(extra)
	if fnErr != nil {
		res.Err = fnErr
	} else {
		res.Payload = response
	}
	return res, true
}

// awaitInit waits for a new instance to ask for its first event. If init
// fails instead, it writes the platform lines of the failed invocation and
// returns its error.
func (f *function) awaitInit(inst *instance, inv *invocation) *FunctionError {
	timer := time.NewTimer(initTimeout)
	defer timer.Stop()
	select {
	case <-inst.initOver:
	case <-inst.exited:
	case <-timer.C:
	}
	if _, ok := inst.initDuration(); ok {
		return nil
	}
	initDur := time.Since(inst.started)
	maxMem := inst.sampleMemory()
	status := "error"
	var fe *FunctionError
	var lines []string
	switch {
	case inst.postedInitError() != nil:
		fe = inst.postedInitError()
		inst.kill()
	case inst.hasExited():
		fe = exitError(inv.id, inst.status())
		lines = exitLines(fe)
	default:
		fe = timeoutError(inv.id, initTimeout)
		status = "timeout"
		inst.kill()
	}
	inst.flushLog()
	errType := fe.Type
	if status == "timeout" {
		errType = ""
	}
	f.log.line(initReportLine(initDur, status, errType))
	f.log.line(startLine(inv.id))
	f.log.lines(lines)
	f.log.line(endLine(inv.id))
	f.log.line(report{requestID: inv.id, initDuration: initDur, memorySizeMB: f.cfg.MemoryMB,
		maxMemoryMB: maxMem, status: "error", errorType: fe.Type}.String())
	return fe
}

// failWithoutInstance answers an invocation whose process could not start,
// as Lambda does when it finds no bootstrap to run.
func (f *function) failWithoutInstance(inv *invocation, err error) *Result {
	fe := &FunctionError{Type: errTypeInvalidEntry, Message: fmt.Sprintf("RequestId: %s Error: %v", inv.id, err)}
	f.log.line(startLine(inv.id))
	f.log.lines(exitLines(fe))
	f.log.line(endLine(inv.id))
	f.log.line(report{requestID: inv.id, memorySizeMB: f.cfg.MemoryMB, status: "error", errorType: fe.Type}.String())
	return &Result{RequestID: inv.id, Err: fe, Start: time.Now()}
}

// close stops every instance and waits for the invocations in flight.
// Instances leave f.all only once they are gone, so that every close,
// Runtime.Close's and a replacement's alike, waits for all of them.
func (f *function) close(ctx context.Context) error {
	f.mu.Lock()
	_ = f.closeState() // closed already by another close: it waits all the same
	insts := slices.Collect(maps.Keys(f.all))
	f.idle = nil
	f.mu.Unlock()

	var stopping sync.WaitGroup
	for _, inst := range insts {
		stopping.Go(func() { inst.stop(ctx) })
	}
	stopping.Wait()
	f.mu.Lock()
	for _, inst := range insts {
		delete(f.all, inst)
	}
	f.mu.Unlock()

	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close %s: %w", f.cfg.Name, ctx.Err())
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// lineWriter serialises the lines of all of a function's instances and of
// the platform, one Write per line.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) line(s string) {
	b := make([]byte, 0, len(s)+1)
	b = append(append(b, s...), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(b)
}

func (l *lineWriter) lines(ss []string) {
	for _, s := range ss {
		l.line(s)
	}
}
