package testkit

import (
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// childEnv makes the test binary a child that runs until its stdin closes.
const childEnv = "TESTKIT_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		_, _ = io.Copy(io.Discard, os.Stdin)
		return
	}
	os.Exit(m.Run())
}

func TestGone(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	pid := cmd.Process.Pid
	if Gone(pid) {
		t.Fatalf("a running child (pid %d) is gone", pid)
	}

	// Ended but not waited for: a zombie, which signal 0 still reaches.
	stdin.Close()
	Eventually(t, 10*time.Second, func() (bool, string) {
		return Gone(pid), "the child whose stdin closed is not gone"
	})
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the child: %v", err)
	}
	if !Gone(pid) {
		t.Errorf("a reaped child (pid %d) is not gone", pid)
	}
}
