package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// console serialises the lines of the gateway and of every function onto
// one output, each tagged with where it came from.
type console struct {
	mu    sync.Mutex
	w     io.Writer
	width int
}

func (c *console) printf(tag, format string, args ...any) {
	c.write(tag, fmt.Appendf(nil, format, args...))
}

func (c *console) write(tag string, text []byte) {
	text = bytes.TrimRight(text, "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	for line := range bytes.SplitSeq(text, []byte("\n")) {
		fmt.Fprintf(c.w, "%-*s │ %s\n", c.width, tag, line)
	}
}

// Write takes the gateway's own log lines.
func (c *console) Write(p []byte) (int, error) {
	c.write("gateway", p)
	return len(p), nil
}

// functionLog is where one function's lines go: the console (if any), tagged
// with the function's key, and its own file for `make logs-offline FN=<key>`.
type functionLog struct {
	key     string
	console *console
	file    *os.File
}

func openFunctionLog(dir, key string, c *console) (*functionLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, key+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log file of %s: %w", key, err)
	}
	return &functionLog{key: key, console: c, file: f}, nil
}

// Write takes one complete line, as the runtime hands them over.
func (l *functionLog) Write(p []byte) (int, error) {
	if l.console != nil {
		l.console.write(l.key, p)
	}
	if _, err := l.file.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close closes the log file, once the function is removed or the gateway
// stops.
func (l *functionLog) Close() error { return l.file.Close() }
