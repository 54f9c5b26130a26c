package workspace

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFunctionOf(t *testing.T) {
	tests := []struct {
		artifact, want string
	}{
		{"bin/hello.zip", "hello"},
		{"./bin/send.zip", "send"},
		{"bin/quote-2.zip", "quote-2"},
		{"dist/other.zip", ""},
		{"bin/sub/x.zip", ""},
		{"bin/.zip", ""},
		{"bin/hello.jar", ""},
		{"bin/arm64.zip", ""},
		{"bin/Hello.zip", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := FunctionOf(tt.artifact)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("FunctionOf(%q) = %q, %v; want %q", tt.artifact, got, err, tt.want)
		}
		if tt.want != "" && Artifact(got) != filepath.ToSlash(filepath.Clean(tt.artifact)) {
			t.Errorf("Artifact(%q) = %q, want it back as %q", got, Artifact(got), tt.artifact)
		}
	}
}

func TestLayout(t *testing.T) {
	if got := Artifact("hello"); got != "bin/hello.zip" {
		t.Errorf("Artifact = %q, want bin/hello.zip", got)
	}
	if got := Source("hello"); got != "hello" {
		t.Errorf("Source = %q, want hello", got)
	}
	if got, want := HostBootstrap(".offline/bin", "hello"), filepath.Join(".offline", "bin", "hello", "bootstrap"); got != want {
		t.Errorf("HostBootstrap = %q, want %q", got, want)
	}
}

func TestFunctions(t *testing.T) {
	const config = `service: svc
functions:
  hello:
    handler: bootstrap
    package:
      artifact: bin/hello.zip
  send:
    package: {artifact: bin/send.zip}
  other:
    package:
      artifact: dist/other.zip
  plain:
    handler: bootstrap
resources:
  Resources:
    Fake:
      package:
        artifact: bin/fake.zip
`
	file := filepath.Join(t.TempDir(), "serverless.yml")
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Functions(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"hello", "send"}; !slices.Equal(got, want) {
		t.Errorf("Functions = %q, want %q", got, want)
	}
	if _, err := Functions(filepath.Join(t.TempDir(), "none.yml")); err == nil {
		t.Error("a missing config: want an error")
	}
}

func TestFunctionsOfTheProject(t *testing.T) {
	fns, err := Functions("../serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"authorizer", "onconnect", "ondisconnect", "hello", "send", "join", "leave", "broadcast", "fanout"} {
		if !slices.Contains(fns, fn) {
			t.Errorf("Functions = %q, want %s among them", fns, fn)
		}
	}
}

// workspaceWith writes a go.work of the given modules, each a main package
// whose main.go is the text given, into a new directory, and moves there.
