package lambdaruntime

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"wsapi/offline/internal/childproc"
)

const (
	// initTimeout is Lambda's limit on the init phase of an on-demand function.
	initTimeout = 10 * time.Second
	// shutdownGrace is how long Close lets a process handle SIGTERM: Lambda's
	// shutdown phase for a function with an internal extension.
	shutdownGrace = 500 * time.Millisecond
	// logWait bounds how long the platform lines wait for a function's output
	// to be drained, in case a stray grandchild keeps the pipe open.
	logWait = time.Second
	// maxLogLine is CloudWatch's limit on one log event; longer lines are split.
	maxLogLine = 256 * 1024
)

// syncMarker is written into a process's output pipe by the runtime itself.
// Everything the function printed before it answered is ahead of it in the
// pipe, so once the reader reaches the marker, END and REPORT can be written
// after the function's last line, as in Lambda.
var syncMarker = []byte("\x00\x00lambdaruntime:sync\x00\x00\n")

// instance is one execution environment: a bootstrap process and the Runtime
// API listener that only it talks to. It serves one invocation at a time.
type instance struct {
	log     *lineWriter
	pid     int
	started time.Time
	srv     *http.Server
	logW    *os.File // the runtime's copy of the write end of the output pipe

	events   chan *invocation // taken by the process's pending GET /next
	initOver chan struct{}    // closed when init leaves initializing
	exited   chan struct{}    // closed once the process has been reaped (exited)
	logDone  chan struct{}    // closed once its output is drained to EOF
	synced   chan struct{}    // signalled when the reader reaches syncMarker

	mu         sync.Mutex
	phase      instPhase      // states.go
	readyAt    time.Time      // when init ended well: the first GET /next
	initErr    *FunctionError // what the process posted, in instInitFailed
	current    *invocation    // in instInvoked
	exitStatus string
	maxMemMB   int
	statusFile *os.File // /proc/<pid>/status, opened at the first sample
}

func newInstance(log *lineWriter) *instance {
	return &instance{
		log:      log,
		events:   make(chan *invocation),
		initOver: make(chan struct{}),
		exited:   make(chan struct{}),
		logDone:  make(chan struct{}),
		synced:   make(chan struct{}, 1),
	}
}

// startInstance launches fn's executable with its own Runtime API listener.
//
// Each process gets its own port rather than sharing one listener: the
// runtime client only takes host:port from AWS_LAMBDA_RUNTIME_API and appends
// fixed paths, so the port is the only thing that tells the server which
// process is calling. With it, "which invocation does this process hold" and
// "this process died, fail its invocation" need no guessing.
func startInstance(opts Options, fn *Function, log *lineWriter) (_ *instance, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the runtime API: %w", err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("create output pipe: %w", err)
	}
	inst := newInstance(log)
	inst.srv = &http.Server{Handler: inst.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = inst.srv.Serve(ln) }()

	cmd := exec.Command(fn.Executable)
	cmd.Dir = filepath.Dir(fn.Executable)
	cmd.Env = processEnv(opts, fn, ln.Addr().String(), logStreamName(time.Now()))
	cmd.Stdout, cmd.Stderr = pw, pw // one pipe keeps stdout and stderr in the order they were written
	inst.started = time.Now()
	if err := childproc.Start(cmd); err != nil {
		_ = pr.Close()
		_ = pw.Close()
		_ = inst.srv.Close()
		return nil, fmt.Errorf("start %s: %w", fn.Executable, err)
	}
	inst.pid = cmd.Process.Pid
	inst.logW = pw
	go inst.copyLog(pr)
	go inst.wait(cmd)
	return inst, nil
}

func (i *instance) wait(cmd *exec.Cmd) {
	_ = cmd.Wait() // the status is in ProcessState; the error only repeats it
	// Whatever the process started in its group goes with it, as it would
	// when Lambda tears an environment down.
	_ = syscall.Kill(-i.pid, syscall.SIGKILL)
	i.mu.Lock()
	if i.statusFile != nil {
		_ = i.statusFile.Close()
		i.statusFile = nil
	}
	_ = i.exit(cmd.ProcessState.String()) // under mu: sampleMemory must not open the status of a reaped pid; reaped once
	i.mu.Unlock()
	_ = i.logW.Close()
	_ = i.srv.Close()
}

// copyLog forwards the process's output to the function's log line by line.
func (i *instance) copyLog(r *os.File) {
	defer close(i.logDone)
	defer r.Close()
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if n := bytes.Index(line, syncMarker); n >= 0 {
			if n > 0 { // a partial line was waiting: it is as complete as it gets
				i.log.line(string(line[:n]))
			}
			select {
			case i.synced <- struct{}{}:
			default:
			}
		} else if len(line) > 0 {
			i.log.line(string(bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))))
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// flushLog returns once everything the process printed so far is in the log.
func (i *instance) flushLog() {
	timer := time.NewTimer(logWait)
	defer timer.Stop()
	if i.hasExited() {
		select {
		case <-i.logDone:
		case <-timer.C:
		}
		return
	}
	select {
	case <-i.synced: // a stale signal from a sync that gave up
	default:
	}
	_ = i.logW.SetWriteDeadline(time.Now().Add(logWait))
	if _, err := i.logW.Write(syncMarker); err != nil {
		return
	}
	select {
	case <-i.synced:
	case <-i.logDone:
	case <-timer.C:
	}
}

func (i *instance) hasExited() bool {
	select {
	case <-i.exited:
		return true
	default:
		return false
	}
}

// initDuration is the time from process start to its first GET /next; false
// unless init is done.
func (i *instance) initDuration() (time.Duration, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.readyAt.IsZero() {
		return 0, false
	}
	return i.readyAt.Sub(i.started), true
}

func (i *instance) status() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.exitStatus
}

func (i *instance) postedInitError() *FunctionError {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.initErr
}

// sampleMemory records the process's peak memory while it is still alive,
// so an invocation that ends in a crash can still report one.
func (i *instance) sampleMemory() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	mb := 0
	if i.statusFile == nil && !i.hasExited() { // once reaped, the pid may be someone else's
		i.statusFile, _ = openStatus(i.pid)
	}
	if i.statusFile != nil {
		mb = peakMemoryMB(i.statusFile)
	}
	if mb > i.maxMemMB {
		i.maxMemMB = mb
	}
	return i.maxMemMB
}

// deliver hands inv to the process's pending GET /next; false if the
// process exited first.
func (i *instance) deliver(inv *invocation) bool {
	i.mu.Lock()
	err := i.invoke(inv)
	i.mu.Unlock()
	if err != nil {
		return false // exited: a ready instance is the only other one acquired
	}
	select {
	case i.events <- inv:
		return true
	case <-i.exited:
		return false
	}
}

// kill ends the process group at once, as Lambda does on a timeout, and
// returns once the process is reaped.
func (i *instance) kill() {
	_ = syscall.Kill(-i.pid, syscall.SIGKILL)
	<-i.exited
}

// stop asks the process group to terminate and kills it after the grace
// period, or at once when ctx ends. It returns once the process is reaped
// and what it printed, on its way out too, is in the log: whoever stops
// an instance may close the log next.
func (i *instance) stop(ctx context.Context) {
	defer i.flushLog()
	if i.hasExited() {
		return // its process group may be someone else's by now
	}
	_ = syscall.Kill(-i.pid, syscall.SIGTERM)
	timer := time.NewTimer(shutdownGrace)
	defer timer.Stop()
	select {
	case <-i.exited:
		return
	case <-timer.C:
	case <-ctx.Done():
	}
	i.kill()
}

// invocation is one event on its way through an instance.
type invocation struct {
	id       string
	arn      string
	payload  []byte
	trace    string
	deadline time.Time
	// completed is closed when the runtime asks for the next event: Lambda's
	// end of an invocation, after its response or error.
	completed chan struct{}

	mu       sync.Mutex
	answered bool
	response []byte
	err      *FunctionError
}

func newInvocation(arn string, payload []byte, trace string) *invocation {
	return &invocation{
		id:        newRequestID(),
		arn:       arn,
		payload:   payload,
		trace:     trace,
		completed: make(chan struct{}),
	}
}

// answer records the function's response or error; false if it already had one.
func (inv *invocation) answer(response []byte, err *FunctionError) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.answered {
		return false
	}
	inv.answered, inv.response, inv.err = true, response, err
	return true
}

func (inv *invocation) outcome() (response []byte, err *FunctionError, answered bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.response, inv.err, inv.answered
}
