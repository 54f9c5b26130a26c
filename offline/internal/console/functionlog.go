package console

import (
	"fmt"
	"os"
	"path/filepath"
)

// FunctionLog is where one function's lines go: the console (if any), tagged
// with the function's key, and its own file for `make logs-offline FN=<key>`.
type FunctionLog struct {
	key     string
	console *Console
	file    *os.File
}

// OpenFunctionLog appends to <dir>/<key>.log, and prints on c unless it is nil.
func OpenFunctionLog(dir, key string, c *Console) (*FunctionLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, key+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log file of %s: %w", key, err)
	}
	return &FunctionLog{key: key, console: c, file: f}, nil
}

// Write takes one complete line, as the runtime hands them over.
func (l *FunctionLog) Write(p []byte) (int, error) {
	if l.console != nil {
		l.console.Print(l.key, p)
	}
	if _, err := l.file.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close closes the log file, once the function is removed or the gateway
// stops.
func (l *FunctionLog) Close() error { return l.file.Close() }
