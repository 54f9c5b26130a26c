package bootstrapzip

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "bootstrap")
	content := []byte("#!/bin/sh\necho hello\n")
	if err := os.WriteFile(exe, content, 0o700); err != nil {
		t.Fatal(err)
	}

	first := filepath.Join(dir, "a.zip")
	if err := Write(first, exe); err != nil {
		t.Fatal(err)
	}
	// A later build of the same executable, with a newer mtime, must give the same bytes.
	if err := os.Chtimes(exe, epoch.AddDate(40, 0, 0), epoch.AddDate(40, 0, 0)); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "b.zip")
	if err := Write(second, exe); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) {
		t.Fatal("two zips of the same executable differ")
	}

	zr, err := zip.OpenReader(first)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("zip holds %d files, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("name = %q, want bootstrap", f.Name)
	}
	if f.Mode().Perm() != 0o755 {
		t.Errorf("mode = %v, want -rwxr-xr-x (Lambda must be able to execute it)", f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, content) {
		t.Errorf("content = %q, want %q", got, content)
	}
}

func TestWriteMissingExecutable(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "fn.zip")
	if err := Write(out, filepath.Join(dir, "nope")); err == nil {
		t.Fatal("want an error for a missing executable")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed write left %s behind", out)
	}
}

// TestWriteLeavesAnUpToDateZip: packing the executable a zip already holds
// leaves the zip as it is, the same file, not a copy; an executable changed,
// even to one of the same size, is packed anew.
func TestWriteLeavesAnUpToDateZip(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho hello\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fn.zip")
	if err := Write(out, exe); err != nil {
		t.Fatal(err)
	}
	first, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(out, exe); err != nil {
		t.Fatal(err)
	}
	if again, err := os.Stat(out); err != nil || !os.SameFile(first, again) {
		t.Errorf("a second Write of the same executable replaced the zip (%v)", err)
	}

	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho HELLO\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(out, exe); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); string(got) != "#!/bin/sh\necho HELLO\n" {
		t.Errorf("after the executable changed the zip holds %q, want the new executable", got)
	}
}
