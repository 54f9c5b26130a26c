package dynamolocal

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// Pdeathsig is delivered when the *thread* that forked the child exits, not
// the process (golang/go#27505), and Go may end a thread whose goroutine
// locked it. So every start goes through one goroutine locked for good to
// its own thread, which lives as long as the gateway: when the gateway dies,
// even by SIGKILL, the kernel kills dynalite, and a persisted data directory
// is not left locked by an orphan.
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
