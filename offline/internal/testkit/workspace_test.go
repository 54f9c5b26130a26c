package testkit

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// project writes files into a new directory: a small project.
func project(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWorkspace(t *testing.T) {
	src := project(t, map[string]string{
		"go.work":                 "go 1.26\n\nuse ./fa\n",
		"go.work.sum":             "",
		"fa/go.mod":               "module fa\n\ngo 1.26\n",
		"fa/handler.go":           "package fa\n",
		"fa/bin/bootstrap":        "build output",
		"fa/.offline/gateway":     "build output",
		"unused/go.mod":           "module unused\n\ngo 1.26\n",
		"node_modules/.keep":      "",
		"plugins/p/index.js":      "plugin",
		"package.json":            "{}",
		"serverless.yml":          "functions:\n  fa:\n    package:\n      artifact: bin/fa.zip\n  fb:\n    package:\n      artifact: bin/fb.zip\n",
		"not-copied-unless-named": "",
	})
	w := NewWorkspace(t, src)
	w.Copy(t, "serverless.yml", "package.json")
	w.CopyModules(t)
	w.Write(t, "fa/extra/new.go", "package extra\n")
	fns := w.StandInArtifacts(t)

	if want := []string{"fa", "fb"}; !slices.Equal(fns, want) {
		t.Errorf("functions %v, want %v", fns, want)
	}
	want := map[string]string{
		"go.work":            "go 1.26\n\nuse ./fa\n",
		"fa/go.mod":          "module fa\n\ngo 1.26\n",
		"fa/handler.go":      "package fa\n",
		"fa/extra/new.go":    "package extra\n",
		"package.json":       "{}",
		"bin/fa.zip":         "stand-in for fa",
		"bin/fb.zip":         "stand-in for fb",
		"node_modules/.keep": "",
		"plugins/p/index.js": "plugin",
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(w.Dir, name))
		if err != nil || string(got) != data {
			t.Errorf("%s holds %q, %v; want %q", name, got, err, data)
		}
	}
	for _, name := range []string{"fa/bin", "fa/.offline", "unused", "not-copied-unless-named"} {
		if _, err := os.Stat(filepath.Join(w.Dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s is in the workspace (%v), want it left out", name, err)
		}
	}
	if link, err := os.Readlink(filepath.Join(w.Dir, "node_modules")); err != nil || link != filepath.Join(src, "node_modules") {
		t.Errorf("node_modules links to %q, %v; want the project's", link, err)
	}
}
