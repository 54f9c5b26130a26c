package hostbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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
		if want := filepath.Join(root, ".offline/bin", r.Function.Key, "bootstrap"); r.Executable != want || !r.Created || r.Replaced {
			t.Errorf("%s built to %s, created %v, replaced %v; want %s, created", r.Function.Key, r.Executable, r.Created, r.Replaced, want)
		}
	}
	if got := run(t, results[0].Executable); got != "hello x" {
		t.Errorf("fa's bootstrap printed %q, want hello x", got)
	}
	noTemporaryFiles(t, filepath.Join(root, ".offline/bin"))
}

// builtWorkspace is testkit.GoWorkspace with both its functions built into
// its .offline/bin by the builder it returns.
func builtWorkspace(t *testing.T) (root, bin string, b *Builder) {
	t.Helper()
	root = testkit.GoWorkspace(t)
	bin = filepath.Join(root, ".offline/bin")
	b = &Builder{Root: root, Bin: bin}
	for _, r := range b.Build(t.Context(), functions) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	return root, bin, b
}

// A build finds what changed with one go command, and replaces the
// bootstraps of the functions whose executable changed, and only those:
// an unchanged bootstrap keeps its file and time, so that whatever runs
// or watches it sees nothing happen.
func TestBuildReplacesOnlyWhatChanged(t *testing.T) {
	tests := []struct {
		name              string
		change            func(t *testing.T, root, bin string)
		created, replaced []string
	}{
		{"nothing changed", func(*testing.T, string, string) {}, nil, nil},
		{"fa's embedded file changed", func(t *testing.T, root, _ string) {
			testkit.WriteFile(t, root, "fa/greeting.txt", "hi")
		}, nil, []string{"fa"}},
		{"fb's source changed", func(t *testing.T, root, _ string) {
			testkit.WriteFile(t, root, "fb/main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"fb2\") }\n")
		}, nil, []string{"fb"}},
		{"a comment in a package fa imports changed", func(t *testing.T, root, _ string) {
			testkit.WriteFile(t, root, "lib/x/x.go", "package x\n\nconst Name = \"x\" // a comment\n")
		}, nil, nil},
		{"fb's bootstrap removed", func(t *testing.T, _, bin string) {
			if err := os.Remove(filepath.Join(bin, "fb/bootstrap")); err != nil {
				t.Fatal(err)
			}
		}, []string{"fb"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, bin, b := builtWorkspace(t)
			before := map[string]fileID{"fa": idOf(t, filepath.Join(bin, "fa/bootstrap")), "fb": idOf(t, filepath.Join(bin, "fb/bootstrap"))}
			tt.change(t, root, bin)

			commands := countGoCommands(t)
			results := b.Build(t.Context(), functions)
			if got := commands(); len(got) != 1 {
				t.Errorf("go commands run: %q, want one", got)
			}
			var created, replaced []string
			for _, r := range results {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				key := r.Function.Key
				if r.Created {
					created = append(created, key)
				}
				if r.Replaced {
					replaced = append(replaced, key)
				}
				wrote := slices.Contains(tt.created, key) || slices.Contains(tt.replaced, key)
				if now := idOf(t, r.Executable); wrote == (now == before[key]) {
					t.Errorf("%s's bootstrap was %+v, is %+v: want it written %v", key, before[key], now, wrote)
				}
			}
			if !slices.Equal(created, tt.created) || !slices.Equal(replaced, tt.replaced) {
				t.Errorf("created %q, replaced %q; want %q, %q", created, replaced, tt.created, tt.replaced)
			}
			if got := run(t, filepath.Join(bin, "fa/bootstrap")); !strings.HasSuffix(got, " x") {
				t.Errorf("fa's bootstrap printed %q", got)
			}
			noTemporaryFiles(t, bin)
		})
	}
}

// Code that does not compile fails the functions built from it, each with
// the compiler's file:line named from the root, and keeps their last
// bootstraps; the other functions are built and installed all the same.
func TestBuildErrorIsEachFunctionsOwn(t *testing.T) {
	tests := []struct {
		name         string
		change       map[string]string
		failed, line string
		other        string // the other function and what its new bootstrap prints
		prints       string
	}{
		{
			name: "a package fa imports",
			change: map[string]string{
				"lib/x/x.go": "package x\n\nconst Name = undefinedName\n",
				"fb/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"fb2\") }\n",
			},
			failed: "fa", line: "lib/x/x.go:3:14: undefined: undefinedName", other: "fb", prints: "fb2",
		},
		{
			name: "fb's main package",
			change: map[string]string{
				"fb/main.go":      "package main\n\nfunc main() { undefinedName() }\n",
				"fa/greeting.txt": "hi",
			},
			failed: "fb", line: "fb/main.go:3:15: undefined: undefinedName", other: "fa", prints: "hi x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, bin, b := builtWorkspace(t)
			good := idOf(t, filepath.Join(bin, tt.failed, "bootstrap"))
			testkit.WriteFiles(t, root, tt.change)

			for _, r := range b.Build(t.Context(), functions) {
				switch r.Function.Key {
				case tt.failed:
					var be *BuildError
					if !errors.As(r.Err, &be) {
						t.Fatalf("%s: %v, want a *BuildError", tt.failed, r.Err)
					}
					if be.Function != tt.failed || !strings.Contains(be.Output, tt.line) || strings.Contains(be.Output, "../") {
						t.Errorf("BuildError{%s, %q}, want %s and %s", be.Function, be.Output, tt.failed, tt.line)
					}
					if r.Executable != "" || idOf(t, filepath.Join(bin, tt.failed, "bootstrap")) != good {
						t.Error("a failed build replaced the working bootstrap")
					}
				case tt.other:
					if r.Err != nil || !r.Replaced {
						t.Fatalf("%s: %v, replaced %v; want it built and replaced", tt.other, r.Err, r.Replaced)
					}
					if got := run(t, r.Executable); got != tt.prints {
						t.Errorf("%s's bootstrap printed %q, want %q", tt.other, got, tt.prints)
					}
				}
			}
			noTemporaryFiles(t, bin)
		})
	}
}

// A reload of one function that does not compile costs one go command,
// whose errors are the function's own.
func TestBuildErrorOfOneFunctionIsOneGoCommand(t *testing.T) {
	root := testkit.GoWorkspace(t)
	testkit.WriteFile(t, root, "lib/x/x.go", "package x\n\nconst Name = undefinedName\n")
	commands := countGoCommands(t)
	r := (&Builder{Root: root, Bin: "out"}).Build(t.Context(), functions[:1])[0]
	var be *BuildError
	if !errors.As(r.Err, &be) || be.Function != "fa" || !strings.Contains(be.Output, "lib/x/x.go:3:14: undefined: undefinedName") {
		t.Errorf("fa with lib/x broken: %v, want a BuildError naming lib/x/x.go:3:14", r.Err)
	}
	if got := commands(); len(got) != 1 {
		t.Errorf("go commands run: %q, want one", got)
	}
}

// The go command names an executable after its module path, so a function
// whose module path does not end in its name has no executable to install.
func TestBuildNamesTheModulePathRule(t *testing.T) {
	root, bin, b := builtWorkspace(t)
	before, err := os.ReadFile(filepath.Join(bin, "fb", "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	// fb's module renamed, and its code changed: the go command would link
	// it as .link/other, beside the fb an earlier build left there.
	testkit.WriteFile(t, root, "fb/go.mod", "module example.com/other\n\ngo 1.26\n")
	testkit.WriteFile(t, root, "fb/main.go", "package main\n\nfunc main() { println(\"changed\") }\n")
	results := b.Build(t.Context(), functions)
	if results[0].Err != nil {
		t.Errorf("fa: %v", results[0].Err)
	}
	if err := results[1].Err; err == nil || !strings.Contains(err.Error(), "its module path example.com/other must end in /fb") {
		t.Errorf("fb with module example.com/other: %v, want the rule named", err)
	}
	if after, _ := os.ReadFile(filepath.Join(bin, "fb", "bootstrap")); !bytes.Equal(before, after) {
		t.Error("fb's bootstrap was replaced by what an earlier build left")
	}
}

// A process running a bootstrap keeps its executable while a build
// replaces the bootstrap: the new one is a new file.
func TestRunningProcessKeepsItsExecutable(t *testing.T) {
	root := testkit.GoWorkspace(t)
	// fa prints once it reads a line, so that it runs until told.
	testkit.WriteFile(t, root, "fa/main.go", "package main\n\nimport (\n\t\"bufio\"\n\t_ \"embed\"\n\t\"fmt\"\n\t\"os\"\n\n\t\"example.com/lib/x\"\n)\n\n"+
		"//go:embed greeting.txt\nvar greeting string\n\nfunc main() {\n\t_, _ = bufio.NewReader(os.Stdin).ReadString('\\n')\n\tfmt.Println(greeting, x.Name)\n}\n")
	b := &Builder{Root: root, Bin: "out"}
	first := b.Build(t.Context(), functions[:1])[0]
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	cmd := exec.Command(first.Executable)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	testkit.WriteFile(t, root, "fa/greeting.txt", "hi")
	second := b.Build(t.Context(), functions[:1])[0]
	if second.Err != nil || !second.Replaced {
		t.Fatalf("rebuild while fa runs: %v, replaced %v", second.Err, second.Replaced)
	}
	if _, err := io.WriteString(stdin, "\n"); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || strings.TrimSpace(out.String()) != "hello x" {
		t.Errorf("the running fa printed %q (%v), want its own code's hello x", out.String(), err)
	}
	if got := runWithInput(t, second.Executable, "\n"); got != "hi x" {
		t.Errorf("the new bootstrap printed %q, want hi x", got)
	}
}

// A build stopped (Ctrl-C) installs nothing and reports no function.
func TestBuildStoppedInstallsNothing(t *testing.T) {
	root := testkit.GoWorkspace(t)
	// A constant no earlier run compiled, so that the go command has work
	// left when the first package is compiled.
	testkit.WriteFile(t, root, "lib/x/x.go", fmt.Sprintf("package x\n\nconst Name = %q\n", t.TempDir()))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var built []string
	b := &Builder{Root: root, Bin: "out",
		Progress: func(Progress) { cancel() },
		Built:    func(r Result) { built = append(built, r.Function.Key) },
	}
	for _, r := range b.Build(ctx, functions) {
		if !errors.Is(r.Err, context.Canceled) || r.Executable != "" {
			t.Errorf("%s: %v, executable %q; want context.Canceled and none", r.Function.Key, r.Err, r.Executable)
		}
	}
	if built != nil {
		t.Errorf("Built told of %q after the build was stopped", built)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "out/*/bootstrap*")); len(left) > 0 {
		t.Errorf("a stopped first build left %q", left)
	}
}

// A build compiles what the functions share once, naming each package as
// it goes, before any function is built; a second build with nothing
// changed compiles nothing.
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
	b := &Builder{Root: root, Bin: "out",
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

// fileID tells one file from another, and a file from itself written
// again.
type fileID struct {
	inode uint64
	mtime time.Time
}

func idOf(t *testing.T, path string) fileID {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileID{info.Sys().(*syscall.Stat_t).Ino, info.ModTime()}
}

// countGoCommands puts a go first on PATH that logs its arguments and runs
// the real one, and returns what it logged since.
func countGoCommands(t *testing.T) func() []string {
	t.Helper()
	real, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	testkit.WriteFile(t, dir, "go", fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\nexec %q \"$@\"\n", log, real))
	if err := os.Chmod(filepath.Join(dir, "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
	return func() []string {
		data, err := os.ReadFile(log)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if len(data) == 0 {
			return nil
		}
		return strings.Split(strings.TrimSpace(string(data)), "\n")
	}
}

func run(t *testing.T, exe string) string { return runWithInput(t, exe, "") }

func runWithInput(t *testing.T, exe, input string) string {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", exe, err)
	}
	return strings.TrimSpace(string(out))
}

func noTemporaryFiles(t *testing.T, bin string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(bin, "*/bootstrap.*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
