package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the project root: the tests copy its files into a workspace of their own.
const root = "../.."

// projectCopy copies the files a route is declared in into a new directory.
func projectCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"serverless.yml", "go.work", ".gitignore", "hello/go.mod", "hello/go.sum", ExpectedFile} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"tools/token", "authorizer", "onconnect"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheck(t *testing.T) {
	dir := projectCopy(t)
	if err := os.WriteFile(filepath.Join(dir, "notes"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want string // in the error; "" when the name is accepted
	}{
		{"plugh", ""},
		{"plugh2", ""},
		{strings.Repeat("a", 32), ""},
		{"$connect", "API Gateway's own"},
		{"$disconnect", "API Gateway's own"},
		{"$default", "API Gateway's own"},
		{"", "lowercase letters and digits"},
		{"Plugh", "lowercase letters and digits"},
		{"2fa", "lowercase letters and digits"},
		{"good-bye", "lowercase letters and digits"},
		{"good_bye", "lowercase letters and digits"},
		{"../x", "lowercase letters and digits"},
		{"a b", "lowercase letters and digits"},
		{strings.Repeat("a", 33), "lowercase letters and digits"},
		{"hello", "hello already exists"},
		{"send", "declares a function send"}, // no send/ in this workspace
		{"authorizer", "authorizer already exists"},
		{"notes", "notes already exists"},
		{"token", "tools/token already exists"},
		{"shared", "a directory of the workspace itself"},
		{"bin", "a directory of the workspace itself"},
		{"docs", "a directory of the workspace itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(dir, tt.name)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check: %v, want accepted", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrRefused) {
				t.Fatalf("Check = %v, want a refusal containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckRouteOfAnotherFunction(t *testing.T) {
	dir := projectCopy(t)
	path := filepath.Join(dir, "serverless.yml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A route key served by a function of another name.
	edited := strings.Replace(string(b), "          route: send\n", "          route: send\n      - websocket:\n          route: plugh\n", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check(dir, "plugh"); err == nil || !strings.Contains(err.Error(), "declares the route plugh") {
		t.Fatalf("Check = %v, want the route refused", err)
	}
}
