package project

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMissingZips(t *testing.T) {
	// Which functions the layout holds is the workspace's to say
	// (workspace.Functions); here, two that it does and one it does not.
	const config = "functions:\n  hello: {package: {artifact: bin/hello.zip}}\n  send: {package: {artifact: bin/send.zip}}\n" +
		"  other: {package: {artifact: dist/other.zip}}\n"
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
