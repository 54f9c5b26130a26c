package lambdaruntime

import (
	"context"
	"slices"
	"sync"
)

// A function's instances are shared fairly between its callers. Lambda
// scales a function's concurrency per function, not per caller, and runs
// an invocation beyond it only once one frees (throttled at the reserved
// concurrency); the order in which waiting invocations get the instance
// that frees is the local runtime's choice. Served in arrival order, one
// WebSocket client sending many messages at once would hold every
// instance and stand its backlog in front of every other client's single
// message. So an instance that frees goes to the waiting caller that holds
// the fewest instances, and among those to the one waiting longest: a
// caller with nothing in flight goes first, and callers that all want
// more end up with equal shares. Within one caller, invocations keep their
// order. Invocations that name no caller share one.

type callerKey struct{}

// WithCaller returns a context whose invocations count as caller's when
// a function's instances are shared out: the API Gateway stand-in names
// the connection that sent the message.
func WithCaller(ctx context.Context, caller string) context.Context {
	return context.WithValue(ctx, callerKey{}, caller)
}

// CallerOf is the caller WithCaller named in ctx; "" if none.
func CallerOf(ctx context.Context) string {
	caller, _ := ctx.Value(callerKey{}).(string)
	return caller
}

// share counts a function's invocations in flight, at most max, and hands
// the place an invocation leaves to the next by the rule above.
type share struct {
	max int

	mu      sync.Mutex
	inUse   int
	callers map[string]*callerShare // those holding a place or waiting for one
	clock   uint64                  // orders arrivals and grants
}

// callerShare is one caller's part of a function's invocations in flight.
type callerShare struct {
	held    int
	served  uint64    // the clock when it last got a place; 0 if never
	waiting []*waiter // oldest first
}

type waiter struct {
	arrival uint64
	granted chan struct{} // closed once the place is the waiter's
}

func newShare(max int) *share {
	return &share{max: max, callers: make(map[string]*callerShare)}
}

// acquire takes a place for one of caller's invocations, waiting for one to
// free. It gives up, holding none, when ctx ends or stop closes, and
// returns ctx's error or errRetired.
func (s *share) acquire(ctx context.Context, caller string, stop <-chan struct{}) error {
	s.mu.Lock()
	c := s.callers[caller]
	if c == nil {
		c = &callerShare{}
		s.callers[caller] = c
	}
	s.clock++
	if s.inUse < s.max {
		// No one waits while a place is free: release hands each place
		// it frees to a waiter.
		s.inUse++
		c.held++
		c.served = s.clock
		s.mu.Unlock()
		return nil
	}
	w := &waiter{arrival: s.clock, granted: make(chan struct{})}
	c.waiting = append(c.waiting, w)
	s.mu.Unlock()

	var err error
	select {
	case <-w.granted:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-stop:
		err = errRetired
	}
	s.mu.Lock()
	if isClosed(w.granted) {
		// Granted as it gave up: the place goes on to the next.
		s.mu.Unlock()
		s.release(caller)
		return err
	}
	c.waiting = slices.DeleteFunc(c.waiting, func(x *waiter) bool { return x == w })
	s.forget(caller, c)
	s.mu.Unlock()
	return err
}

// release gives back a place caller held, to the waiter next by the rule.
func (s *share) release(caller string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.callers[caller]
	c.held--
	s.forget(caller, c)
	name, next := s.next()
	if next == nil {
		s.inUse--
		return
	}
	w := next.waiting[0]
	next.waiting = next.waiting[1:]
	next.held++
	s.clock++
	next.served = s.clock
	s.forget(name, next)
	close(w.granted)
}

// next is the waiting caller holding the fewest places; among those, the
// one served least recently, then the one waiting longest. Nil if no one
// waits.
func (s *share) next() (string, *callerShare) {
	var name string
	var best *callerShare
	for n, c := range s.callers {
		if len(c.waiting) == 0 {
			continue
		}
		if best == nil || c.held < best.held ||
			c.held == best.held && (c.served < best.served ||
				c.served == best.served && c.waiting[0].arrival < best.waiting[0].arrival) {
			name, best = n, c
		}
	}
	return name, best
}

// forget drops caller once it neither holds nor waits for a place.
func (s *share) forget(caller string, c *callerShare) {
	if c.held == 0 && len(c.waiting) == 0 {
		delete(s.callers, caller)
	}
}
