package hostbuild

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"wsapi/workspace"
)

// Builder builds bootstraps as `make offline` does, for this machine, with
// the Lambda build's tags and flags (CGO_ENABLED=0 go build -tags
// lambda.norpc,grpcnotrace -ldflags="-s -w"), each into the place the
// workspace's layout gives it under Bin.
type Builder struct {
	Root string // the workspace root
	Bin  string // where bootstraps go; relative paths are to the root
	// Progress, when set, is told what a build compiles and downloads as
	// the go command does it: a first build compiles the AWS SDK and takes
	// minutes.
	Progress func(Progress)
	// Built, when set, is told each function's result once it is known,
	// unless the build was stopped.
	Built func(Result)
}

// Progress is one step of a build: a module the go command downloaded or
// a package it compiled.
type Progress struct {
	Downloaded string // module@version
	Compiled   string // import path
}

// Result is one function's build.
type Result struct {
	Function   Function
	Executable string // the bootstrap, when the build succeeded
	Created    bool   // there was no bootstrap before
	Replaced   bool   // a bootstrap with other code was there before
	Duration   time.Duration
	Err        error // a *BuildError when the compiler refused the code
}

// BuildError is a failed build: the go command's output, with each file
// named from the workspace root (hello/handler.go:12:3: ...).
type BuildError struct {
	Function string
	Output   string
	Err      error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("build %s: %v\n%s", e.Function, e.Err, e.Output)
}

func (e *BuildError) Unwrap() error { return e.Err }

// stageDir, under Bin, is where the go command links every function. It
// keeps each executable between builds, so that the go command finds it up
// to date and leaves it as it is (linking nine functions anew costs seconds
// of CPU), and no process runs it, so the go command may rewrite it in
// place. A function's bootstrap is a copy, replaced only when it differs.
const stageDir = ".link"

// Build builds fns and returns their results in fns' order. One go command
// builds them all: it loads the package graph once, compiles what they
// share once, and leaves an executable that is up to date as it is, so
// that a start with nothing changed costs a fraction of a second. Only
// when that command fails is each function built on its own, so that each
// gets its own compiler errors and those that compile are installed.
func (b *Builder) Build(ctx context.Context, fns []Function) []Result {
	start := time.Now()
	results := make([]Result, len(fns))
	s, stageErr := b.stage()
	// A function whose module breaks the workspace's rule is refused before
	// the go command runs; the others build.
	var todo []int
	for n, fn := range fns {
		err := stageErr
		if err == nil {
			err = workspace.CheckModule(s.root, fn.Dir, fn.Key)
		}
		if err != nil {
			results[n] = Result{Function: fn, Err: fmt.Errorf("build %s: %w", fn.Key, err)}
			b.built(ctx, results[n])
			continue
		}
		todo = append(todo, n)
	}
	if len(todo) == 0 {
		return results
	}
	building := make([]Function, len(todo))
	for i, n := range todo {
		building[i] = fns[n]
	}
	out, err := s.goBuild(ctx, building, b.Progress)
	took := time.Since(start)
	switch {
	case ctx.Err() != nil:
		for _, n := range todo {
			results[n] = Result{Function: fns[n], Duration: took, Err: fmt.Errorf("build %s: %w", fns[n].Key, ctx.Err())}
		}
		return results
	case err == nil:
		for _, n := range todo {
			results[n] = s.install(ctx, fns[n])
			results[n].Duration = took
		}
		for _, n := range todo {
			b.built(ctx, results[n])
		}
		return results
	case len(todo) == 1: // the errors are the function's own already
		n := todo[0]
		results[n] = Result{Function: fns[n], Duration: took, Err: &BuildError{Function: fns[n].Key, Output: out, Err: err}}
		b.built(ctx, results[n])
		return results
	}
	var wg sync.WaitGroup
	for _, n := range todo {
		wg.Go(func() {
			results[n] = s.buildOne(ctx, fns[n])
			results[n].Duration = time.Since(start)
			b.built(ctx, results[n])
		})
	}
	wg.Wait()
	return results
}

func (b *Builder) built(ctx context.Context, r Result) {
	if b.Built != nil && ctx.Err() == nil {
		b.Built(r)
	}
}

// stage is where a Builder's go commands run and link.
type stage struct {
	root string // the workspace root, absolute
	bin  string // where bootstraps go, absolute
	dir  string // where the go command links, under bin
}

func (b *Builder) stage() (stage, error) {
	root, err := filepath.Abs(b.Root)
	if err != nil {
		return stage{}, err
	}
	bin := b.Bin
	if !filepath.IsAbs(bin) {
		bin = filepath.Join(root, bin)
	}
	s := stage{root: root, bin: bin, dir: filepath.Join(bin, stageDir)}
	return s, os.MkdirAll(s.dir, 0o755)
}

// buildOne builds fn by its own go command and installs it.
func (s stage) buildOne(ctx context.Context, fn Function) Result {
	out, err := s.goBuild(ctx, []Function{fn}, nil)
	switch {
	case ctx.Err() != nil:
		return Result{Function: fn, Err: fmt.Errorf("build %s: %w", fn.Key, ctx.Err())}
	case err != nil:
		return Result{Function: fn, Err: &BuildError{Function: fn.Key, Output: out, Err: err}}
	}
	return s.install(ctx, fn)
}

// goBuild runs one go command that links fns into the stage, each named
// after the last element of its import path, from the workspace root, so
// that the compiler names files from the root. -v names each package as it
// is compiled, for progress; the rest of the output is returned.
func (s stage) goBuild(ctx context.Context, fns []Function, progress func(Progress)) (string, error) {
	args := []string{"build", "-tags", workspace.Tags, "-ldflags", workspace.LDFlags, "-o", s.dir + string(filepath.Separator)}
	if progress != nil {
		args = append(args, "-v")
	}
	for _, fn := range fns {
		args = append(args, "./"+filepath.ToSlash(fn.Dir))
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = s.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var out bytes.Buffer
	w := &lineWriter{line: func(line string) {
		if step, ok := progressOf(line); ok && progress != nil {
			progress(step)
			return
		}
		out.WriteString(line + "\n")
	}}
	cmd.Stdout, cmd.Stderr = w, w
	err := cmd.Run()
	w.flush()
	return strings.TrimRight(out.String(), "\n"), err
}

// progressOf reads one line of the go command's -v output: "go:
// downloading module version", or a package's import path alone. Anything
// else (a compiler's error, a "# package" header) is no step.
func progressOf(line string) (Progress, bool) {
	if mod, ok := strings.CutPrefix(line, "go: downloading "); ok {
		path, version, ok := strings.Cut(mod, " ")
		if !ok {
			return Progress{}, false
		}
		return Progress{Downloaded: path + "@" + version}, true
	}
	if line == "" || strings.ContainsAny(line, " \t:#") {
		return Progress{}, false
	}
	return Progress{Compiled: line}, true
}

// lineWriter calls line for each line written to it, as it is written.
// The go command's stdout and stderr share one, so it is not called
// concurrently.
type lineWriter struct {
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		before, after, ok := bytes.Cut(w.buf, []byte("\n"))
		if !ok {
			return len(p), nil
		}
		w.line(string(before))
		w.buf = after
	}
}

// flush hands on a last line without a newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.line(string(w.buf))
		w.buf = nil
	}
}
