package console

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/testkit"
)

func built(key string, d time.Duration, err error) hostbuild.Result {
	return hostbuild.Result{Function: hostbuild.Function{Key: key}, Duration: d, Err: err}
}

func replaced(key string, d time.Duration) hostbuild.Result {
	r := built(key, d, nil)
	r.Replaced = true
	return r
}

// A build that compiles says so before it starts, says where it is when
// nothing was printed for a while, names each function whose bootstrap it
// replaced with its time, not one it left as it was, and ends with the
// total.
func TestBuildLinesWhenCompiling(t *testing.T) {
	var out testkit.Buffer
	b := NewBuild(New(&out), false)
	b.every = 20 * time.Millisecond
	b.Started(3, ".offline/bin")
	b.Progress(hostbuild.Progress{Downloaded: "github.com/rs/zerolog@v1.34.0"})
	b.Progress(hostbuild.Progress{Compiled: "github.com/aws/aws-sdk-go-v2/service/dynamodb"})
	status := regexp.MustCompile(`build +│ [0-9.]+m?s: 1 packages compiled, 1 modules downloaded \(last: github.com/aws/aws-sdk-go-v2/service/dynamodb\)`)
	deadline := time.Now().Add(5 * time.Second)
	for !status.MatchString(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no status line while the build was silent:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Built(replaced("fa", 72*time.Second+300*time.Millisecond))
	b.Built(replaced("fb", 1234*time.Millisecond))
	b.Built(built("fc", 1234*time.Millisecond, nil))
	b.Finished(nil)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "build        │ building 3 functions for this machine into .offline/bin, to run them here: a first build") {
		t.Errorf("first line %q, want what is built and why", lines[0])
	}
	var ends []string
	for _, l := range lines[1:] {
		if !status.MatchString(l) {
			ends = append(ends, l)
		}
	}
	want := []string{
		"build        │ fa built in 1m12s",
		"build        │ fb built in 1.2s",
	}
	if len(ends) != 3 || ends[0] != want[0] || ends[1] != want[1] || !regexp.MustCompile(`^build +│ 3 functions built in [0-9.]+m?s \(1 packages compiled\)$`).MatchString(ends[2]) {
		t.Errorf("after the status lines:\n%s\nwant\n%s\nand the total", strings.Join(ends, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuildLinesWithNothingToCompile(t *testing.T) {
	var out testkit.Buffer
	b := NewBuild(New(&out), false)
	b.Started(2, "bin")
	b.Built(built("fa", time.Second, nil))
	b.Built(built("fb", 0, errors.New("build fb: exit status 1\nfb/main.go:3:1: syntax error")))
	b.Finished(nil)
	got := strings.Split(strings.TrimSpace(out.String()), "\n")[1:]
	want := []string{
		"error        │ build fb: exit status 1",
		"error        │ fb/main.go:3:1: syntax error",
	}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], "build        │ 1 of 2 functions built in ") ||
		!strings.HasSuffix(got[2], "; 1 did not (above)") {
		t.Errorf("got\n%s\nwant no line for an up-to-date function, the error, then the total", strings.Join(got, "\n"))
	}

	out = testkit.Buffer{}
	b = NewBuild(New(&out), false)
	b.Started(2, "bin")
	b.Built(built("fa", time.Second, nil))
	created := built("fb", 300*time.Millisecond, nil)
	created.Created = true
	b.Built(created)
	b.Finished(nil)
	got = strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(got) != 3 || got[1] != "build        │ fb built in 0.3s" || !strings.HasPrefix(got[2], "build        │ 2 functions up to date (") {
		t.Errorf("got %q, want the start, the bootstrap that is new and up to date", got)
	}
}

func TestQuietBuildPrintsErrorsOnly(t *testing.T) {
	var out testkit.Buffer
	b := NewBuild(New(&out), true)
	b.Started(1, "bin")
	b.Progress(hostbuild.Progress{Compiled: "example.com/fa"})
	b.Built(built("fa", 0, errors.New("build fa: exit status 1")))
	b.Finished(nil)
	if got, want := out.String(), "error        │ build fa: exit status 1\n"; got != want {
		t.Errorf("quiet build printed %q, want %q", got, want)
	}
}
