package artifact

import (
	"archive/zip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMissing(t *testing.T) {
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
	tests := []struct {
		name    string
		present []string
		want    []string
	}{
		{"none built", nil, []string{"hello", "send"}},
		{"one built", []string{"hello"}, []string{"send"}},
		{"all built", []string{"hello", "send"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "serverless.yml")
			if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, fn := range tt.present {
				if err := os.WriteFile(filepath.Join(dir, "bin", fn+".zip"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Missing(file)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Missing = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMissingBadConfig(t *testing.T) {
	dir := t.TempDir()
	if _, err := Missing(filepath.Join(dir, "serverless.yml")); err == nil {
		t.Error("no config: want an error")
	}
	file := filepath.Join(dir, "serverless.yml")
	if err := os.WriteFile(file, []byte("functions: [unclosed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Missing(file); err == nil {
		t.Error("bad YAML: want an error")
	}
}

func TestFunctionsOfTheProject(t *testing.T) {
	fns, err := Functions("../../../serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"authorizer", "hello", "onconnect", "ondisconnect", "send"} {
		if !slices.Contains(fns, fn) {
			t.Errorf("Functions = %q, want %s among them", fns, fn)
		}
	}
}

// A relative root, as `make offline` gives (serverless.yml in the working
// directory), builds into <root>/bin, not <root>/<fn>/bin, and zips what it
// just built rather than whatever <root>/bin held.
func TestBuildFromARelativeRoot(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("quote/go.mod", "module quote\n\ngo 1.26\n")
	write("quote/main.go", "package main\n\nfunc main() {}\n")

	if err := Build(t.Context(), ".", "quote"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("quote", "bin")); !os.IsNotExist(err) {
		t.Errorf("quote/bin exists (%v): the build went into the function's directory", err)
	}
	exe, err := os.ReadFile(filepath.Join("bin", "quote", "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(filepath.Join("bin", "quote.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("bin/quote.zip holds %d files, want bootstrap alone", len(zr.File))
	}
	if f := zr.File[0]; f.Name != "bootstrap" || f.UncompressedSize64 != uint64(len(exe)) {
		t.Errorf("bin/quote.zip holds %q of %d bytes; want bootstrap of %d bytes", f.Name, f.UncompressedSize64, len(exe))
	}
}
