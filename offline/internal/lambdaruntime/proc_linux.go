package lambdaruntime

import (
	"bufio"
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

// maxMemoryMB reads the process's peak resident set (VmHWM), rounded up to
// whole MB as Lambda's "Max Memory Used" is; 0 if it cannot be read.
func maxMemoryMB(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest) // "12345 kB"
		if len(fields) == 0 {
			return 0
		}
		kb, err := strconv.Atoi(string(fields[0]))
		if err != nil {
			return 0
		}
		return (kb + 1023) / 1024
	}
	return 0
}
