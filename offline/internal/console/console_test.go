package console

import (
	"net"
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

func TestDisplayAddr(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3001}
	for _, tt := range []struct{ host, want string }{
		{"127.0.0.1", "localhost:3001"},
		{"localhost", "localhost:3001"},
		{"0.0.0.0", "0.0.0.0:3001"},
		{"::1", "[::1]:3001"},
	} {
		if got := DisplayAddr(addr, tt.host); got != tt.want {
			t.Errorf("DisplayAddr(%s) = %s, want %s", tt.host, got, tt.want)
		}
	}
}

func TestSampling(t *testing.T) {
	if got := Sampling(false, true); got != "" {
		t.Errorf("traces not printed: %q, want nothing", got)
	}
	if got := Sampling(true, true); !strings.Contains(got, "every invocation") {
		t.Errorf("-trace-all: %q", got)
	}
	if got := Sampling(true, false); !strings.Contains(got, "5% of the rest") {
		t.Errorf("sampled: %q", got)
	}
}
