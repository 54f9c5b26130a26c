// Package childproc starts the gateway's child processes (function
// bootstraps, dynalite) so that none outlives the gateway: each in its own
// process group, so a kill reaches whatever it started, and on Linux with
// Pdeathsig, so the kernel kills it when the gateway dies, even by SIGKILL.
package childproc

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// Pdeathsig is delivered when the *thread* that forked the child exits, not
// the process (golang/go#27505), and Go may end a thread whose goroutine
// locked it. So every start goes through one goroutine locked for good to
// its own thread, which lives as long as the gateway.
var (
	spawnOnce sync.Once
	spawnReqs chan spawnReq
)

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// Start starts cmd as a child that dies with the gateway.
func Start(cmd *exec.Cmd) error {
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
		Setpgid:   true,
		Pdeathsig: syscall.SIGKILL,
	}
	req := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnReqs <- req
	return <-req.done
}
