//go:build unix && !linux

package lambdaruntime

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// Without Pdeathsig a gateway killed by SIGKILL leaves its functions
// running; Close still stops them.
func startProcess(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd.Start()
}

func openStatus(int) (*os.File, error) { return nil, errors.ErrUnsupported }

func peakMemoryMB(*os.File) int { return 0 }
