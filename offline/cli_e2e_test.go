package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The command line's edges: help, quiet, and stopping with make.

func TestHelp(t *testing.T) {
	cmd := exec.Command(filepath.Join(buildDir, "gateway"), "-h")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("offline -h: %v, want exit 0", err)
	}
	if !strings.HasPrefix(stdout.String(), "Usage of offline:") || !strings.Contains(stdout.String(), "-template") {
		t.Errorf("stdout:\n%s\nwant the usage", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s, want nothing", stderr.String())
	}
}

// TestQuiet holds -quiet to what the README says it prints: what is
// served, warnings and errors, the framework's own output, the ready line
// and the stop; no function output, per-message lines or traces.
func TestQuiet(t *testing.T) {
	g := startGateway(t, "-quiet")
	c := g.dial(t, "taro", "")
	send(t, c, `{"action":"hello","userName":"taro"}`)
	g.stop()
	allowed := regexp.MustCompile(`^(serverless +│ .*` +
		`|warning +│ .*|error +│ .*` +
		`|dynamodb +│ (created|kept) .*|dynamodb +│ DynamoDB API \(dynalite\) at .*` +
		`|gateway +│ [^ ].*, stage .*, region .*, routes on .*:|gateway +│   .*` +
		`|gateway +│ ready: .*|gateway +│ stopping: .*|gateway +│ stopped)$`)
	for line := range strings.Lines(g.output()) {
		if line = strings.TrimSuffix(line, "\n"); !allowed.MatchString(line) {
			t.Errorf("-quiet printed %q", line)
		}
	}
	if !strings.Contains(g.output(), "│ ready: ") {
		t.Error("-quiet did not print the ready line")
	}
}

// TestStopsWithMake starts the gateway as `make offline` does, the
// recipe exec'ing it, and sends make SIGINT: make passes no signal on and
// waits for the gateway, which must stop rather than serve on.
func TestStopsWithMake(t *testing.T) {
	dir := t.TempDir()
	makefile := filepath.Join(dir, "Makefile")
	if err := os.WriteFile(makefile, []byte("offline:\n\texec $(GATEWAY) $(ARGS)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(projectDir)
	args := strings.Join([]string{"-port", "0", "-config", filepath.Join(abs, "serverless.yml"), "-package", filepath.Join(dir, "package"),
		"-bin", filepath.Join(buildDir, "bin"), "-logs", filepath.Join(dir, "logs"), "-env", "TOKEN_SECRET=" + testSecret}, " ")
	cmd := exec.Command("make", "-s", "-f", makefile, "offline", "GATEWAY="+filepath.Join(buildDir, "gateway"), "ARGS="+args)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "ready: ") {
				ready <- true
			}
		}
	}()
	gatewayPID := 0
	t.Cleanup(func() {
		if gatewayPID != 0 {
			_ = syscall.Kill(gatewayPID, syscall.SIGKILL)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("not ready after 60 s")
	}
	children := childPIDs(cmd.Process.Pid)
	if len(children) != 1 {
		t.Fatalf("make runs %d processes, want the gateway", len(children))
	}
	gatewayPID = children[0]
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for syscall.Kill(gatewayPID, 0) != syscall.ESRCH && !zombie(gatewayPID) {
		if time.Now().After(deadline) {
			t.Fatalf("the gateway (pid %d) still runs 20 s after make was interrupted", gatewayPID)
		}
		time.Sleep(50 * time.Millisecond)
	}
	gatewayPID = 0
	if err := cmd.Wait(); err == nil {
		t.Error("make exited 0 after SIGINT, want it to report the interrupt")
	}
}

// zombie tells whether a process has ended but is not yet reaped.
func zombie(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}
