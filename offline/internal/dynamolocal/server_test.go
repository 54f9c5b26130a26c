package dynamolocal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"wsapi/offline/testkit"
)

// projectDir is the repository root, where `npm ci` installs dynalite.
func projectDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.work above the package directory")
		}
		dir = parent
	}
}

// startServer starts dynalite for one test and stops it when the test ends.
func startServer(t testing.TB, dataDir string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	s, err := Start(ctx, Options{ProjectDir: projectDir(t), DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dynalite answered after %d ms", time.Since(began).Milliseconds())
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStartAndClose(t *testing.T) {
	var log bytes.Buffer
	began := time.Now()
	s, err := Start(t.Context(), Options{ProjectDir: projectDir(t), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dynalite answered after %d ms", time.Since(began).Milliseconds())
	pid := s.cmd.Process.Pid

	if !strings.HasPrefix(s.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("Endpoint() = %q, want http://127.0.0.1:PORT", s.Endpoint())
	}
	out, err := newClient(s.Endpoint()).ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if len(out.TableNames) != 0 {
		t.Errorf("a fresh in-memory server has tables %v", out.TableNames)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) { // Close reaps it
		t.Errorf("dynalite (pid %d) still runs after Close", pid)
	}
	if want := "Dynalite listening at: " + s.Endpoint(); !strings.Contains(log.String(), want) {
		t.Errorf("Log got %q, want a line %q", log.String(), want)
	}
}

func TestStartWithoutInstall(t *testing.T) {
	tests := []struct {
		name       string
		projectDir string
		path       string // PATH while starting; "" leaves it
		want       string
	}{
		{name: "no node_modules", projectDir: t.TempDir(), want: "run `npm ci` there"},
		{name: "no node", projectDir: projectDir(t), path: t.TempDir(), want: "node is not on PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != "" {
				t.Setenv("PATH", tt.path)
			}
			s, err := Start(t.Context(), Options{ProjectDir: tt.projectDir})
			if err == nil {
				_ = s.Close()
				t.Fatal("Start succeeded")
			}
			if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: %v\nwant ErrNotInstalled saying %q", err, tt.want)
			}
		})
	}
}

func TestCloseReportsAnEarlierExit(t *testing.T) {
	s := startServer(t, "")
	if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	err := s.Close()
	if err == nil || !strings.Contains(err.Error(), "dynalite had exited") {
		t.Errorf("Close after dynalite died: %v, want it to say so", err)
	}
}

func TestDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir)
	s, err := Start(t.Context(), Options{ProjectDir: projectDir(t), DataDir: dir})
	if err == nil {
		_ = s.Close()
		t.Fatal("a second dynalite started on a data directory in use")
	}
	if want := "it could not open " + dir + ": is another gateway using it?"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Start: %v\nwant it to name the data directory as the cause", err)
	}
}

// TestDiesWithItsParent kills, with SIGKILL, a process that started
// dynalite, and expects the kernel to end dynalite too, so that no orphan
// keeps a port or a data directory.
func TestDiesWithItsParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux's")
	}
	parent := exec.Command(os.Args[0], "-test.run=^TestHelperParent$")
	parent.Env = append(os.Environ(), "DYNAMOLOCAL_HELPER=1")
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = parent.Process.Kill(); _ = parent.Wait() })

	var pid int
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "dynalite pid "); ok {
			pid, _ = strconv.Atoi(rest)
			break
		}
	}
	if pid == 0 {
		t.Fatalf("the helper did not start dynalite: %v", sc.Err())
	}
	t.Cleanup(func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()

	// Orphaned, dynalite is reaped by whatever adopts it, which may take
	// its time; as a zombie it already holds no port and no files.
	testkit.Eventually(t, 10*time.Second, func() (bool, string) {
		return testkit.Gone(pid), fmt.Sprintf("dynalite (pid %d) outlived the process that started it", pid)
	})
}

// TestHelperParent is TestDiesWithItsParent's parent process.
func TestHelperParent(t *testing.T) {
	if os.Getenv("DYNAMOLOCAL_HELPER") != "1" {
		t.Skip("run by TestDiesWithItsParent")
	}
	s, err := Start(t.Context(), Options{ProjectDir: projectDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("dynalite pid " + strconv.Itoa(s.cmd.Process.Pid) + "\n")
	<-s.exited // never, until the test kills this process and so dynalite
}

// TestPortTaken gives dynalite a port another program holds, as happens
// when one takes it between freePort and dynalite's listen: the start must
// fail as errPortTaken, for Start to try another port, and not wait on the
// other program.
func TestPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() // accepts nothing: a request to it waits
	node, script, err := locate(projectDir(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(t.Context(), node, script, l.Addr().(*net.TCPAddr).Port, Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("dynalite started on a port in use")
	}
	if !errors.Is(err, errPortTaken) {
		t.Errorf("start: %v, want errPortTaken", err)
	}
}

// TestDataDirRelative expects a relative data directory to be the caller's,
// not one under node_modules.
func TestDataDirRelative(t *testing.T) {
	project := projectDir(t)
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := Start(t.Context(), Options{ProjectDir: project, DataDir: "data/dynamodb"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(filepath.Join(dir, "data", "dynamodb", "CURRENT")); err != nil {
		t.Errorf("no LevelDB database in the caller's data/dynamodb: %v", err)
	}
}

func TestExplainExit(t *testing.T) {
	exit := errors.New("dynalite exited while starting (exit status 1)")
	tests := []struct {
		name, out, dataDir, want string
		port                     bool
	}{
		{"port taken", "Error: listen EADDRINUSE: address already in use 127.0.0.1:8000", "", "", true},
		{"store locked, first call a get", "ModuleError: Database is not open\n  code: 'LEVEL_DATABASE_NOT_OPEN'", "/data", "it could not open /data: is another gateway using it?", false},
		{"store locked, first call a scan", "ModuleError: Iterator is not open: cannot call next() after close()\n  code: 'LEVEL_ITERATOR_NOT_OPEN'", "/data", "it could not open /data: is another gateway using it?", false},
		{"in memory", "code: 'LEVEL_DATABASE_NOT_OPEN'", "", "its last output:\ncode: 'LEVEL_DATABASE_NOT_OPEN'", false},
		{"anything else", "TypeError: boom", "/data", "its last output:\nTypeError: boom", false},
		{"silent", "", "/data", "dynalite exited while starting (exit status 1)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := explainExit(exit, tt.out, tt.dataDir)
			if !errors.Is(err, exit) || !strings.HasSuffix(err.Error(), tt.want) || errors.Is(err, errPortTaken) != tt.port {
				t.Errorf("explainExit = %v, want it to wrap the exit, end %q, port taken %v", err, tt.want, tt.port)
			}
		})
	}
}

// TestOnExitReportsADeath expects dynalite dying under a running gateway to
// be reported once, with why, and a deliberate Close not to be.
func TestOnExitReportsADeath(t *testing.T) {
	for _, kill := range []bool{true, false} {
		t.Run(map[bool]string{true: "killed", false: "closed"}[kill], func(t *testing.T) {
			reports := make(chan error, 2)
			ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
			defer cancel()
			s, err := Start(ctx, Options{ProjectDir: projectDir(t), OnExit: func(err error) { reports <- err }})
			if err != nil {
				t.Fatal(err)
			}
			if kill {
				if err := syscall.Kill(s.cmd.Process.Pid, syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				select {
				case err := <-reports:
					if !strings.Contains(err.Error(), "dynalite exited") || !strings.Contains(err.Error(), "signal: killed") {
						t.Errorf("OnExit got %v, want it to say dynalite exited, killed", err)
					}
				case <-time.After(10 * time.Second):
					t.Fatal("dynalite was killed and OnExit was not called")
				}
			}
			_ = s.Close()
			<-s.exited
			select {
			case err := <-reports:
				t.Errorf("OnExit called again after Close: %v", err)
			default:
			}
		})
	}
}
