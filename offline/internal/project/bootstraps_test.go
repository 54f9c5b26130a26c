package project

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/testkit"
)

// buildLog records a build's report, in order.
type buildLog struct {
	mu     sync.Mutex
	events []string
}

func (l *buildLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf(format, args...))
}

func (l *buildLog) Started(n int, bin string)     { l.add("started %d %s", n, bin) }
func (l *buildLog) Progress(p hostbuild.Progress) { l.add("progress") }
func (l *buildLog) Built(r hostbuild.Result)      { l.add("built %s %v", r.Function.Key, r.Err != nil) }
func (l *buildLog) Finished(stopped error)        { l.add("finished %v", stopped) }
func (l *buildLog) without(event string) []string {
	return slices.DeleteFunc(slices.Clone(l.events), func(e string) bool { return e == event })
}

func twoFunctions(t *testing.T) string {
	t.Helper()
	root := testkit.GoWorkspace(t)
	testkit.WriteFile(t, root, "serverless.yml", "service: test\nfunctions:\n"+
		"  fa:\n    handler: bootstrap\n    package:\n      artifact: bin/fa.zip\n"+
		"  fb:\n    handler: bootstrap\n    package:\n      artifact: bin/fb.zip\n")
	// A constant no earlier run compiled, so that there is something to compile.
	testkit.WriteFile(t, root, "lib/x/x.go", fmt.Sprintf("package x\n\nconst Name = %q\n", t.TempDir()))
	return root
}

// The report says what is built before the go command runs, then how it
// goes, each function once, and the end last.
func TestBuildBootstrapsReportsInOrder(t *testing.T) {
	root := twoFunctions(t)
	bin := filepath.Join(root, ".offline/bin")
	var log buildLog
	if err := BuildBootstraps(t.Context(), filepath.Join(root, "serverless.yml"), bin, &log); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(log.events, "progress") {
		t.Errorf("no progress reported for a build that compiled: %q", log.events)
	}
	got := log.without("progress")
	slices.Sort(got[1:3])
	if want := []string{"started 2 " + bin, "built fa false", "built fb false", "finished <nil>"}; !slices.Equal(got, want) {
		t.Errorf("report %q, want %q with progress before the first built", got, want)
	}
	if first := slices.Index(log.events, "progress"); first != 1 {
		t.Errorf("first progress at %d in %q, want right after started", first, log.events)
	}

	testkit.WriteFile(t, root, "fb/main.go", "package main\n\nfunc main() { undefinedName() }\n")
	log = buildLog{}
	err := BuildBootstraps(t.Context(), filepath.Join(root, "serverless.yml"), bin, &log)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 bootstraps did not build") || !slices.Contains(log.events, "built fb true") {
		t.Errorf("a function that does not compile: %v, report %q", err, log.events)
	}
}

// A build stopped (Ctrl-C, or the packaging beside it failing) reports no
// function, ends with the reason, and returns it.
func TestBuildBootstrapsStopped(t *testing.T) {
	root := twoFunctions(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	bin := filepath.Join(root, ".offline/bin")
	var log buildLog
	err := BuildBootstraps(ctx, filepath.Join(root, "serverless.yml"), bin, &log)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("stopped build returned %v, want context.Canceled", err)
	}
	if got := log.without("progress"); !slices.Equal(got, []string{"started 2 " + bin, "finished context canceled"}) {
		t.Errorf("report %q, want started then finished with the reason", got)
	}
}
