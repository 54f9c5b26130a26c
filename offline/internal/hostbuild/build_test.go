package hostbuild

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"wsapi/offline/testkit"
)

// functions are the two functions of testkit.GoWorkspace.
var functions = []Function{{Key: "fa", Dir: "fa"}, {Key: "fb", Dir: "fb"}}

func TestBuild(t *testing.T) {
	root := testkit.GoWorkspace(t)
	b := &Builder{Root: root, Bin: ".offline/bin"}
	results := b.Build(t.Context(), functions)
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("build %s: %v", r.Function.Key, r.Err)
		}
		if want := filepath.Join(root, ".offline/bin", r.Function.Key, "bootstrap"); r.Executable != want {
			t.Errorf("%s built to %s, want %s", r.Function.Key, r.Executable, want)
		}
	}
	out, err := exec.Command(results[0].Executable).Output()
	if err != nil || strings.TrimSpace(string(out)) != "hello x" {
		t.Errorf("fa's bootstrap printed %q (%v), want hello x", out, err)
	}
	left, _ := filepath.Glob(filepath.Join(root, ".offline/bin/*/bootstrap.*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

func TestRebuildIsANewFile(t *testing.T) {
	root := testkit.GoWorkspace(t)
	b := &Builder{Root: root, Bin: filepath.Join(root, "out")}
	first := b.Build(t.Context(), functions[:1])[0]
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	before := inode(t, first.Executable)
	testkit.WriteFile(t, root, "fa/greeting.txt", "hi")
	second := b.Build(t.Context(), functions[:1])[0]
	if second.Err != nil {
		t.Fatal(second.Err)
	}
	if inode(t, second.Executable) == before {
		t.Error("the rebuild wrote over the old bootstrap: a process running it could see a half-written file")
	}
}

// Built in place, a bootstrap stays the same file, which is what lets the
// go command find one up to date and leave it (it only touches it), and a
// change still builds it anew.
func TestInPlaceBuildsOntoTheBootstrap(t *testing.T) {
	root := testkit.GoWorkspace(t)
	b := &Builder{Root: root, Bin: filepath.Join(root, "out"), InPlace: true}
	first := b.Build(t.Context(), functions[:1])[0]
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	before := inode(t, first.Executable)
	again := b.Build(t.Context(), functions[:1])[0]
	if again.Err != nil {
		t.Fatal(again.Err)
	}
	if inode(t, again.Executable) != before {
		t.Error("an in-place build replaced the bootstrap with a new file")
	}
	left, _ := filepath.Glob(filepath.Join(root, "out/*/bootstrap.*"))
	if len(left) > 0 {
		t.Errorf("temporary files: %q", left)
	}
	testkit.WriteFile(t, root, "fa/greeting.txt", "hi")
	if r := b.Build(t.Context(), functions[:1])[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	out, err := exec.Command(first.Executable).Output()
	if err != nil || strings.TrimSpace(string(out)) != "hi x" {
		t.Errorf("after the change the bootstrap printed %q (%v), want hi x", out, err)
	}
}

func TestBuildErrorNamesFileAndLine(t *testing.T) {
	root := testkit.GoWorkspace(t)
	b := &Builder{Root: root, Bin: ".offline/bin"}
	if r := b.Build(t.Context(), functions[:1])[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	good := inode(t, filepath.Join(root, ".offline/bin/fa/bootstrap"))
	testkit.WriteFile(t, root, "lib/x/x.go", "package x\n\nconst Name = undefinedName\n")
	r := b.Build(t.Context(), functions[:1])[0]
	var be *BuildError
	if !errors.As(r.Err, &be) {
		t.Fatalf("build of broken code: %v, want a *BuildError", r.Err)
	}
	if be.Function != "fa" || !strings.Contains(be.Output, "lib/x/x.go:3:") || strings.Contains(be.Output, "../lib") {
		t.Errorf("BuildError{%s, %q}, want fa and lib/x/x.go:3: named from the root", be.Function, be.Output)
	}
	if r.Executable != "" || inode(t, filepath.Join(root, ".offline/bin/fa/bootstrap")) != good {
		t.Error("a failed build replaced the working bootstrap")
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Sys().(*syscall.Stat_t).Ino
}

// A build of several functions compiles what they share once, naming each
// package as it goes, before any function's own build ends; a second build
// with nothing changed compiles nothing.
func TestBuildReportsProgressThenEachFunction(t *testing.T) {
	root := testkit.GoWorkspace(t)
	// A constant no earlier run compiled, so the cache cannot hold it.
	testkit.WriteFile(t, root, "lib/x/x.go", fmt.Sprintf("package x\n\nconst Name = %q\n", t.TempDir()))

	var mu sync.Mutex
	var events []string
	record := func(e string) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	b := &Builder{Root: root, Bin: "out", InPlace: true,
		Progress: func(p Progress) { record("compiled " + p.Compiled + p.Downloaded) },
		Built:    func(r Result) { record(fmt.Sprintf("built %s %v", r.Function.Key, r.Err)) },
	}
	for _, r := range b.Build(t.Context(), functions) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	firstBuilt := slices.IndexFunc(events, func(e string) bool { return strings.HasPrefix(e, "built") })
	compiled := events[:max(firstBuilt, 0)]
	for _, want := range []string{"compiled example.com/lib/x", "compiled example.com/fa", "compiled example.com/fb"} {
		if !slices.Contains(compiled, want) {
			t.Errorf("before the first function was built: %q, want %q among them", compiled, want)
		}
	}
	slices.Sort(events[firstBuilt:])
	if got := events[firstBuilt:]; !slices.Equal(got, []string{"built fa <nil>", "built fb <nil>"}) {
		t.Errorf("then %q, want each function built once", got)
	}

	events = nil
	b.Build(t.Context(), functions)
	if slices.ContainsFunc(events, func(e string) bool { return strings.HasPrefix(e, "compiled") }) {
		t.Errorf("a build with nothing changed reported %q", events)
	}
}

func TestProgressOf(t *testing.T) {
	tests := []struct {
		line string
		want Progress
		ok   bool
	}{
		{"github.com/aws/aws-sdk-go-v2/service/dynamodb", Progress{Compiled: "github.com/aws/aws-sdk-go-v2/service/dynamodb"}, true},
		{"go: downloading github.com/rs/zerolog v1.34.0", Progress{Downloaded: "github.com/rs/zerolog@v1.34.0"}, true},
		{"# wsapi/hello", Progress{}, false},
		{"hello/handler.go:78:17: undefined: notDeclared", Progress{}, false},
		{"", Progress{}, false},
	}
	for _, tt := range tests {
		if got, ok := progressOf(tt.line); got != tt.want || ok != tt.ok {
			t.Errorf("progressOf(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}
