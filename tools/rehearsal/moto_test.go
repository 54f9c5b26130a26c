package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// motoServer starts moto_server on a free loopback port for the test, and
// returns its endpoint. Without moto_server on PATH the test is skipped,
// or fails under CI=true, where .ci/run installs it.
func motoServer(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("moto_server is not on PATH, and CI=true: .ci/run installs it (pip install 'moto[server]>=5,<6')")
		}
		t.Skip("moto_server is not on PATH (pip install 'moto[server]>=5,<6'): the deploy rehearsal did not run")
	}
	// A port the kernel just gave out, and gave back: another process could
	// take it in between, so a start that does not answer is tried again.
	for attempt := 1; ; attempt++ {
		endpoint, err := startMoto(t, bin)
		if err == nil {
			return endpoint
		}
		if attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("moto_server, try %d: %v", attempt, err)
	}
}

func startMoto(t *testing.T, bin string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// Its own directory (moto writes a scratch file there when it lints a
	// template) and its own process group, ended whole.
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return "", fmt.Errorf("start moto_server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		logFile.Close()
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Cleanup(stop)
			return endpoint, nil
		}
		select {
		case err := <-exited:
			logFile.Close()
			log, _ := os.ReadFile(logFile.Name())
			return "", fmt.Errorf("moto_server ended before it answered (%v):\n%s", err, tail(string(log), 20))
		case <-ctx.Done():
			stop()
			return "", errors.New("moto_server did not answer within 30 s")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
