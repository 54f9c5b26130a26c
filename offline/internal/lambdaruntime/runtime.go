package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Options applies to every function of a Runtime.
type Options struct {
	Region         string // AWS_REGION of every function; "us-east-1" when empty
	XRayDaemonAddr string // host:port of the X-Ray daemon; "127.0.0.1:2000" when empty
}

// Runtime runs functions' bootstrap processes behind the Lambda Runtime API.
// It is safe for concurrent use.
type Runtime struct {
	opts Options

	mu     sync.Mutex
	closed bool
	fns    map[string]*function
	// retired holds replaced functions until their invocations in flight
	// are over, so that Close stops their processes too.
	retired map[*function]struct{}
}

// New returns a Runtime with no functions. Processes start on demand, at the
// first invocation that finds no idle instance.
func New(opts Options) (*Runtime, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.XRayDaemonAddr == "" {
		opts.XRayDaemonAddr = "127.0.0.1:2000"
	}
	if _, _, err := net.SplitHostPort(opts.XRayDaemonAddr); err != nil {
		return nil, fmt.Errorf("lambdaruntime: X-Ray daemon address %q: %w", opts.XRayDaemonAddr, err)
	}
	return &Runtime{opts: opts, fns: make(map[string]*function)}, nil
}

// Add deploys fn. Like Lambda, it refuses an environment that sets reserved
// keys.
func (r *Runtime) Add(fn Function) error {
	fn, err := checkFunction(fn)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if _, ok := r.fns[fn.Name]; ok {
		return fmt.Errorf("lambdaruntime: function %s added twice", fn.Name)
	}
	r.fns[fn.Name] = newFunction(r.opts, fn)
	return nil
}

// checkFunction refuses what Lambda would refuse to deploy and fills in the
// defaults.
func checkFunction(fn Function) (Function, error) {
	if fn.Name == "" {
		return fn, errors.New("lambdaruntime: function has no name")
	}
	if err := checkReservedEnv(fn.Env); err != nil {
		return fn, fmt.Errorf("lambdaruntime: function %s: %w", fn.Name, err)
	}
	exe, err := filepath.Abs(fn.Executable)
	if err != nil {
		return fn, fmt.Errorf("lambdaruntime: function %s: %w", fn.Name, err)
	}
	info, err := os.Stat(exe)
	if err != nil {
		return fn, fmt.Errorf("lambdaruntime: function %s: %w", fn.Name, err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
		return fn, fmt.Errorf("lambdaruntime: function %s: %s is not an executable file", fn.Name, exe)
	}
	fn.Executable = exe
	if fn.Timeout <= 0 {
		fn.Timeout = defaultTimeout
	}
	if fn.MemoryMB <= 0 {
		fn.MemoryMB = defaultMemoryMB
	}
	if fn.MaxConcurrency <= 0 {
		fn.MaxConcurrency = defaultMaxConcurrency
	}
	env := make(map[string]string, len(fn.Env))
	maps.Copy(env, fn.Env)
	fn.Env = env
	return fn, nil
}

// Invoke runs function with payload as its event and returns once the
// invocation is over: the process has asked for its next event, exited, or
// been killed at its timeout. By then its END and REPORT lines are in its
// log. A failure of the function itself is reported in Result.Err; the error
// is for an unknown function, a closed Runtime, or ctx ending first. When ctx
// ends while the function runs, the invocation carries on without a caller.
//
// traceHeader is the X-Ray trace header (Root=...;Parent=...;Sampled=...)
// passed to the function as Lambda-Runtime-Trace-Id.
func (r *Runtime) Invoke(ctx context.Context, function string, payload []byte, traceHeader string) (*Result, error) {
	r.mu.Lock()
	f, ok := r.fns[function]
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, function)
	}
	res, err := f.invoke(ctx, payload, traceHeader)
	if errors.Is(err, errRetired) {
		return r.invokeReplacement(ctx, function, f, payload, traceHeader)
	}
	return res, err
}

// Close stops every process: SIGTERM to its process group, SIGKILL after a
// grace period or as soon as ctx ends. It returns once all are reaped,
// all they printed is in the functions' Logs and the invocations they held
// are answered to their callers (as Remove's are), or with ctx's error if
// ctx ends before the invocations are.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	fns := slices.Collect(maps.Values(r.fns))
	fns = append(fns, slices.Collect(maps.Keys(r.retired))...)
	r.mu.Unlock()

	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for n, f := range fns {
		wg.Go(func() { errs[n] = f.close(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
