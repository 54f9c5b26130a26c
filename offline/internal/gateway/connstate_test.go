package gateway

import (
	"errors"
	"testing"
)

// TestConnStateTransitions: from each phase, each transition either moves
// the connection as its life allows or is refused and changes nothing.
func TestConnStateTransitions(t *testing.T) {
	// at puts a connection in phase p; one that is closing or closed was
	// closed with 1001 Going away.
	at := func(p connPhase) *connState {
		s := &connState{}
		if p >= connClosing {
			if err := s.Close(1001, "Going away"); err != nil {
				t.Fatal(err)
			}
		}
		if p == connClosed {
			if _, _, err := s.Release(); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	tests := []struct {
		name       string
		from       connPhase
		act        func(s *connState) error
		wantErr    error
		wantPhase  connPhase
		wantCode   int
		wantReason string
	}{
		{"open: close", connOpen, func(s *connState) error { return s.Close(1009, "Message too big") }, nil, connClosing, 1009, "Message too big"},
		{"open: release", connOpen, func(s *connState) error { _, _, err := s.Release(); return err }, errNotAllowed, connOpen, 0, ""},
		{"open: post", connOpen, (*connState).Post, nil, connOpen, 0, ""},
		{"closing: a second close keeps the first code and reason", connClosing, func(s *connState) error { return s.Close(1006, "Connection closed abnormally") }, errNotAllowed, connClosing, 1001, "Going away"},
		{"closing: release", connClosing, func(s *connState) error { _, _, err := s.Release(); return err }, nil, connClosed, 1001, "Going away"},
		{"closing: post is gone", connClosing, (*connState).Post, errGone, connClosing, 1001, "Going away"},
		{"closed: close", connClosed, func(s *connState) error { return s.Close(1000, "") }, errNotAllowed, connClosed, 1001, "Going away"},
		{"closed: release", connClosed, func(s *connState) error { _, _, err := s.Release(); return err }, errNotAllowed, connClosed, 1001, "Going away"},
		{"closed: post is gone", connClosed, (*connState).Post, errGone, connClosed, 1001, "Going away"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := at(tt.from)
			err := tt.act(s)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			code, reason := s.Ending()
			if s.Phase() != tt.wantPhase || code != tt.wantCode || reason != tt.wantReason {
				t.Errorf("now %s %d %q, want %s %d %q", s.Phase(), code, reason, tt.wantPhase, tt.wantCode, tt.wantReason)
			}
		})
	}
}

// TestReleaseReportsTheFirstClose: what $disconnect reports is the code
// and reason of whoever closed first, whatever closes follow.
func TestReleaseReportsTheFirstClose(t *testing.T) {
	s := &connState{}
	_ = s.Close(1009, "Frame too big: the limit is 32768 bytes")
	_ = s.Close(1006, "Connection closed abnormally")
	_ = s.Close(1000, "bye")
	code, reason, err := s.Release()
	if err != nil || code != 1009 || reason != "Frame too big: the limit is 32768 bytes" {
		t.Errorf("Release = %d %q %v, want the first close's 1009", code, reason, err)
	}
}
