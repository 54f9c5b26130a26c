//go:build unix && !linux

package dynamolocal

import (
	"os/exec"
	"syscall"
)

// Without Pdeathsig a gateway killed by SIGKILL leaves dynalite running;
// Close still stops it.
func startProcess(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd.Start()
}
