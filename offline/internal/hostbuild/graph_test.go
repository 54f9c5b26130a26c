package hostbuild

import (
	"slices"
	"testing"

	"wsapi/offline/testkit"
)

func TestAffected(t *testing.T) {
	root := testkit.GoWorkspace(t)
	g, err := LoadGraph(t.Context(), root, functions)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		changed []string
		want    []string
	}{
		{[]string{"fa/main.go"}, []string{"fa"}},
		{[]string{"fa/new.go"}, []string{"fa"}}, // a file added to a package
		{[]string{"fa/handler_test.go"}, []string{"fa"}},
		{[]string{"fa/greeting.txt"}, []string{"fa"}},
		{[]string{"lib/x/x.go"}, []string{"fa"}},
		{[]string{"lib/y/y.go"}, nil},
		{[]string{"lib/go.mod"}, []string{"fa"}},
		{[]string{"fb/go.sum"}, []string{"fb"}},
		{[]string{"fb/main.go", "lib/x/x.go"}, []string{"fa", "fb"}},
		{[]string{"go.work"}, []string{"fa", "fb"}},
		{[]string{"go.work.sum"}, []string{"fa", "fb"}},
		{[]string{"serverless.yml"}, nil},
		{[]string{"fa/README.md"}, nil},
	}
	for _, tt := range tests {
		if got := g.Affected(tt.changed); !slices.Equal(got, tt.want) {
			t.Errorf("Affected(%q) = %q, want %q", tt.changed, got, tt.want)
		}
	}
}

func TestRefreshFollowsANewImport(t *testing.T) {
	root := testkit.GoWorkspace(t)
	g, err := LoadGraph(t.Context(), root, functions)
	if err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, root, "fb/go.mod", "module example.com/fb\n\ngo 1.26\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n")
	testkit.WriteFile(t, root, "fb/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/lib/y\"\n)\n\nfunc main() { fmt.Println(y.Name) }\n")
	if got := g.Affected([]string{"lib/y/y.go"}); got != nil {
		t.Fatalf("before Refresh, lib/y affects %q", got)
	}
	if err := g.Refresh(t.Context(), functions[1:]); err != nil {
		t.Fatal(err)
	}
	if got := g.Affected([]string{"lib/y/y.go"}); !slices.Equal(got, []string{"fb"}) {
		t.Errorf("after Refresh, lib/y affects %q, want [fb]", got)
	}
}
