package hostbuild

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sync"

	"wsapi/workspace"
)

// Function is one function to build: its main package is the directory
// Dir, relative to the workspace root.
type Function struct {
	Key string // serverless.yml's key, e.g. "hello"
	Dir string // e.g. "hello"
}

// Graph maps source files to the functions built from them.
type Graph struct {
	root string

	mu   sync.Mutex
	deps map[string]deps // by function key
}

// deps is what one function's build reads from the workspace.
type deps struct {
	packages map[string]source // by package directory, relative to the root
	modules  map[string]bool   // module directories, relative to the root
	embeds   map[string]bool   // embedded files, relative to the root
}

// LoadGraph lists the packages of every function, concurrently.
func LoadGraph(ctx context.Context, root string, fns []Function) (*Graph, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("hostbuild: %w", err)
	}
	g := &Graph{root: root, deps: make(map[string]deps)}
	if err := g.Refresh(ctx, fns); err != nil {
		return nil, err
	}
	return g, nil
}

// Refresh lists fns' packages again, after a change that may have changed
// their imports or modules. A function whose packages cannot be listed
// keeps what was known of it.
func (g *Graph) Refresh(ctx context.Context, fns []Function) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for n, fn := range fns {
		wg.Go(func() {
			d, err := listDeps(ctx, g.root, fn)
			if err != nil {
				errs[n] = err
				return
			}
			g.mu.Lock()
			g.deps[fn.Key] = d
			g.mu.Unlock()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Affected returns the keys of the functions that depend on any of the
// changed paths (relative to the root, slash-separated), sorted.
func (g *Graph) Affected(changed []string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var keys []string
	for key, d := range g.deps {
		if slices.ContainsFunc(changed, d.dependsOn) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

func (d deps) dependsOn(file string) bool {
	dir, base := path.Split(file)
	dir = path.Clean(dir)
	switch {
	case file == "go.work" || file == "go.work.sum":
		return true
	case base == "go.mod" || base == "go.sum":
		return d.modules[dir]
	case path.Ext(base) == ".go":
		_, ok := d.packages[dir]
		return ok
	}
	return d.embeds[file]
}

// source is what the listing saw of a package's Go files: a change that
// keeps to it leaves the graph as it is.
type source struct {
	files   map[string]bool // base names
	imports map[string]bool
}

// goPackage is what listDeps reads of `go list -json`.
type goPackage struct {
	Dir            string
	Standard       bool
	GoFiles        []string
	IgnoredGoFiles []string
	Imports        []string
	EmbedFiles     []string
	Module         *struct{ Dir string }
	Error          *struct{ Err string }
}

func listDeps(ctx context.Context, root string, fn Function) (deps, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-e", "-tags", workspace.Tags,
		"-json=Dir,Standard,GoFiles,IgnoredGoFiles,Imports,EmbedFiles,Module,Error", ".")
	cmd.Dir = filepath.Join(root, fn.Dir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return deps{}, fmt.Errorf("hostbuild: go list %s: %w: %s", fn.Dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	d := deps{packages: map[string]source{}, modules: map[string]bool{}, embeds: map[string]bool{}}
	// A package in the workspace, relative to the root; false for the
	// standard library and the module cache.
	inRoot := func(abs string) (string, bool) {
		rel, err := filepath.Rel(root, abs)
		if err != nil || !filepath.IsLocal(rel) {
			return "", false
		}
		return filepath.ToSlash(rel), true
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return deps{}, fmt.Errorf("hostbuild: go list %s: %w", fn.Dir, err)
		}
		if p.Standard || p.Dir == "" {
			continue
		}
		dir, ok := inRoot(p.Dir)
		if !ok {
			continue
		}
		src := source{files: map[string]bool{}, imports: map[string]bool{}}
		for _, f := range slices.Concat(p.GoFiles, p.IgnoredGoFiles) {
			src.files[f] = true
		}
		for _, imp := range p.Imports {
			src.imports[imp] = true
		}
		d.packages[dir] = src
		for _, e := range p.EmbedFiles {
			d.embeds[path.Join(dir, e)] = true
		}
		if p.Module != nil {
			if mod, ok := inRoot(p.Module.Dir); ok {
				d.modules[mod] = true
			}
		}
	}
	return d, nil
}
