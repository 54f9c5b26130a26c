package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// The end-to-end tests build the real functions and the real gateway, start
// the gateway as a user would and talk to it over WebSocket.

var (
	buildDir   string // holds gateway and bin/<fn>/bootstrap, kept between runs
	runDir     string // this run's own files, removed at its end
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
	// The build is kept in the project's build output between runs, where
	// the go command leaves what is up to date as it is: a run links only
	// what changed since the last.
	dir, err := filepath.Abs(filepath.Join(projectDir, ".offline", "e2e"))
	if err != nil {
		return nil, err
	}
	buildDir = dir
	run, err := os.MkdirTemp("", "offline-e2e-")
	if err != nil {
		return nil, err
	}
	runDir = run
	// The gateway as `serverless offline` builds it.
	gateway := filepath.Join(dir, "gateway")
	build := exec.Command("go", "build", "-o", gateway, "./offline")
	build.Dir = projectDir
	build.Env = goEnv()
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./offline: %v\n%s", err, out)
	}
	// The functions' bootstraps, as make offline-build builds them.
	bootstraps := exec.Command(gateway, "-build-only", "-config", filepath.Join(projectDir, "serverless.yml"), "-bin", filepath.Join(dir, "bin"))
	bootstraps.Env = goEnv()
	if out, err := bootstraps.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gateway -build-only: %v\n%s", err, out)
	}
	return func(m *testing.M) int {
		defer os.RemoveAll(run)
		defer func() {
			if shared.g != nil {
				shared.g.stop()
			}
		}()
		return m.Run()
	}, nil
}

// goEnv is the environment of every go command the tests run, and of every
// gateway that builds: -trimpath keys the build cache on the sources alone,
// not on their directory, and -buildvcs=false leaves out the project's git
// state, which a workspace copy does not have. A build in a copy then finds
// the one TestMain made up to date, as a second build in the project would,
// rather than compiling the whole workspace again.
func goEnv() []string {
	return append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath -buildvcs=false"))
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

// startGateway starts the gateway on the project's serverless.yml, in a
// directory of the test's own (tempProject.service), as `make offline` does
// in the project, and waits until it is ready.
func startGateway(t testing.TB, args ...string) *gatewayProc {
	t.Helper()
	w := newTempProject(t, projectDir)
	w.service(t)
	return startGatewayIn(t, w.Dir, args...)
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
	g, err := startProcess(cmd, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		g.stop()
		if t.Failed() {
			t.Logf("gateway output:\n%s", g.output())
		}
	})
	return g
}

// startProcess starts cmd, a gateway writing its function logs to logs,
// and collects its output.
func startProcess(cmd *exec.Cmd, logs string) (*gatewayProc, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
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
	return g, nil
}

// awaitReady waits for the ready line and takes the URL from it.
func (g *gatewayProc) awaitReady(t testing.TB) {
	t.Helper()
	if err := g.waitReady(); err != nil {
		t.Fatal(err)
	}
}

func (g *gatewayProc) waitReady() error {
	select {
	case g.url = <-g.ready:
		return nil
	case <-g.done:
		return fmt.Errorf("gateway exited before it was ready:\n%s", g.output())
	case <-time.After(60 * time.Second):
		return fmt.Errorf("gateway not ready after 60 s:\n%s", g.output())
	}
}

// shared is the gateway of the tests that only dial it and talk: started on
// the first one's demand, stopped by TestMain. Each of those tests connects
// as users of its own, whom no other test sends to, and uses rooms of its
// own, so that none sees another's connections, rows or messages. A test
// that sends to a user, or reads the registry, takes its names from
// uniqueName.
var shared struct {
	once sync.Once
	g    *gatewayProc
	err  error
}

var names atomic.Int64

// uniqueName is name made one that no other test of the run uses, nor the
// same test run again with -count: a user or room of the test's own on the
// shared gateway.
func uniqueName(name string) string {
	return fmt.Sprintf("%s-%d", name, names.Add(1))
}

// sharedGateway returns the shared gateway, starting it on first use with
// the flags every test's gateway has.
func sharedGateway(t testing.TB) *gatewayProc {
	t.Helper()
	shared.once.Do(func() {
		dir := filepath.Join(runDir, "shared")
		if shared.err = os.Mkdir(dir, 0o755); shared.err != nil {
			return
		}
		w := newProjectIn(t, dir, projectDir)
		w.service(t)
		logs := filepath.Join(dir, ".offline", "logs")
		cmd := exec.Command(filepath.Join(buildDir, "gateway"),
			gatewayArgs(filepath.Join(dir, "serverless.yml"), filepath.Join(dir, ".offline", "package"), logs)...)
		if shared.g, shared.err = startProcess(cmd, logs); shared.err == nil {
			shared.err = shared.g.waitReady()
		}
	})
	if shared.g == nil || shared.err != nil {
		t.Fatalf("the shared gateway did not start: %v", shared.err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("shared gateway output:\n%s", shared.g.output())
		}
	})
	return shared.g
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

var authorizerLog = regexp.MustCompile(`(?m)^authorizer +│ (\{.*\})$`)

// connectionsOf waits until the authorizer has let each of users in, and
// returns the connection it let each in on: the gateway's own lines name a
// connection by its id alone. Each of users connects once.
func (g *gatewayProc) connectionsOf(t testing.TB, users ...string) map[string]string {
	t.Helper()
	ids := make(map[string]string, len(users))
	testkit.Eventually(t, 15*time.Second, func() (bool, string) {
		for _, m := range authorizerLog.FindAllStringSubmatch(g.output(), -1) {
			var line struct{ UserName, ConnectionID, Decision string }
			if json.Unmarshal([]byte(m[1]), &line) == nil && line.Decision == "allow" && slices.Contains(users, line.UserName) {
				ids[line.UserName] = line.ConnectionID
			}
		}
		return len(ids) == len(users), fmt.Sprintf("the authorizer let in %d of %d users: %v", len(ids), len(users), ids)
	})
	return ids
}

// serverlessPackage runs the project's pinned `serverless package` for the
// local stage of the service in service into dir, as the gateway runs it:
// without the plugin's build for Lambda, whose zips are there already.
func serverlessPackage(t testing.TB, service, dir string) {
	t.Helper()
	cmd := exec.Command(filepath.Join("node_modules", ".bin", "serverless"), "package", "--stage", "local", "--package", dir, "--param", "build=off")
	cmd.Dir = service
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("serverless package: %v\n%s", err, out)
	}
}
