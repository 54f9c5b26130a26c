package testkit

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// Gone reports whether the process pid has ended: reaped, or a zombie its
// parent has not reaped yet, which already holds no port and no file.
func Gone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // reaped since the signal
	}
	// "pid (comm) state ...": comm may hold spaces and parentheses, so the
	// state is the first field after the last ')'.
	fields := bytes.Fields(stat[bytes.LastIndexByte(stat, ')')+1:])
	return len(fields) > 0 && string(fields[0]) == "Z"
}
