package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyWorkspace copies the project's files into a new directory, with
// node_modules linked rather than copied, and the Lambda build (bin/)
// hard-linked: the copy's build then finds the project's nine functions up
// to date, as a build in the project would, and builds the new route alone.
// The build replaces a file by renaming a new one over it, so the project's
// own are never written through a link.
func copyWorkspace(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	skip := map[string]bool{".git": true, "node_modules": true, ".offline": true, ".serverless": true}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if skip[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil // .git is a file in a worktree
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if strings.HasPrefix(filepath.ToSlash(rel), "bin/") {
			return os.Link(path, to)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, "node_modules"), filepath.Join(dst, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dst
}

// goEnv is the environment of the go commands run in the copy: -trimpath
// keys the build cache on the sources alone, not on their directory, so that
// the copy compiles only what differs from the project (the new route), as a
// second build in the project would.
func goEnv() []string {
	return append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"))
}

// TestMakeRoute adds a route with `make route` in a copy of the workspace,
// then runs what a user runs next: the new module's tests, the build, and the
// stack check, which packages the service and finds the new route, its role
// and its scoped permission there.
func TestMakeRoute(t *testing.T) {
	if _, err := os.Stat(filepath.Join(root, "node_modules", ".package-lock.json")); err != nil {
		t.Fatal("node_modules is missing: run npm ci (make test does) before this test")
	}
	dir := copyWorkspace(t)
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		// This test may itself run under make: the copy's make starts afresh.
		cmd.Env = append(goEnv(), "MAKEFLAGS=", "MAKELEVEL=", "GOWORK=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	out := run("make", "-s", "route", "NAME=frotz")
	if !strings.Contains(out, "added the route frotz") {
		t.Fatalf("make route: %s", out)
	}
	run("go", "vet", "./frotz/...")
	run("go", "test", "-count=1", "./frotz/...")
	run("make", "-s", "build")
	if _, err := os.Stat(filepath.Join(dir, "bin", "frotz.zip")); err != nil {
		t.Fatalf("make build did not build the new function: %v", err)
	}
	out = run("go", "test", "-count=1", "-v", "-run", "TestTemplate/routes|TestLeastPrivilege|TestInvokePermissions", "./tools/stackcheck/")
	for _, want := range []string{"--- PASS: TestTemplate/routes", "--- PASS: TestLeastPrivilege", "--- PASS: TestInvokePermissions"} {
		if !strings.Contains(out, want) {
			t.Errorf("stack check: want %q in\n%s", want, out)
		}
	}

	// The check is strict about the new role: a grant serverless.yml gives and
	// expected.yml does not declare fails, naming it.
	sls := filepath.Join(dir, "serverless.yml")
	b, err := os.ReadFile(sls)
	if err != nil {
		t.Fatal(err)
	}
	widened := strings.Replace(string(b), "                    Fn::GetAtt: [FrotzLogGroup, Arn]\n                - ${self:custom.putTraces}\n",
		"                    Fn::GetAtt: [FrotzLogGroup, Arn]\n                - ${self:custom.putTraces}\n                - Effect: Allow\n                  Action: dynamodb:Scan\n                  Resource: '*'\n", 1)
	if widened == string(b) {
		t.Fatal("FrotzRole's statements not found in serverless.yml")
	}
	if err := os.WriteFile(sls, []byte(widened), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", "-run", "TestLeastPrivilege", "./tools/stackcheck/")
	cmd.Dir = dir
	cmd.Env = append(goEnv(), "GOWORK=")
	failed, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(failed), `unexpected dynamodb:Scan: "*"`) {
		t.Errorf("stack check with an undeclared grant: %v, want a failure naming it:\n%s", err, failed)
	}
}
