package console

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPrintTagsEveryLine(t *testing.T) {
	var b strings.Builder
	c := New(&b)
	c.Printf("hello", "first\nsecond\n")
	want := "hello        │ first\nhello        │ second\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestWarnTagsEachWarning(t *testing.T) {
	var b strings.Builder
	c := New(&b)
	c.Warn()
	c.Warn("Table T: no stream", "Queue Q: FIFO is not emulated")
	want := "warning      │ Table T: no stream\nwarning      │ Queue Q: FIFO is not emulated\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestErrorIsOneLineTaggedError(t *testing.T) {
	var b strings.Builder
	New(&b).Error(fmt.Errorf("build fa: %w", errors.New("exit status 1")))
	if want := "error        │ build fa: exit status 1\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
