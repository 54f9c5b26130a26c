//go:build unix && !linux

// Package childproc starts the gateway's child processes (function
// bootstraps, dynalite) each in its own process group, so a kill reaches
// whatever it started.
package childproc

import (
	"os/exec"
	"syscall"
)

// Start starts cmd in its own process group. Without Pdeathsig, a gateway
// killed by SIGKILL leaves it running; a clean shutdown still stops it.
func Start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd.Start()
}
