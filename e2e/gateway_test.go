package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// The end-to-end tests build the real functions and the real gateway, start
// the gateway as a user would and talk to it over WebSocket.

var (
	buildDir   string // holds gateway and bin/<fn>/bootstrap
	projectDir = ".."
)

func TestMain(m *testing.M) {
	code, err := buildAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code(m))
}

func buildAll() (func(*testing.M) int, error) {
	dir, err := os.MkdirTemp("", "offline-e2e-")
	if err != nil {
		return nil, err
	}
	buildDir = dir
	gateway := filepath.Join(dir, "gateway")
	build := exec.Command("go", "build", "-o", gateway, "./offline")
	build.Dir = projectDir
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./offline: %v\n%s", err, out)
	}
	// The functions' bootstraps, as make offline-build builds them.
	bootstraps := exec.Command(gateway, "-build-only", "-config", filepath.Join(projectDir, "serverless.yml"), "-bin", filepath.Join(dir, "bin"))
	if out, err := bootstraps.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gateway -build-only: %v\n%s", err, out)
	}
	return func(m *testing.M) int {
		defer os.RemoveAll(dir)
		return m.Run()
	}, nil
}

// gatewayProc is a running offline gateway.
type gatewayProc struct {
	cmd  *exec.Cmd
	url  string
	logs string

	mu    sync.Mutex
	out   strings.Builder
	done  chan struct{}
	ready chan string
}

var readyLine = regexp.MustCompile(`ready: (ws://localhost:\d+)`)

func startGateway(t testing.TB, args ...string) *gatewayProc {
	t.Helper()
	return startGatewayIn(t, projectDir, args...)
}

// startGatewayIn starts the gateway on the serverless.yml of dir, as `make
// offline` does there, and waits until it is ready.
func startGatewayIn(t testing.TB, dir string, args ...string) *gatewayProc {
	t.Helper()
	g := launchGateway(t, dir, args...)
	g.awaitReady(t)
	return g
}

// launchGateway starts the gateway on the serverless.yml of dir and returns
// at once.
func launchGateway(t testing.TB, dir string, args ...string) *gatewayProc {
	t.Helper()
	logs := t.TempDir()
	args = append(gatewayArgs(filepath.Join(dir, "serverless.yml"), filepath.Join(t.TempDir(), "package"), logs), args...)
	return runGateway(t, exec.Command(filepath.Join(buildDir, "gateway"), args...), logs)
}

// gatewayArgs are the flags every test's gateway runs with: any port, no
// watch, config packaged into pkg, the bootstraps built for the tests, the
// function logs in logs, and the tests' token secret.
func gatewayArgs(config, pkg, logs string) []string {
	return []string{"-port", "0", "-watch=false", "-config", config, "-package", pkg,
		"-bin", filepath.Join(buildDir, "bin"), "-logs", logs, "-env", "TOKEN_SECRET=" + testSecret}
}

// runGateway starts cmd, a gateway writing its function logs to logs,
// collects its output and stops it when the test ends.
func runGateway(t testing.TB, cmd *exec.Cmd, logs string) *gatewayProc {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	g := &gatewayProc{cmd: cmd, logs: logs, done: make(chan struct{}), ready: make(chan string, 1)}
	go func() {
		defer close(g.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			g.mu.Lock()
			g.out.WriteString(line + "\n")
			g.mu.Unlock()
			if m := readyLine.FindStringSubmatch(line); m != nil {
				g.ready <- m[1]
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		g.stop()
		if t.Failed() {
			t.Logf("gateway output:\n%s", g.output())
		}
	})
	return g
}

// awaitReady waits for the ready line and takes the URL from it.
func (g *gatewayProc) awaitReady(t testing.TB) {
	t.Helper()
	select {
	case g.url = <-g.ready:
	case <-g.done:
		t.Fatalf("gateway exited before it was ready:\n%s", g.output())
	case <-time.After(60 * time.Second):
		t.Fatalf("gateway not ready after 60 s:\n%s", g.output())
	}
}

// stop sends Ctrl-C and waits for the gateway to exit, killing it if it
// does not within 30 s.
func (g *gatewayProc) stop() {
	_ = g.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-g.done:
	case <-time.After(30 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.done
	}
}

// awaitExit waits for the gateway to exit on its own, within the time
// given, and returns its exit code.
func (g *gatewayProc) awaitExit(t testing.TB, within time.Duration) int {
	t.Helper()
	select {
	case <-g.done:
	case <-time.After(within):
		t.Fatalf("gateway still running after %v:\n%s", within, g.output())
	}
	return g.cmd.ProcessState.ExitCode()
}

func (g *gatewayProc) output() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.String()
}

// waitOutput waits until count lines of the gateway's output match re.
func (g *gatewayProc) waitOutput(t testing.TB, re string, count int) []string {
	t.Helper()
	return g.waitOutputWithin(t, re, count, 15*time.Second)
}

// waitOutputWithin is waitOutput for what takes longer, such as a build on
// a busy machine.
func (g *gatewayProc) waitOutputWithin(t testing.TB, re string, count int, within time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	testkit.Eventually(t, within, func() (bool, string) {
		m = rx.FindAllString(g.output(), -1)
		return len(m) >= count, fmt.Sprintf("gateway output has %d lines matching\n  %s\nwant %d", len(m), re, count)
	})
	return m
}

// serverlessPackage runs the project's pinned `serverless package` for the
// local stage into dir, as the gateway runs it: without the plugin's build
// for Lambda, whose zips are there already.
func serverlessPackage(t testing.TB, dir string) {
	t.Helper()
	cmd := exec.Command(filepath.Join("node_modules", ".bin", "serverless"), "package", "--stage", "local", "--package", dir, "--param", "build=off")
	cmd.Dir = projectDir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("serverless package: %v\n%s", err, out)
	}
}
