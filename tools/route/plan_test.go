package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// snapshot is every file under dir, by path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAdd(t *testing.T) {
	dir := projectCopy(t)
	before := snapshot(t, dir)
	p, err := NewPlan(context.Background(), dir, "plugh")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(dir); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, dir)

	t.Run("files", func(t *testing.T) {
		var changed, added []string
		for path, b := range after {
			if old, ok := before[path]; !ok {
				added = append(added, path)
			} else if old != b {
				changed = append(changed, path)
			}
		}
		want := "added [plugh/go.mod plugh/go.sum plugh/handler.go plugh/handler_test.go plugh/main.go], changed [.gitignore go.work serverless.yml tools/stackcheck/expected.yml]"
		if got := "added " + sorted(added) + ", changed " + sorted(changed); got != want {
			t.Errorf("%s\nwant\n%s", got, want)
		}
		if !strings.HasPrefix(after["plugh/go.mod"], "module wsapi/plugh\n") ||
			strings.TrimPrefix(after["plugh/go.mod"], "module wsapi/plugh\n") != strings.TrimPrefix(before["hello/go.mod"], "module wsapi/hello\n") {
			t.Errorf("plugh/go.mod =\n%s\nwant hello's requires and replace under module wsapi/plugh", after["plugh/go.mod"])
		}
		if !strings.Contains(after["go.work"], "\t./plugh\n") {
			t.Errorf("go.work =\n%s\nwant ./plugh in use", after["go.work"])
		}
		for _, f := range []string{"main.go", "handler.go", "handler_test.go"} {
			if strings.Contains(after["plugh/"+f], "<%") || !strings.Contains(after["plugh/"+f], "package main") {
				t.Errorf("plugh/%s is not a rendered Go file:\n%s", f, after["plugh/"+f])
			}
		}
	})

	t.Run("serverless.yml is what it was plus the route's blocks", func(t *testing.T) {
		got := after["serverless.yml"]
		for _, block := range []string{
			"  plugh:\n    handler: bootstrap\n    package:\n      artifact: bin/plugh.zip\n    role: PlughRole\n    events:\n      - websocket:\n          route: plugh\n" +
				"  # make route NAME=<route> adds a function here.\n",
			"    PlughRole:\n      Type: AWS::IAM::Role\n",
			"                    Fn::GetAtt: [PlughLogGroup, Arn]\n                - ${self:custom.putTraces}\n                - ${self:custom.manageConnections}\n" +
				"    # make route NAME=<route> adds a role here.\n",
			"    PlughLambdaPermissionWebsockets:\n      Properties:\n        SourceArn: ${self:custom.thisApi}\n" +
				"    # make route NAME=<route> adds an invoke permission here.\n",
		} {
			if !strings.Contains(got, block) {
				t.Errorf("serverless.yml lacks\n%s", block)
			}
		}
		// Taking the three blocks out again gives the file back byte for byte, comments and all.
		var blocks []string
		for _, m := range markers {
			b, err := render(m.block, dataFor("plugh"))
			if err != nil {
				t.Fatal(err)
			}
			blocks = append(blocks, string(b)+m.line+"\n")
		}
		restored := got
		for i, m := range markers {
			restored = strings.Replace(restored, blocks[i], m.line+"\n", 1)
		}
		if restored != before["serverless.yml"] {
			t.Errorf("serverless.yml changed besides the route's blocks")
		}

		var doc struct {
			Functions map[string]struct {
				Role    string `yaml:"role"`
				Package struct {
					Artifact string `yaml:"artifact"`
				} `yaml:"package"`
			} `yaml:"functions"`
			Resources struct {
				Resources  map[string]yaml.Node `yaml:"Resources"`
				Extensions map[string]yaml.Node `yaml:"extensions"`
			} `yaml:"resources"`
		}
		if err := yaml.Unmarshal([]byte(got), &doc); err != nil {
			t.Fatal(err)
		}
		fn := doc.Functions["plugh"]
		_, role := doc.Resources.Resources["PlughRole"]
		_, perm := doc.Resources.Extensions["PlughLambdaPermissionWebsockets"]
		if fn.Role != "PlughRole" || fn.Package.Artifact != "bin/plugh.zip" || !role || !perm {
			t.Errorf("parsed: function %+v, role %v, permission %v; want all three in their sections", fn, role, perm)
		}
	})

	t.Run("expectations", func(t *testing.T) {
		want := before[ExpectedFile] + "  - name: plugh\n    route: plugh\n    grants:\n      execute-api:ManageConnections: manageConnections\n"
		if after[ExpectedFile] != want {
			t.Errorf("%s =\n%s\nwant\n%s", ExpectedFile, after[ExpectedFile], want)
		}
	})

	t.Run("a second time is refused", func(t *testing.T) {
		if _, err := NewPlan(context.Background(), dir, "plugh"); !errors.Is(err, ErrRefused) {
			t.Errorf("NewPlan = %v, want refused", err)
		}
	})
}

func sorted(s []string) string {
	return "[" + strings.Join(slices.Sorted(slices.Values(s)), " ") + "]"
}

func TestAddFailsHalfway(t *testing.T) {
	for _, failAt := range []int{1, 2, 3, 4} {
		dir := projectCopy(t)
		before := snapshot(t, dir)
		rootBefore, _ := os.ReadDir(dir)
		p, err := NewPlan(context.Background(), dir, "plugh")
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		err = p.apply(dir, func(from, to string) error {
			calls++
			if calls == failAt {
				return errors.New("disk full")
			}
			return os.Rename(from, to)
		})
		if err == nil {
			t.Fatalf("rename %d failing: apply succeeded", failAt)
		}
		after := snapshot(t, dir)
		entries, _ := os.ReadDir(dir)
		if len(after) != len(before) || len(entries) != len(rootBefore) {
			t.Errorf("rename %d failing: %d files, %d entries at the root, want %d and %d as before", failAt, len(after), len(entries), len(before), len(rootBefore))
		}
		for path, b := range before {
			if after[path] != b {
				t.Errorf("rename %d failing: %s changed", failAt, path)
			}
		}
	}
}

func TestMissingMarker(t *testing.T) {
	dir := projectCopy(t)
	path := filepath.Join(dir, "serverless.yml")
	b, _ := os.ReadFile(path)
	b = bytes.Replace(b, []byte(markers[1].line+"\n"), nil, 1)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	if _, err := NewPlan(context.Background(), dir, "plugh"); err == nil || !strings.Contains(err.Error(), "adds a role here") {
		t.Fatalf("NewPlan = %v, want the missing marker named", err)
	}
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("files %d, want %d", len(after), len(before))
	}
}

// TestCommand runs the command as make does: a refused name exits 2 with the
// reason and writes nothing.
func TestCommand(t *testing.T) {
	dir := projectCopy(t)
	before := snapshot(t, dir)
	for _, name := range []string{"$default", "hello", ""} {
		out, err := exec.Command("go", "run", ".", "-root", dir, "-name", name).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || !strings.Contains(string(out), "route") {
			t.Errorf("-name %q: %v\n%s\nwant a failed run saying why", name, err, out)
		}
	}
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("files %d, want %d", len(after), len(before))
	}
}

func TestIgnoreBuildOutput(t *testing.T) {
	const list = "/bin/\n# `go build` in a module directory names its output after the module.\n/authorizer/authorizer\n/hello/hello\n/send/send\n"
	tests := []struct{ name, src, route, want string }{
		{"in sorted place", list, "join",
			"/bin/\n# `go build` in a module directory names its output after the module.\n/authorizer/authorizer\n/hello/hello\n/join/join\n/send/send\n"},
		{"first", list, "alpha",
			"/bin/\n# `go build` in a module directory names its output after the module.\n/alpha/alpha\n/authorizer/authorizer\n/hello/hello\n/send/send\n"},
		{"last, before what follows the list", list + "\n*.out\n", "zeta",
			"/bin/\n# `go build` in a module directory names its output after the module.\n/authorizer/authorizer\n/hello/hello\n/send/send\n/zeta/zeta\n\n*.out\n"},
		{"no list: at the end", "/bin/", "quote", "/bin/\n/quote/quote\n"},
		{"empty", "", "quote", "/quote/quote\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(ignoreBuildOutput([]byte(tt.src), tt.route)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
