package eventsource

import (
	"context"
	"sync"
)

// Pollers runs the event source mappings Set on it. It is safe for
// concurrent use.
type Pollers struct {
	ctx      context.Context
	queue    Queue
	invoker  Invoker
	report   func(Result)
	inFlight sync.WaitGroup

	mu      sync.Mutex
	running map[string]*poller
}

// New returns Pollers that read through queue and invoke through invoker;
// report, if set, is told of every batch. Cancelling ctx ends the
// invocations in flight; Close lets them finish.
func New(ctx context.Context, queue Queue, invoker Invoker, report func(Result)) *Pollers {
	if report == nil {
		report = func(Result) {}
	}
	return &Pollers{ctx: ctx, queue: queue, invoker: invoker, report: report, running: map[string]*poller{}}
}

// Set starts polling for m, or restarts its poller with m's settings. The
// batches the old poller has in flight finish as they were.
func (ps *Pollers) Set(m Mapping) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if old, ok := ps.running[m.ID]; ok {
		old.stop()
		<-old.done
	}
	if m.BatchSize <= 0 {
		m.BatchSize = 10
	}
	pollCtx, stop := context.WithCancel(ps.ctx)
	p := &poller{m: m, queue: ps.queue, invoker: ps.invoker, report: ps.report,
		ctx: ps.ctx, stop: stop, inFlight: &ps.inFlight, done: make(chan struct{})}
	ps.running[m.ID] = p
	go p.run(pollCtx)
}

// Remove stops polling for the mapping id; its batches in flight finish.
func (ps *Pollers) Remove(id string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if p, ok := ps.running[id]; ok {
		p.stop()
		<-p.done
		delete(ps.running, id)
	}
}

// Close stops every poller and waits for the batches in flight.
func (ps *Pollers) Close() {
	ps.mu.Lock()
	for id, p := range ps.running {
		p.stop()
		<-p.done
		delete(ps.running, id)
	}
	ps.mu.Unlock()
	ps.inFlight.Wait()
}
