package gateway

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// connPhase is where a connection is in its life.
type connPhase int32

const (
	// connOpen: frames flow both ways and @connections reaches the
	// connection. A connection is open from the moment $connect accepts it.
	connOpen connPhase = iota
	// connClosing: the code and reason it ends with are decided, by the
	// first to close it: the gateway (idle timeout, duration, DELETE,
	// shutdown, a frame it cannot deliver), a rule the client broke, the
	// client's close frame or the socket failing. @connections answers 410
	// while the close handshake goes on.
	connClosing
	// connClosed: the socket is released; $disconnect reports the code and
	// reason decided when it began closing.
	connClosed
)

func (p connPhase) String() string {
	switch p {
	case connOpen:
		return "open"
	case connClosing:
		return "closing"
	case connClosed:
		return "closed"
	}
	return fmt.Sprintf("connPhase(%d)", int32(p))
}

var (
	// errNotAllowed refuses a transition the connection's phase does not
	// allow.
	errNotAllowed = errors.New("transition not allowed")
	// errGone refuses a frame to a connection that is closing or closed.
	errGone = errors.New("the connection is closing")
)

// connState is a connection's life: open, then closing with the code and
// reason the first close gave, then closed. Every transition is one method
// that either moves the state or refuses with errNotAllowed and leaves it
// as it was; the zero value is open.
type connState struct {
	mu     sync.Mutex
	phase  atomic.Int32 // a connPhase; read without mu by the frame guard
	code   int
	reason string
}

// Phase is where the connection is now.
func (s *connState) Phase() connPhase { return connPhase(s.phase.Load()) }

// Close begins closing an open connection with code and reason: open →
// closing. A connection already closing or closed keeps the code and
// reason it has.
func (s *connState) Close(code int, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.Phase(); p != connOpen {
		return fmt.Errorf("%w: close with %d, the connection is %s with %d %q", errNotAllowed, code, p, s.code, s.reason)
	}
	s.code, s.reason = code, reason
	s.phase.Store(int32(connClosing))
	return nil
}

// Release ends a closing connection once its socket is released: closing →
// closed. It returns the code and reason $disconnect reports.
func (s *connState) Release() (int, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.Phase(); p != connClosing {
		return s.code, s.reason, fmt.Errorf("%w: release, the connection is %s", errNotAllowed, p)
	}
	s.phase.Store(int32(connClosed))
	return s.code, s.reason, nil
}

// Post admits a frame for the client: only an open connection takes one;
// any other answers errGone, which @connections turns into 410.
func (s *connState) Post() error {
	if p := s.Phase(); p != connOpen {
		return fmt.Errorf("%w (%s)", errGone, p)
	}
	return nil
}

// Ending is the code and reason the connection closes with, once it is
// closing.
func (s *connState) Ending() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.code, s.reason
}
