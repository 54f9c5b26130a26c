package hostbuild

import (
	"os"
	"path/filepath"
	"testing"

	"wsapi/offline/testkit"
)

func TestOutdated(t *testing.T) {
	const fbWithImport = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Fprintln(os.Stderr, \"fb\") }\n"
	tests := []struct {
		name    string
		write   map[string]string // file → content; "" removes it
		changed []string
		want    bool
	}{
		{"a function's body", map[string]string{"fb/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"fb2\") }\n"}, []string{"fb/main.go"}, false},
		{"a library's body", map[string]string{"lib/x/x.go": "package x\n\nconst Name = \"x2\"\n"}, []string{"lib/x/x.go"}, false},
		{"an import left out", map[string]string{"fb/main.go": "package main\n\nfunc main() { println(\"fb\") }\n"}, []string{"fb/main.go"}, false}, // the graph may keep a package for nothing: a rebuild too many, never one too few
		{"a test file", map[string]string{"fa/handler_test.go": "package main\n\nimport \"testing\"\n\nfunc TestX(*testing.T) {}\n"}, []string{"fa/handler_test.go"}, false},
		{"an embedded file", map[string]string{"fa/greeting.txt": "hi"}, []string{"fa/greeting.txt"}, false},
		{"the template", nil, []string{"serverless.yml"}, false},
		{"a new import of the standard library", map[string]string{"fb/main.go": fbWithImport}, []string{"fb/main.go"}, true},
		{"a new import of the workspace", map[string]string{"lib/x/x.go": "package x\n\nimport \"example.com/lib/y\"\n\nconst Name = y.Name\n"}, []string{"lib/x/x.go"}, true},
		{"a body and a new import", map[string]string{"fb/main.go": fbWithImport}, []string{"lib/x/x.go", "fb/main.go"}, true},
		{"a new file in a package", map[string]string{"fb/util.go": "package main\n"}, []string{"fb/util.go"}, true},
		{"a file of a package no function imports", nil, []string{"lib/y/y.go"}, true},
		{"a file removed", map[string]string{"lib/x/x.go": ""}, []string{"lib/x/x.go"}, true},
		{"imports that do not parse", map[string]string{"fb/main.go": "package main\n\nimport (\n"}, []string{"fb/main.go"}, true},
		{"a file that embeds", map[string]string{"fa/main.go": "package main\n\nimport (\n\t_ \"embed\"\n\t\"fmt\"\n\n\t\"example.com/lib/x\"\n)\n\n//go:embed greeting.txt\nvar greeting string\n\nfunc main() { fmt.Println(greeting, x.Name, 2) }\n"}, []string{"fa/main.go"}, true},
		{"a module's go.mod", nil, []string{"lib/go.mod"}, true},
		{"a module's go.sum", nil, []string{"fb/go.sum"}, true},
		{"the workspace", nil, []string{"go.work"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testkit.GoWorkspace(t)
			g, err := LoadGraph(t.Context(), root, functions)
			if err != nil {
				t.Fatal(err)
			}
			for name, content := range tt.write {
				if content == "" {
					if err := os.Remove(filepath.Join(root, name)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				testkit.WriteFile(t, root, name, content)
			}
			if got := g.Outdated(tt.changed); got != tt.want {
				t.Errorf("Outdated(%q) = %v, want %v", tt.changed, got, tt.want)
			}
		})
	}
}
