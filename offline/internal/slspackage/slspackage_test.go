package slspackage

import (
	"errors"
	"maps"
	"path/filepath"
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
	want := map[string]string{
		"svc-dev-hello": filepath.Join("b", "hello", "bootstrap"),
		"svc-dev-greet": filepath.Join("b", "greeter", "bootstrap"), // the artifact names the directory
		"svc-dev-plain": filepath.Join("b", "plain", "bootstrap"),   // else the function's key
	}
	if got := s.Bootstraps("b"); !maps.Equal(got, want) {
		t.Errorf("Bootstraps = %v, want %v", got, want)
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
