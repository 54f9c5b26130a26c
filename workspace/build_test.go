package workspace

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func workspaceWith(t *testing.T, mains map[string]string) {
	t.Helper()
	t.Chdir(t.TempDir())
	work := "go 1.26\n\nuse (\n"
	for fn, src := range mains {
		write(t, fn+"/go.mod", "module example/"+fn+"\n\ngo 1.26\n")
		write(t, fn+"/main.go", src)
		work += "\t./" + fn + "\n"
	}
	write(t, "go.work", work+")\n")
}

func write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A relative root, as `make offline` gives, builds into <root>/bin, and each
// zip holds what was just built, as bootstrap alone.
func TestBuildFromARelativeRoot(t *testing.T) {
	workspaceWith(t, map[string]string{
		"quote": "package main\n\nfunc main() {}\n",
		"other": "package main\n\nfunc main() { println(1) }\n",
	})
	built, err := Build(t.Context(), ".", []string{"other", "quote"})
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 2 || built[0].Zip != "bin/other.zip" || built[1].Zip != "bin/quote.zip" || built[1].Bytes == 0 {
		t.Errorf("Build = %+v, want bin/other.zip and bin/quote.zip", built)
	}
	if _, err := os.Stat(filepath.Join("quote", "bin")); !os.IsNotExist(err) {
		t.Errorf("quote/bin exists (%v): the build went into the function's directory", err)
	}
	for _, fn := range []string{"other", "quote"} {
		exe, err := os.ReadFile(filepath.Join("bin", "arm64", fn))
		if err != nil {
			t.Fatal(err)
		}
		// An ELF for arm64: e_machine 183 at offset 18.
		if len(exe) < 20 || string(exe[1:4]) != "ELF" || exe[18] != 183 {
			t.Errorf("bin/arm64/%s is not an arm64 ELF executable", fn)
		}
		zr, err := zip.OpenReader(filepath.Join("bin", fn+".zip"))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].UncompressedSize64 != uint64(len(exe)) {
			t.Errorf("bin/%s.zip holds %d files, the first %q; want bootstrap alone, of %d bytes", fn, len(zr.File), zr.File[0].Name, len(exe))
		}
		zr.Close()
	}
}

// The same source gives the same zip, byte for byte, so that the framework
// sees nothing to deploy.
func TestBuildIsReproducible(t *testing.T) {
	workspaceWith(t, map[string]string{"quote": "package main\n\nfunc main() {}\n"})
	if _, err := Build(t.Context(), ".", []string{"quote"}); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile("bin/quote.zip")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll("bin"); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(t.Context(), ".", []string{"quote"}); err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile("bin/quote.zip")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("two builds of the same source gave different zips")
	}
}

// Code that does not compile is a BuildError carrying the compiler's
// file:line from the root, and no zip is written or replaced.
func TestBuildErrorNamesTheLineAndZipsNothing(t *testing.T) {
	workspaceWith(t, map[string]string{
		"good": "package main\n\nfunc main() {}\n",
		"bad":  "package main\n\nfunc main() {\n\tundefinedThing()\n}\n",
	})
	write(t, "bin/good.zip", "the last good zip")
	_, err := Build(t.Context(), ".", []string{"bad", "good"})
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build = %v, want a *BuildError", err)
	}
	if !strings.Contains(be.Output, "bad/main.go:4:2: undefined: undefinedThing") {
		t.Errorf("output = %q, want the compiler's bad/main.go:4:2", be.Output)
	}
	if _, err := os.Stat("bin/bad.zip"); !os.IsNotExist(err) {
		t.Errorf("bin/bad.zip exists (%v) after a failed build", err)
	}
	if got, _ := os.ReadFile("bin/good.zip"); string(got) != "the last good zip" {
		t.Error("a failed build replaced another function's zip")
	}
}

func TestBuildRefusesWhatIsNotAFunction(t *testing.T) {
	workspaceWith(t, map[string]string{"quote": "package main\n\nfunc main() {}\n"})
	for _, fns := range [][]string{{"missing"}, {"../quote"}, {"-o"}} {
		if _, err := Build(t.Context(), ".", fns); err == nil {
			t.Errorf("Build(%q): want an error", fns)
		}
	}
}

// A function whose module path no longer ends in its name is refused before
// the build, naming the rule: the go command would name its executable
// otherwise, and the one an earlier build left under the function's name
// would be zipped as if just built.
func TestBuildRefusesAModulePathThatNamesAnotherExecutable(t *testing.T) {
	workspaceWith(t, map[string]string{"quote": "package main\n\nfunc main() {}\n"})
	if _, err := Build(t.Context(), ".", []string{"quote"}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join("bin", "quote.zip"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, "quote/go.mod", "module example/quotes\n\ngo 1.26\n")
	write(t, "quote/main.go", "package main\n\nfunc main() { println(\"changed\") }\n")
	_, err = Build(t.Context(), ".", []string{"quote"})
	if err == nil || !strings.Contains(err.Error(), "module path example/quotes must end in /quote") {
		t.Errorf("Build of a module named example/quotes: %v, want the rule named", err)
	}
	if after, _ := os.ReadFile(filepath.Join("bin", "quote.zip")); !bytes.Equal(before, after) {
		t.Error("the zip was replaced by a build that should not have run")
	}
}

func TestCheckModule(t *testing.T) {
	t.Chdir(t.TempDir())
	write(t, "hello/go.mod", "module example.com/app/hello\n\ngo 1.26\n")
	write(t, "other/go.mod", "module example.com/app/hello\n")
	write(t, "blank/go.mod", "go 1.26\n")
	tests := []struct{ dir, want string }{
		{"hello", ""},
		{"other", "module path example.com/app/hello must end in /other"},
		{"blank", "names no module path"},
		{"missing", "its module missing/ is missing"},
	}
	for _, tt := range tests {
		err := CheckModule(".", tt.dir, tt.dir)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckModule(%q) = %v, want %q", tt.dir, err, tt.want)
		}
	}
}
