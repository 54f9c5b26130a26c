package project

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMissingZips(t *testing.T) {
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
			got, err := MissingZips(file)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MissingZips = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMissingBadConfig(t *testing.T) {
	dir := t.TempDir()
	if _, err := MissingZips(filepath.Join(dir, "serverless.yml")); err == nil {
		t.Error("no config: want an error")
	}
	file := filepath.Join(dir, "serverless.yml")
	if err := os.WriteFile(file, []byte("functions: [unclosed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := MissingZips(file); err == nil {
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
