package e2e

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// BenchmarkStartup measures the start of the offline gateway: `make
// offline` to its ready line on a warm build cache, as a user waits for it,
// and the package step alone, which it includes.
func BenchmarkStartup(b *testing.B) {
	abs, err := filepath.Abs(projectDir)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("package", func(b *testing.B) {
		dir := b.TempDir()
		cpu := childCPU(b)
		for b.Loop() {
			serverlessPackage(b, projectDir, filepath.Join(dir, "package"))
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/package")
		b.ReportMetric(float64((childCPU(b)-cpu).Milliseconds())/float64(b.N), "cpu-ms/package")
	})
	b.Run("make-offline-to-ready", func(b *testing.B) {
		dir := b.TempDir()
		args := "--port 0 --quiet --package " + filepath.Join(dir, "package") + " --logs " + filepath.Join(dir, "logs")
		makeOffline(b, abs, args) // warms the build cache
		cpu := childCPU(b)
		for b.Loop() {
			makeOffline(b, abs, args)
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/ready")
		// Every process make ran, the gateway's run and stop included: on a
		// busy machine the wall time grows, the CPU does not.
		b.ReportMetric(float64((childCPU(b)-cpu).Milliseconds())/float64(b.N), "cpu-ms/start-and-stop")
	})
}

// makeOffline runs `make offline` in dir until the gateway is ready, then
// interrupts make and waits for the gateway to be gone.
func makeOffline(b *testing.B, dir, args string) {
	cmd := exec.Command("make", "-s", "offline", "ARGS="+args)
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "│ ready: ") {
		out.WriteString(sc.Text() + "\n")
	}
	procs := descendantPIDs(cmd.Process.Pid)
	b.StopTimer()
	defer b.StartTimer()
	if !slices.ContainsFunc(procs, func(pid int) bool { return commandName(pid) == "gateway" }) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("make offline did not get ready:\n%s", out.String())
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	_ = cmd.Wait()
	defer func() {
		for _, pid := range procs {
			if !testkit.Gone(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}()
	for _, pid := range procs {
		testkit.Eventually(b, 20*time.Second, func() (bool, string) {
			return testkit.Gone(pid), commandName(pid) + " outlived make"
		})
	}
}

// childCPU is the CPU time, user and system, of every child process waited
// for so far, and of theirs.
func childCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
