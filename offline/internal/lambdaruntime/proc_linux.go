package lambdaruntime

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
)

// Pdeathsig is delivered when the *thread* that forked the child exits, not
// the process (golang/go#27505). Go may end a thread whose goroutine locked
// it, so every start goes through one goroutine locked for good to its own
// thread: that thread lives as long as the gateway, and when the gateway
// dies, even by SIGKILL, the kernel kills its functions.
var (
	spawnOnce sync.Once
	spawnReqs chan spawnReq
)

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func startProcess(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnReqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread must outlive every child
			for req := range spawnReqs {
				req.done <- req.cmd.Start()
			}
		}()
	})
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true, // its own group, so a kill reaches whatever it started
		Pdeathsig: syscall.SIGKILL,
	}
	req := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnReqs <- req
	return <-req.done
}

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
	var buf [4096]byte
	n, err := status.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
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
