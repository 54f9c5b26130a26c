package lambdaruntime

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// openStatus opens the process's /proc status file once, so each REPORT
// costs one pread instead of an open, a read and a close; reads of an open
// status file after the process is reaped fail instead of describing a
// process that reused the pid.
func openStatus(pid int) (*os.File, error) {
	return os.Open(fmt.Sprintf("/proc/%d/status", pid))
}

// peakMemoryMB reads the process's peak resident set (VmHWM) from its open
// status file, rounded up to whole MB as Lambda's "Max Memory Used" is; 0 if
// it cannot be read.
func peakMemoryMB(status *os.File) int {
	// One pread: ReadAt would call again to fill the buffer and find EOF.
	var buf [4096]byte
	n, err := syscall.Pread(int(status.Fd()), buf[:], 0)
	if n <= 0 || err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(buf[:n], []byte("VmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	fields := bytes.Fields(line) // "12345 kB"
	if len(fields) == 0 {
		return 0
	}
	kb, err := strconv.Atoi(string(fields[0]))
	if err != nil {
		return 0
	}
	return (kb + 1023) / 1024
}
