package childproc

import (
	"os/exec"
	"syscall"
	"testing"
)

func TestStartOwnGroup(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := Start(cmd); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	pgid, err := syscall.Getpgid(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if pgid != cmd.Process.Pid {
		t.Errorf("child's process group is %d, want its own (%d), so a kill reaches what it starts", pgid, cmd.Process.Pid)
	}
}

func TestStartFails(t *testing.T) {
	if err := Start(exec.Command("/nonexistent/bootstrap")); err == nil {
		t.Error("want an error for a missing executable")
	}
}
