package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes content as the file name below root, making its
// directory.
func WriteFile(t testing.TB, root, name, content string) {
	t.Helper()
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteFiles writes each file, by its name below root, making directories.
func WriteFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		WriteFile(t, root, name, content)
	}
}

// GoWorkspace writes a Go workspace of two functions and a library module
// into a new directory and returns it: fa imports lib/x and embeds a file,
// fb imports nothing of the workspace, and nothing imports lib/y.
func GoWorkspace(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	WriteFiles(t, root, map[string]string{
		"go.work":            "go 1.26\n\nuse (\n\t./fa\n\t./fb\n\t./lib\n)\n",
		"fa/go.mod":          "module example.com/fa\n\ngo 1.26\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"fa/main.go":         "package main\n\nimport (\n\t_ \"embed\"\n\t\"fmt\"\n\n\t\"example.com/lib/x\"\n)\n\n//go:embed greeting.txt\nvar greeting string\n\nfunc main() { fmt.Println(greeting, x.Name) }\n",
		"fa/greeting.txt":    "hello",
		"fa/handler_test.go": "package main\n",
		"fb/go.mod":          "module example.com/fb\n\ngo 1.26\n",
		"fb/main.go":         "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"fb\") }\n",
		"lib/go.mod":         "module example.com/lib\n\ngo 1.26\n",
		"lib/x/x.go":         "package x\n\nconst Name = \"x\"\n",
		"lib/y/y.go":         "package y\n\nconst Name = \"y\"\n",
		"serverless.yml":     "service: test\n",
	})
	return root
}
