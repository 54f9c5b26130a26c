package testkit

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wsapi/workspace"
)

// Workspace is a temporary project directory beside a real project's
// node_modules, so that the Serverless Framework and the Makefile run in it
// as in the project, while a test edits its files freely.
type Workspace struct {
	Dir     string // the copy's root, removed when the test ends
	Project string // the project it copies from, absolute
}

// NewWorkspace makes an empty workspace for project whose tooling is
// project's own, linked: node_modules, and plugins, which the project's
// serverless.yml loads its Serverless plugin from.
func NewWorkspace(t testing.TB, project string) *Workspace {
	t.Helper()
	abs, err := filepath.Abs(project)
	if err != nil {
		t.Fatal(err)
	}
	w := &Workspace{Dir: t.TempDir(), Project: abs}
	for _, dir := range []string{"node_modules", "plugins"} {
		if _, err := os.Stat(filepath.Join(abs, dir)); err != nil {
			continue
		}
		if err := os.Symlink(filepath.Join(abs, dir), filepath.Join(w.Dir, dir)); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// Copy copies the project's files named, each to the same place.
func (w *Workspace) Copy(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		CopyFile(t, filepath.Join(w.Project, name), filepath.Join(w.Dir, name))
	}
}

// Write writes data as the workspace's file name, making its directory.
func (w *Workspace) Write(t testing.TB, name, data string) {
	t.Helper()
	path := filepath.Join(w.Dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CopyModules copies go.work, go.work.sum and the sources of every module
// the project's go.work uses, leaving out build output.
func (w *Workspace) CopyModules(t testing.TB) {
	t.Helper()
	w.Copy(t, "go.work", "go.work.sum")
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}")
	cmd.Dir = w.Project
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(w.Project, "go.work"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	for dir := range strings.FieldsSeq(string(out)) {
		rel, err := filepath.Rel(w.Project, dir)
		if err != nil || !filepath.IsLocal(rel) {
			t.Fatalf("module %s is outside the workspace %s", dir, w.Project)
		}
		copyTree(t, dir, filepath.Join(w.Dir, rel))
	}
}

// StandInArtifacts writes a stand-in for each zip the workspace's
// serverless.yml packages by the layout rule (packaging only hashes them)
// and returns those functions, sorted.
func (w *Workspace) StandInArtifacts(t testing.TB) []string {
	t.Helper()
	fns, err := workspace.Functions(filepath.Join(w.Dir, "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		w.Write(t, workspace.Artifact(fn), "stand-in for "+fn)
	}
	return fns
}

// copyTree copies a module's sources, leaving out build output.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains([]string{"node_modules", ".offline", ".serverless", "bin"}, d.Name()) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if d.Type().IsRegular() {
			CopyFile(t, path, filepath.Join(dst, rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CopyFile copies the file src to dst, making dst's directory.
func CopyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
