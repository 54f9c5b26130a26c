package reload

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/testkit"
)

// event is what one batch led to: a deployment, a template change or a
// reload's report.
type event struct{ kind, text string }

type recorder chan event

func (r recorder) Write(p []byte) (int, error) {
	r <- event{"log", string(p)}
	return len(p), nil
}

func (r recorder) next(t *testing.T) event {
	t.Helper()
	select {
	case e := <-r:
		return e
	case <-time.After(60 * time.Second):
		t.Fatal("nothing happened within 60 s")
		return event{}
	}
}

func TestRun(t *testing.T) {
	root := testkit.GoWorkspace(t)
	fns := map[string]hostbuild.Function{"fa": {Key: "fa", Dir: "fa"}, "fb": {Key: "fb", Dir: "fb"}}
	g, err := hostbuild.LoadGraph(t.Context(), root, []hostbuild.Function{fns["fa"], fns["fb"]})
	if err != nil {
		t.Fatal(err)
	}
	changes := make(chan []string)
	// served is what the template serves after a change to it: nil, the
	// same functions, until a step adds one.
	var served map[string]hostbuild.Function
	events := make(recorder, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Config{
			Changes: changes, Graph: g, Builder: &hostbuild.Builder{Root: root, Bin: ".offline/bin"}, Functions: fns,
			Deploy: func(_ context.Context, key, exe string) error {
				if _, err := os.Stat(exe); err != nil {
					t.Errorf("deployed %s: %v", key, err)
				}
				events <- event{"deploy", key}
				return nil
			},
			TemplateChanged: func(context.Context) map[string]hostbuild.Function {
				fns := served // read before the event lets the next step write it
				events <- event{"template", ""}
				return fns
			},
			Log: events,
		})
	}()
	t.Cleanup(func() { cancel(); <-done })

	steps := []struct {
		name   string
		edit   func()
		change []string
		want   []event // in order; a log event's text is a regexp
	}{
		{
			name:   "a function's own file",
			change: []string{"fa/main.go"},
			want:   []event{{"deploy", "fa"}, {"log", `^fa rebuilt in \d+\.\d s \(fa/main\.go\)\n$`}},
		},
		{
			name:   "a package no function imports",
			change: []string{"lib/y/y.go"},
		},
		{
			name: "a new import",
			edit: func() {
				testkit.WriteFile(t, root, "fb/main.go", "package main\n\nimport \"example.com/lib/y\"\n\nfunc main() { println(y.Name) }\n")
			},
			change: []string{"fb/main.go"},
			want:   []event{{"deploy", "fb"}, {"log", `^fb rebuilt in \d+\.\d s \(fb/main\.go\)\n$`}},
		},
		{
			name:   "the newly imported package",
			change: []string{"lib/y/y.go"},
			want:   []event{{"deploy", "fb"}, {"log", `^fb rebuilt in \d+\.\d s \(lib/y/y\.go\)\n$`}},
		},
		{
			name:   "the template",
			change: []string{"serverless.yml"},
			want:   []event{{"template", ""}},
		},
		{
			name: "a function added to the template is watched",
			edit: func() {
				testkit.WriteFile(t, root, "fc/go.mod", "module example.com/fc\n\ngo 1.26\n")
				testkit.WriteFile(t, root, "fc/main.go", "package main\n\nfunc main() { println(\"fc\") }\n")
				testkit.WriteFile(t, root, "go.work", "go 1.26\n\nuse (\n\t./fa\n\t./fb\n\t./fc\n\t./lib\n)\n")
				served = map[string]hostbuild.Function{"fa": fns["fa"], "fb": fns["fb"], "fc": {Key: "fc", Dir: "fc"}}
			},
			change: []string{"serverless.yml"},
			want:   []event{{"template", ""}},
		},
		{
			name:   "the added function's own file",
			edit:   func() { served = nil },
			change: []string{"fc/main.go"},
			want:   []event{{"deploy", "fc"}, {"log", `^fc rebuilt in \d+\.\d s \(fc/main\.go\)\n$`}},
		},
		{
			name:   "a shared module's go.mod and another function",
			change: []string{"fb/main.go", "lib/go.mod"},
			want:   []event{{"deploy", "fa"}, {"deploy", "fb"}, {"log", `^fa, fb rebuilt in .* \(fb/main\.go, lib/go\.mod\)\n$`}},
		},
		{
			name:   "broken code",
			edit:   func() { testkit.WriteFile(t, root, "lib/x/x.go", "package x\n\nconst Name = undefinedName\n") },
			change: []string{"lib/x/x.go"},
			want:   []event{{"log", `(?s)^fa did not build, its last good build still serves:\n.*  lib/x/x\.go:3:\d+: undefined: undefinedName`}},
		},
		{
			name: "a failed function is built again on any Go change",
			edit: func() {
				testkit.WriteFile(t, root, "lib/x/x.go", "package x\n\nconst Name = \"x2\"\n")
				testkit.WriteFile(t, root, "fb/main.go", "package main\n\nfunc main() {}\n")
			},
			change: []string{"fb/main.go"},
			want:   []event{{"deploy", "fa"}, {"deploy", "fb"}, {"log", `^fa, fb rebuilt`}},
		},
	}
	for _, s := range steps {
		if s.edit != nil {
			s.edit()
		}
		changes <- s.change
		for _, want := range s.want {
			got := events.next(t)
			if got.kind != want.kind || (got.kind == "log" && !regexp.MustCompile(want.text).MatchString(got.text)) ||
				(got.kind != "log" && got.text != want.text) {
				t.Fatalf("%s: got %s %q, want %s %q", s.name, got.kind, got.text, want.kind, want.text)
			}
		}
	}
	// Batches are handled one at a time: once Run takes another, the last
	// one is over, and anything unexpected from any step is in events (an
	// extra event of an earlier step would have been read by the next).
	changes <- nil
	select {
	case e := <-events:
		t.Fatalf("unexpected %s %q", e.kind, strings.TrimSpace(e.text))
	default:
	}
}

// TestRunWatchesTheConfigItIsGiven reloads the template of -config, not a
// serverless.yml beside it.
func TestRunWatchesTheConfigItIsGiven(t *testing.T) {
	root := testkit.GoWorkspace(t)
	fns := map[string]hostbuild.Function{"fa": {Key: "fa", Dir: "fa"}}
	g, err := hostbuild.LoadGraph(t.Context(), root, []hostbuild.Function{fns["fa"]})
	if err != nil {
		t.Fatal(err)
	}
	changes := make(chan []string)
	events := make(recorder, 4)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Config{
			Changes: changes, Graph: g, Template: "conf/other.yml", Functions: fns,
			Builder: &hostbuild.Builder{Root: root, Bin: ".offline/bin"},
			Deploy:  func(context.Context, string, string) error { return nil },
			TemplateChanged: func(context.Context) map[string]hostbuild.Function {
				events <- event{"template", ""}
				return nil
			},
			Log: events,
		})
	}()
	t.Cleanup(func() { cancel(); <-done })

	changes <- []string{"serverless.yml"}
	changes <- []string{"conf/other.yml"}
	if got := events.next(t); got.kind != "template" {
		t.Fatalf("after conf/other.yml changed: %s %q, want the template reloaded", got.kind, got.text)
	}
	changes <- nil // the batch above is over once this one is taken
	select {
	case e := <-events:
		t.Fatalf("unexpected %s %q (serverless.yml is not the config)", e.kind, strings.TrimSpace(e.text))
	default:
	}
}
