package e2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wsapi/offline/testkit"
	"wsapi/workspace"
)

// tempProject is a temporary project directory beside a real project's
// node_modules, so that the Serverless Framework and the Makefile run in it
// as in the project, while a test edits its files freely.
type tempProject struct {
	Dir     string // the copy's root, removed when the test ends
	Project string // the project it copies from, absolute
}

// newTempProject makes an empty directory for project whose tooling is
// project's own, linked: node_modules, and plugins, which the project's
// serverless.yml loads its Serverless plugin from.
func newTempProject(t testing.TB, project string) *tempProject {
	t.Helper()
	return newProjectIn(t, t.TempDir(), project)
}

// newProjectIn is newTempProject in dir, an empty directory that outlives
// the test.
func newProjectIn(t testing.TB, dir, project string) *tempProject {
	t.Helper()
	abs, err := filepath.Abs(project)
	if err != nil {
		t.Fatal(err)
	}
	w := &tempProject{Dir: dir, Project: abs}
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

// copy copies the project's files named, each to the same place.
func (w *tempProject) copy(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		copyFile(t, filepath.Join(w.Project, name), filepath.Join(w.Dir, name))
	}
}

// write writes data as the project's file name, making its directory.
func (w *tempProject) write(t testing.TB, name, data string) {
	t.Helper()
	testkit.WriteFile(t, w.Dir, name, data)
}

// service copies the project's serverless.yml and package.json, and
// writes stand-ins for the artifacts, making the copy a service the
// framework packages as the project, in a directory of its own: the
// framework packages in the service's directory (its .serverless/), so two
// packagings of one directory at once take each other's files.
func (w *tempProject) service(t testing.TB) {
	t.Helper()
	w.copy(t, "serverless.yml", "package.json")
	w.standInArtifacts(t)
}

// copyModules copies go.work, go.work.sum and the sources of every module
// the project's go.work uses, leaving out build output.
func (w *tempProject) copyModules(t testing.TB) {
	t.Helper()
	w.copy(t, "go.work", "go.work.sum")
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

// standInArtifacts writes a stand-in for each zip the project's
// serverless.yml packages by the layout rule (packaging only hashes them)
// and returns those functions, sorted.
func (w *tempProject) standInArtifacts(t testing.TB) []string {
	t.Helper()
	fns, err := workspace.Functions(filepath.Join(w.Dir, "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		w.write(t, workspace.Artifact(fn), "stand-in for "+fn)
	}
	return fns
}

// copyTree copies a module's sources, leaving out build output.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	mirror(t, src, dst, []string{"node_modules", ".offline", ".serverless", "bin"}, copyBytes)
}

// mirror recreates src under dst: each directory but those named in skip,
// and each regular file, put there by place (a copy or a link). src may be
// a single file.
func mirror(t testing.TB, src, dst string, skip []string, place func(from, to string) error) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && slices.Contains(skip, d.Name()):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		return place(path, to)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// copyFile copies the file src to dst, making dst's directory.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	if err := copyBytes(src, dst); err != nil {
		t.Fatal(err)
	}
}

func copyBytes(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
