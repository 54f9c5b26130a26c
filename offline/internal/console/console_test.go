package console

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestLinesAreTagged(t *testing.T) {
	tests := []struct {
		name  string
		print func(c *Console)
		want  string
	}{
		{"every line of a print", func(c *Console) { c.Printf("hello", "first\nsecond\n") },
			"hello        │ first\nhello        │ second\n"},
		{"each warning, none for none", func(c *Console) {
			c.Warn()
			c.Warn("Table T: no stream", "Queue Q: FIFO is not emulated")
		}, "warning      │ Table T: no stream\nwarning      │ Queue Q: FIFO is not emulated\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			tt.print(New(&b))
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestErrorIsOneLineTaggedError(t *testing.T) {
	var b strings.Builder
	New(&b).Error(fmt.Errorf("build fa: %w", errors.New("exit status 1")))
	if want := "error        │ build fa: exit status 1\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
