// Package console is what the offline gateway prints: the lines of the
// gateway and of every function on one output, each tagged with where it
// came from, and the banner saying what is served.
package console

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// Console serialises tagged lines onto one output.
type Console struct {
	mu    sync.Mutex
	w     io.Writer
	width int
}

// New prints onto w.
func New(w io.Writer) *Console { return &Console{w: w, width: 12} }

// Printf prints one message, a line at a time, tagged.
func (c *Console) Printf(tag, format string, args ...any) {
	c.Print(tag, fmt.Appendf(nil, format, args...))
}

// Print prints text, a line at a time, tagged.
func (c *Console) Print(tag string, text []byte) {
	text = bytes.TrimRight(text, "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	for line := range bytes.SplitSeq(text, []byte("\n")) {
		fmt.Fprintf(c.w, "%-*s │ %s\n", c.width, tag, line)
	}
}

// Error prints err, tagged error: a failure the gateway serves on after.
func (c *Console) Error(err error) { c.Printf("error", "%v", err) }

// Warn prints each warning, tagged warning.
func (c *Console) Warn(warnings ...string) {
	for _, w := range warnings {
		c.Printf("warning", "%s", w)
	}
}

// Write takes the gateway's own log lines.
func (c *Console) Write(p []byte) (int, error) {
	c.Print("gateway", p)
	return len(p), nil
}

// Tagged is a writer whose every Write is printed with tag.
func (c *Console) Tagged(tag string) io.Writer {
	return writerFunc(func(p []byte) { c.Print(tag, p) })
}

// writerFunc is an io.Writer that never fails.
type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) {
	f(p)
	return len(p), nil
}
