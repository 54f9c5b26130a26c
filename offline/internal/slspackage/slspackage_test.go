package slspackage

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadState(t *testing.T) {
	s, err := ReadState("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if s.Service != "svc" || s.Region != "eu-west-1" || s.StackName() != "svc-dev" {
		t.Errorf("service %q, region %q, stack %q", s.Service, s.Region, s.StackName())
	}
	want := []Function{
		{Key: "greet", Name: "svc-dev-greet", Artifact: "build/greeter.zip"},
		{Key: "hello", Name: "svc-dev-hello", Artifact: "bin/hello.zip"},
		{Key: "plain", Name: "svc-dev-plain"},
	}
	if got := s.Functions(); !slices.Equal(got, want) {
		t.Errorf("Functions = %+v, want %+v", got, want)
	}
	if _, err := ReadState(t.TempDir()); err == nil || !strings.Contains(err.Error(), "serverless-state.json") {
		t.Errorf("ReadState of an empty directory: %v", err)
	}
}

func TestPackageWithoutTheCLI(t *testing.T) {
	dir := t.TempDir()
	_, err := Package(t.Context(), Options{Config: filepath.Join(dir, "serverless.yml"), Stage: "local", Dir: filepath.Join(dir, "package")})
	if !errors.Is(err, ErrNoCLI) || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("Package with no node_modules: %v, want ErrNoCLI naming npm ci", err)
	}
}

// A relative -config, as `make offline` passes it, finds the project's CLI
// and runs it in the project's directory.
func TestPackageRelativeConfig(t *testing.T) {
	root := t.TempDir()
	project := filepath.Join(root, "svc")
	state, err := os.ReadFile(filepath.Join("testdata", "serverless-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in CLI: it checks where it runs and writes the state file
	// into --package, as `serverless package` does.
	cli := "#!/bin/sh\n[ -f serverless.yml ] || { echo 'not in the project' >&2; exit 1; }\n" +
		"while [ \"$1\" != --package ]; do shift; done\ncp " + filepath.Join(root, "state.json") + " \"$2/serverless-state.json\"\n"
	for name, data := range map[string][]byte{
		filepath.Join(project, "serverless.yml"):                      []byte("service: svc\n"),
		filepath.Join(project, "node_modules", ".bin", "serverless"):  []byte(cli),
		filepath.Join(root, "state.json"):                             state,
		filepath.Join(project, ".offline", "package", ".placeholder"): nil,
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	s, err := Package(t.Context(), Options{Config: filepath.Join("svc", "serverless.yml"), Stage: "dev", Dir: filepath.Join("svc", ".offline", "package")})
	if err != nil {
		t.Fatalf("Package with a relative config: %v", err)
	}
	if s.Service != "svc" {
		t.Errorf("service %q, want the packaged state's", s.Service)
	}
}

// Each param goes to the CLI as a --param of its own, after the
// gateway's build=off.
func TestPackagePassesParams(t *testing.T) {
	project := t.TempDir()
	state, err := os.ReadFile(filepath.Join("testdata", "serverless-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	args := filepath.Join(project, "args")
	// A stand-in CLI: it writes its arguments, one a line, then the state
	// file into --package, as `serverless package` does.
	cli := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\n" +
		"while [ \"$1\" != --package ]; do shift; done\ncp " + filepath.Join(project, "state.json") + " \"$2/serverless-state.json\"\n"
	for name, data := range map[string][]byte{
		filepath.Join(project, "serverless.yml"):                     []byte("service: svc\n"),
		filepath.Join(project, "node_modules", ".bin", "serverless"): []byte(cli),
		filepath.Join(project, "state.json"):                         state,
		filepath.Join(project, "package", ".placeholder"):            nil,
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Package(t.Context(), Options{Config: filepath.Join(project, "serverless.yml"), Stage: "local",
		Dir: filepath.Join(project, "package"), Params: []string{"tracing=otel", "other=a=b"}}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(args)
	if err != nil {
		t.Fatal(err)
	}
	want := "package\n--stage\nlocal\n--package\n" + filepath.Join(project, "package") +
		"\n--param\nbuild=off\n--param\ntracing=otel\n--param\nother=a=b\n"
	if string(got) != want {
		t.Errorf("the CLI got\n%s\nwant\n%s", got, want)
	}
}
