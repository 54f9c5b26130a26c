//go:build unix && !linux

package lambdaruntime

import (
	"os/exec"
	"syscall"
)

// Without Pdeathsig a gateway killed by SIGKILL leaves its functions
// running; Close still stops them.
func startProcess(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd.Start()
}

func maxMemoryMB(int) int { return 0 }
