package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Replace deploys new code or configuration for the function already added
// under fn.Name, as updating a function in Lambda does: invocations from now
// on go to fresh instances of fn, while those in flight finish on the old
// instances, which then stop. Replace returns once fn takes new invocations;
// the old instances stop in the background, killed at once when ctx ends
// (or when the Runtime is closed) rather than waited for. Until they stop,
// the old instances' lines go to the old Log while the new ones' go to
// fn.Log: one writer given to both must be safe for concurrent use.
func (r *Runtime) Replace(ctx context.Context, fn Function) error {
	fn, err := checkFunction(fn)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	old, ok := r.fns[fn.Name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrFunctionNotFound, fn.Name)
	}
	r.fns[fn.Name] = newFunction(r.opts, fn)
	if r.retired == nil {
		r.retired = make(map[*function]struct{})
	}
	r.retired[old] = struct{}{}
	go func() {
		_ = old.retire(ctx) // Only ctx ending cuts it short, and then its processes are killed.
		r.mu.Lock()
		delete(r.retired, old)
		r.mu.Unlock()
	}()
	return nil
}

// invokeReplacement runs an invocation that reached a function after it was
// replaced (errRetired) on the function that replaced it. When the function
// was removed instead, the invocation is refused as one made after the
// removal is; when the Runtime closed, with ErrClosed.
func (r *Runtime) invokeReplacement(ctx context.Context, name string, replaced *function, payload []byte, trace string) (*Result, error) {
	for {
		r.mu.Lock()
		f, ok := r.fns[name]
		closed := r.closed
		r.mu.Unlock()
		if closed || f == replaced {
			return nil, ErrClosed
		}
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
		}
		res, err := f.invoke(ctx, payload, trace)
		if !errors.Is(err, errRetired) {
			return res, err
		}
		replaced = f
	}
}

// retire takes no new invocations, stops the idle instances at once, waits
// for the invocations in flight and then stops the instances they ran on.
// An invocation that had not yet reached an instance gets errRetired,
// which sends it to the replacement.
func (f *function) retire(ctx context.Context) error {
	f.mu.Lock()
	_ = f.retireState() // closed already, by Close: it waits all the same
	// The idle instances stay in f.all until they are gone, so that a
	// Close meanwhile waits for them too.
	idle := f.idle
	f.idle = nil
	f.mu.Unlock()

	var stopping sync.WaitGroup
	for _, inst := range idle {
		stopping.Go(func() { inst.stop(ctx) })
	}
	// No invocation joins f.wg once f is retiring, so the wait ends.
	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	stopping.Wait()
	return f.close(ctx)
}

// Remove deletes the function added under name, as deleting a function in
// Lambda does: it takes no new invocations, and those still waiting for a
// free instance are refused too (both get ErrFunctionNotFound); those in
// flight finish, and then its instances stop.
//
// When Remove returns nil, every invocation that was in flight has been
// answered to its caller: its Invoke holds the function's response or
// error, and returns it even if the caller's context ends now. The END and
// REPORT lines of those invocations and everything the processes printed,
// on SIGTERM too, are in the function's Log, and every process is reaped,
// so the Log can be closed. When ctx ends first, the processes are killed
// at once and Remove returns ctx's error; the invocations they held may
// then be answered, with the crash, after it returns.
func (r *Runtime) Remove(ctx context.Context, name string) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	f, ok := r.fns[name]
	if !ok {
		r.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrFunctionNotFound, name)
	}
	delete(r.fns, name)
	if r.retired == nil {
		r.retired = make(map[*function]struct{})
	}
	// Retired until stopped, so that a Close meanwhile stops it too.
	r.retired[f] = struct{}{}
	r.mu.Unlock()

	err := f.retire(ctx)
	r.mu.Lock()
	delete(r.retired, f)
	r.mu.Unlock()
	return err
}
