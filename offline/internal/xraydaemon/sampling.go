package xraydaemon

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Lambda's fixed sampling rule for functions with active tracing that are
// invoked without a trace header, as API Gateway WebSocket APIs invoke
// them: the first request each second, and 5% of the others.
const (
	reservoirPerSecond = 1
	fixedRate          = 0.05
)

// Sampler makes Lambda's tracing decision for each invocation. Each
// function has its own reservoir, so a $connect does not use up the
// trace of the message that follows it.
type Sampler struct {
	// All traces every invocation instead, for debugging.
	All bool

	mu    sync.Mutex
	used  map[string]reservoir
	coin  func() float64 // in [0, 1); nil: math/rand
	clock func() time.Time
}

type reservoir struct {
	second int64
	taken  int
}

// Sample reports whether this invocation of function is traced.
func (s *Sampler) Sample(function string) bool {
	if s.All {
		return true
	}
	now := time.Now
	if s.clock != nil {
		now = s.clock
	}
	sec := now().Unix()
	s.mu.Lock()
	if s.used == nil {
		s.used = make(map[string]reservoir)
	}
	r := s.used[function]
	if r.second != sec {
		r = reservoir{second: sec}
	}
	take := r.taken < reservoirPerSecond
	if take {
		r.taken++
		s.used[function] = r
	}
	s.mu.Unlock()
	if take {
		return true
	}
	coin := rand.Float64
	if s.coin != nil {
		coin = s.coin
	}
	return coin() < fixedRate
}
