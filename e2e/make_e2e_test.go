package e2e

import (
	"bufio"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// TestMakeOfflineStops starts `make offline` and stops it as docs/offline.md
// says: started as a script's background job, where the shell has make
// ignore SIGINT, kill -TERM of make's pid ends `serverless offline` and the
// gateway it runs too (kill -INT cannot: make keeps an ignored SIGINT ignored
// and passes nothing on; the README says so); started in the foreground,
// kill -INT of make alone (make resets its handler, passes nothing on and
// waits for its recipe) ends them as Ctrl-C does.
func TestMakeOfflineStops(t *testing.T) {
	t.Parallel()
	// -o: the copy's node_modules is the project's, linked; the copy's newer
	// package-lock.json must not have make run npm ci through the link.
	const makeOffline = `make -s -o node_modules/.package-lock.json offline ARGS="--port 0 --no-watch"`
	for _, tt := range []struct {
		name, script string
		stop         syscall.Signal
	}{
		{"a script's background job, kill -TERM", makeOffline + ` & echo "make=$!"; wait`, syscall.SIGTERM},
		{"in the foreground, kill -INT of make alone", `echo "make=$$"; exec ` + makeOffline, syscall.SIGINT},
	} {
		t.Run(tt.name, func(t *testing.T) { makeOfflineStops(t, tt.script, tt.stop) })
	}
}

func makeOfflineStops(t *testing.T, script string, stop syscall.Signal) {
	dir := workspaceCopy(t)
	copyFile(t, filepath.Join(projectDir, "Makefile"), filepath.Join(dir, "Makefile"))
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = goEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})

	lines := make(chan string)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_ = cmd.Wait()
	}()
	var makePID int
	var out strings.Builder
	timeout := time.After(120 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("make offline ended before it was ready:\n%s", out.String())
			}
			out.WriteString(l + "\n")
			if v, ok := strings.CutPrefix(l, "make="); ok {
				makePID, _ = strconv.Atoi(v)
			}
			if strings.Contains(l, "│ ready: ") {
				break wait
			}
		case <-timeout:
			t.Fatalf("make offline not ready after 120 s:\n%s", out.String())
		}
	}
	go func() {
		for range lines { // keep the pipe drained
		}
	}()
	procs := descendantPIDs(makePID)
	gateway := slices.IndexFunc(procs, func(pid int) bool { return commandName(pid) == "gateway" })
	if makePID == 0 || gateway < 0 {
		t.Fatalf("make's pid %d, its processes %v: want make running serverless offline running the gateway\n%s", makePID, procs, out.String())
	}

	if err := syscall.Kill(makePID, stop); err != nil {
		t.Fatal(err)
	}
	for _, pid := range procs {
		testkit.Eventually(t, 20*time.Second, func() (bool, string) {
			return testkit.Gone(pid), fmt.Sprintf("%s (pid %d) still runs after %v of make", commandName(pid), pid, stop)
		})
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the script's make did not end after %v", stop)
	}
}
