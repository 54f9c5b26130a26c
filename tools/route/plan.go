package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"wsapi/workspace"
)

//go:embed skeleton
var skeleton embed.FS

// Go code is full of {{ and }}: the skeletons mark their blanks with <% %>.
var skeletons = template.Must(template.New("").Delims("<%", "%>").ParseFS(skeleton, "skeleton/*.tmpl"))

// Plan is everything a new route writes: the files of its module, and the new
// contents of the workspace files it is declared in.
type Plan struct {
	Name string
	// Module holds the new module's files, by name.
	Module map[string][]byte
	// Edits holds the new contents of existing files, by path under the root.
	Edits map[string][]byte
}

// Markers are the lines of serverless.yml above which a route's blocks go.
var markers = []struct{ line, block string }{
	{"  # make route NAME=<route> adds a function here.", "function.yml.tmpl"},
	{"    # make route NAME=<route> adds a role here.", "role.yml.tmpl"},
	{"    # make route NAME=<route> adds an invoke permission here.", "permission.yml.tmpl"},
}

// ExpectedFile is where the stack check declares each function's route and grants.
const ExpectedFile = "tools/stackcheck/expected.yml"

// NewPlan checks name and computes what adding it writes, touching nothing.
func NewPlan(ctx context.Context, root, name string) (Plan, error) {
	if err := Check(root, name); err != nil {
		return Plan{}, err
	}
	data := dataFor(name)
	p := Plan{Name: name, Module: map[string][]byte{}, Edits: map[string][]byte{}}

	for _, f := range []string{"main.go", "handler.go", "handler_test.go"} {
		b, err := render(f+".tmpl", data)
		if err != nil {
			return Plan{}, err
		}
		p.Module[f] = b
	}
	// The new module needs what hello needs: aws-lambda-go and shared.
	mod, err := os.ReadFile(filepath.Join(root, "hello", "go.mod"))
	if err != nil {
		return Plan{}, err
	}
	if !bytes.HasPrefix(mod, []byte("module wsapi/hello\n")) {
		return Plan{}, fmt.Errorf("hello/go.mod does not start with `module wsapi/hello`: it is the model of a new route's go.mod")
	}
	p.Module["go.mod"] = append([]byte("module wsapi/"+name+"\n"), mod[len("module wsapi/hello\n"):]...)
	if p.Module["go.sum"], err = os.ReadFile(filepath.Join(root, "hello", "go.sum")); err != nil {
		return Plan{}, err
	}

	sls, err := os.ReadFile(filepath.Join(root, "serverless.yml"))
	if err != nil {
		return Plan{}, err
	}
	for _, m := range markers {
		block, err := render(m.block, data)
		if err != nil {
			return Plan{}, err
		}
		if sls, err = insertAbove(sls, m.line, block); err != nil {
			return Plan{}, fmt.Errorf("serverless.yml: %w", err)
		}
	}
	p.Edits["serverless.yml"] = sls

	expected, err := os.ReadFile(filepath.Join(root, ExpectedFile))
	if err != nil {
		return Plan{}, err
	}
	entry, err := render("expected.yml.tmpl", data)
	if err != nil {
		return Plan{}, err
	}
	if !bytes.HasSuffix(expected, []byte("\n")) {
		expected = append(expected, '\n')
	}
	p.Edits[ExpectedFile] = append(expected, entry...)

	if p.Edits["go.work"], err = workUse(ctx, root, "./"+workspace.Source(name)); err != nil {
		return Plan{}, err
	}
	// A workspace outside git has no .gitignore to keep up.
	switch ignore, err := os.ReadFile(filepath.Join(root, ".gitignore")); {
	case err == nil:
		p.Edits[".gitignore"] = ignoreBuildOutput(ignore, name)
	case !errors.Is(err, fs.ErrNotExist):
		return Plan{}, err
	}
	return p, nil
}

// skeletonData is what the skeleton's templates are filled in with.
type skeletonData struct {
	Name, ID string
	Artifact string // the function's zip, by the workspace's layout rule
}

func dataFor(name string) skeletonData {
	return skeletonData{Name: name, ID: titled(name), Artifact: workspace.Artifact(name)}
}

// buildOutputs is the line of .gitignore above the modules' build outputs.
const buildOutputs = "# `go build` in a module directory names its output after the module."

// ignoreBuildOutput adds /<name>/<name>, what `go build` in the module's
// directory writes, to the sorted list under buildOutputs (or at the end):
// a `git add -A` would otherwise commit a 26 MB binary.
func ignoreBuildOutput(src []byte, name string) []byte {
	entry := "/" + name + "/" + name
	lines := strings.SplitAfter(string(src), "\n")
	if n := len(lines); lines[n-1] == "" {
		lines = lines[:n-1]
	}
	at := len(lines)
	if i := slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == buildOutputs }); i >= 0 {
		at = i + 1
		for at < len(lines) && strings.HasPrefix(lines[at], "/") && strings.TrimSpace(lines[at]) < entry {
			at++
		}
	}
	if at == len(lines) && at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		lines[at-1] += "\n"
	}
	return []byte(strings.Join(slices.Insert(lines, at, entry+"\n"), ""))
}

func render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := skeletons.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("skeleton %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// insertAbove puts block on the lines just above the one line of src equal to marker.
func insertAbove(src []byte, marker string, block []byte) ([]byte, error) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	at := -1
	for i, l := range lines {
		if string(bytes.TrimRight(l, "\n")) == marker {
			if at >= 0 {
				return nil, fmt.Errorf("the line %q appears twice: keep one", marker)
			}
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("no line %q: put it back where new routes go (see git log -p serverless.yml)", strings.TrimSpace(marker))
	}
	var out bytes.Buffer
	for _, l := range lines[:at] {
		out.Write(l)
	}
	out.Write(block)
	for _, l := range lines[at:] {
		out.Write(l)
	}
	return out.Bytes(), nil
}

// workUse returns go.work with dir added to its use directives, as `go work
// edit` writes it, leaving the workspace's go.work as it is.
func workUse(ctx context.Context, root, dir string) ([]byte, error) {
	src, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "route-gowork-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	work := filepath.Join(tmp, "go.work")
	if err := os.WriteFile(work, src, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "work", "edit", "-use="+dir, work)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK="+work)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go work edit -use=%s: %w\n%s", dir, err, out)
	}
	return os.ReadFile(work)
}
