package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
	"wsapi/workspace"
)

// The command line's edges: help, quiet, and stopping with make.

func TestHelp(t *testing.T) {
	t.Parallel()
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
// served (routes, tables, queues), warnings and errors, the framework's own output, the ready line
// and the stop; no function output, per-message lines or traces.
func TestQuiet(t *testing.T) {
	t.Parallel()
	g := startGateway(t, "-quiet")
	c := g.dial(t, "taro", "")
	send(t, c, `{"action":"hello","userName":"taro"}`)
	g.stop()
	allowed := regexp.MustCompile(`^(serverless +│ .*` +
		`|warning +│ .*|error +│ .*` +
		`|dynamodb +│ (created|kept) .*|dynamodb +│ DynamoDB API \(dynalite\) at .*` +
		`|sqs +│ SQS API at .*|sqs +│ [A-Za-z0-9]+ (→ .*|\(visibility .*)` +
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
	t.Parallel()
	dir := t.TempDir()
	makefile := filepath.Join(dir, "Makefile")
	if err := os.WriteFile(makefile, []byte("offline:\n\texec $(GATEWAY) $(ARGS)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newTempProject(t, projectDir)
	w.service(t)
	args := strings.Join(gatewayArgs(filepath.Join(w.Dir, "serverless.yml"), filepath.Join(dir, "package"), filepath.Join(dir, "logs")), " ")
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
	testkit.Eventually(t, 20*time.Second, func() (bool, string) {
		return testkit.Gone(gatewayPID), fmt.Sprintf("the gateway (pid %d) still runs after make was interrupted", gatewayPID)
	})
	gatewayPID = 0
	if err := cmd.Wait(); err == nil {
		t.Error("make exited 0 after SIGINT, want it to report the interrupt")
	}
}

// TestNoBootstrap names each function with no bootstrap built for this
// machine, and the command that builds it.
func TestNoBootstrap(t *testing.T) {
	t.Parallel()
	g := startGateway(t, "-bin", t.TempDir())
	for _, fn := range []string{"authorizer", "onconnect", "ondisconnect", "hello", "send"} {
		g.waitOutput(t, `(?m)^warning +│ \w+LambdaFunction: function go-websocket-api-local-`+fn+`: no bootstrap at \S+/`+fn+"/bootstrap: build it with `make offline-build`", 1)
	}
}

// TestDynaliteDeathIsReported kills the local DynamoDB under a running
// gateway: the gateway says so once, with what to do.
func TestDynaliteDeathIsReported(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	var node []int
	for _, pid := range childPIDs(g.cmd.Process.Pid) {
		if cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline")); bytes.Contains(cmdline, []byte("dynalite")) {
			node = append(node, pid)
		}
	}
	if len(node) != 1 {
		t.Fatalf("gateway runs %d dynalite processes, want 1", len(node))
	}
	if err := syscall.Kill(node[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	g.waitOutput(t, `(?m)^error +│ the local DynamoDB stopped: dynalite exited \(signal: killed\)`, 1)
	g.waitOutput(t, `(?m)^error +│ every DynamoDB call of the functions fails from now on: stop the gateway \(Ctrl-C\) and start it again$`, 1)
	if n := strings.Count(g.output(), "the local DynamoDB stopped"); n != 1 {
		t.Errorf("reported %d times, want once", n)
	}
}

// TestServesAGivenTemplate serves a template as it is, with -template and
// -bootstrap, as for one that CDK or SAM made.
func TestServesAGivenTemplate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := newTempProject(t, projectDir)
	w.service(t)
	serverlessPackage(t, w.Dir, dir)
	args := []string{"-template", filepath.Join(dir, "cloudformation-template-update-stack.json"), "-region", "ap-northeast-1"}
	state, err := os.ReadFile(filepath.Join(dir, "serverless-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var packaged struct {
		Service struct {
			Functions map[string]struct {
				Name    string
				Package struct{ Artifact string }
			}
		}
	}
	if err := json.Unmarshal(state, &packaged); err != nil {
		t.Fatal(err)
	}
	for _, fn := range packaged.Service.Functions {
		key, err := workspace.FunctionOf(fn.Package.Artifact)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "-bootstrap", fn.Name+"="+workspace.HostBootstrap(filepath.Join(buildDir, "bin"), key))
	}
	g := startGateway(t, args...)
	c := g.dial(t, "taro", "")
	if got := send(t, c, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
		t.Errorf("hello got %s", got)
	}
	if strings.Contains(g.output(), "serverless") {
		t.Errorf("-template packaged serverless.yml:\n%s", g.output())
	}
}

// TestPortInUse starts the gateway on a port another program holds: it
// says how to pick another port, and builds nothing first.
func TestPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	bin := t.TempDir()
	cmd := exec.Command(filepath.Join(buildDir, "gateway"), "-port", port, "-bin", bin, "-logs", t.TempDir())
	cmd.Dir = projectDir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err == nil {
		t.Fatalf("the gateway ran on a port in use:\n%s", out.String())
	}
	want := `offline: listen: .*address already in use: another program \(a gateway already running\?\) has port ` + port +
		`: pick another with PORT=4000 make offline, or make offline ARGS="--port 0" for any free one`
	if !regexp.MustCompile(want).MatchString(out.String()) {
		t.Errorf("output:\n%s\nwant it to match %s", out.String(), want)
	}
	if entries, err := os.ReadDir(bin); err != nil || len(entries) != 0 {
		t.Errorf("-bin holds %d entries (%v) after a failed start, want nothing built", len(entries), err)
	}
}
