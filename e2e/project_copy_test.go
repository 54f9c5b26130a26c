package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"wsapi/offline/testkit"
)

func TestTempProject(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	testkit.WriteFiles(t, src, map[string]string{
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
	w := newTempProject(t, src)
	w.copy(t, "serverless.yml", "package.json")
	w.copyModules(t)
	w.write(t, "fa/extra/new.go", "package extra\n")
	fns := w.standInArtifacts(t)

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
