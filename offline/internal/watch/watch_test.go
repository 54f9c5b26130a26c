package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func write(t *testing.T, root, rel string) {
	t.Helper()
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func start(t *testing.T, root string) *Watcher {
	t.Helper()
	w, err := New(root, Options{OnError: func(err error) { t.Errorf("watch: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

func next(t *testing.T, w *Watcher) []string {
	t.Helper()
	select {
	case b, ok := <-w.Batches():
		if !ok {
			t.Fatal("Batches closed")
		}
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch within 10 s")
		return nil
	}
}

// untilSentinel collects batches up to the one holding the sentinel file,
// written last, so that anything reported for earlier changes is seen.
func untilSentinel(t *testing.T, w *Watcher, root string) []string {
	t.Helper()
	const sentinel = "zz_sentinel.go"
	write(t, root, sentinel)
	var all []string
	for !slices.Contains(all, sentinel) {
		all = append(all, next(t, w)...)
	}
	slices.Sort(all)
	return slices.Compact(slices.DeleteFunc(all, func(p string) bool { return p == sentinel }))
}

func TestBatches(t *testing.T) {
	tests := []struct {
		name   string
		before []string // files that exist before watching starts
		change func(t *testing.T, root string)
		want   []string
	}{
		{
			name:   "one save",
			before: []string{"hello/handler.go"},
			change: func(t *testing.T, root string) { write(t, root, "hello/handler.go") },
			want:   []string{"hello/handler.go"},
		},
		{
			name:   "a burst of saves is one batch",
			before: []string{"hello/handler.go", "shared/logging/logging.go"},
			change: func(t *testing.T, root string) {
				for range 5 {
					write(t, root, "hello/handler.go")
					write(t, root, "shared/logging/logging.go")
					write(t, root, "go.work.sum")
				}
			},
			want: []string{"go.work.sum", "hello/handler.go", "shared/logging/logging.go"},
		},
		{
			name:   "an editor's temp files and atomic rename",
			before: []string{"hello/handler.go"},
			change: func(t *testing.T, root string) {
				write(t, root, "hello/4913")
				_ = os.Remove(filepath.Join(root, "hello/4913"))
				write(t, root, "hello/.handler.go.swp")
				write(t, root, "hello/handler.go~")
				write(t, root, "hello/.#handler.go")
				write(t, root, "hello/handler.go.tmp")
				if err := os.Rename(filepath.Join(root, "hello/handler.go.tmp"), filepath.Join(root, "hello/handler.go")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"hello/handler.go"},
		},
		{
			name:   "build output, dependencies and version control are left out",
			before: []string{".offline/bin/hello/x", "node_modules/osls/x", ".git/x", "bin/x"},
			change: func(t *testing.T, root string) {
				write(t, root, ".offline/bin/hello/bootstrap")
				write(t, root, ".serverless/cloudformation-template-update-stack.json")
				write(t, root, "node_modules/osls/index.go")
				write(t, root, "bin/hello.zip")
				write(t, root, ".git/index")
			},
			want: nil,
		},
		{
			name:   "a new directory is watched and its files reported",
			before: []string{"go.work"},
			change: func(t *testing.T, root string) {
				write(t, root, "newfn/sub/main.go")
				write(t, root, "newfn/handler.go")
			},
			want: []string{"newfn/handler.go", "newfn/sub/main.go"},
		},
		{
			name:   "removal",
			before: []string{"hello/old.go"},
			change: func(t *testing.T, root string) {
				if err := os.Remove(filepath.Join(root, "hello/old.go")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"hello/old.go"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.before {
				write(t, root, f)
			}
			w := start(t, root)
			tt.change(t, root)
			if got := untilSentinel(t, w, root); !slices.Equal(got, tt.want) {
				t.Errorf("changes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewDirectoryIsWatched(t *testing.T) {
	root := t.TempDir()
	w := start(t, root)
	write(t, root, "newfn/handler.go")
	if got := next(t, w); !slices.Equal(got, []string{"newfn/handler.go"}) {
		t.Fatalf("first batch = %q", got)
	}
	write(t, root, "newfn/handler.go")
	if got := next(t, w); !slices.Equal(got, []string{"newfn/handler.go"}) {
		t.Errorf("a save in the new directory = %q, want it reported", got)
	}
}

func TestChangesWhileBusyBecomeOneMoreBatch(t *testing.T) {
	root := t.TempDir()
	w := start(t, root)
	write(t, root, "a.go")
	if got := next(t, w); !slices.Equal(got, []string{"a.go"}) {
		t.Fatalf("first batch = %q", got)
	}
	// The receiver is busy (building): nothing reads Batches meanwhile.
	write(t, root, "b.go")
	write(t, root, "c.go")
	write(t, root, "b.go")
	if got := next(t, w); !slices.Equal(got, []string{"b.go", "c.go"}) {
		t.Errorf("batch after the busy spell = %q, want [b.go c.go]", got)
	}
	if got := untilSentinel(t, w, root); len(got) != 0 {
		t.Errorf("after that batch, more came: %q", got)
	}
}

func TestCloseEndsBatches(t *testing.T) {
	w, err := New(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-w.Batches(); ok {
		t.Error("Batches still open after Close")
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRenamedDirectoryIsWatched: a directory renamed within the tree (mv
// hello greet, a git checkout) is watched under its new name, as are the
// directories under it, and one moved out of the tree is no longer
// reported at all.
func TestRenamedDirectoryIsWatched(t *testing.T) {
	tests := []struct {
		name, to, edit string
		want           []string
	}{
		{"a file in the renamed directory", "greet", "greet/handler.go", []string{"greet/handler.go"}},
		{"a file in a directory under it", "greet", "greet/sub/util.go", []string{"greet/sub/util.go"}},
		{"a directory moved out of the tree", "../elsewhere", "../elsewhere/sub/util.go", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root")
			write(t, root, "hello/handler.go")
			write(t, root, "hello/sub/util.go")
			w := start(t, root)
			if err := os.Rename(filepath.Join(root, "hello"), filepath.Join(root, tt.to)); err != nil {
				t.Fatal(err)
			}
			untilSentinel(t, w, root) // the rename itself
			write(t, root, tt.edit)
			if got := untilSentinel(t, w, root); !slices.Equal(got, tt.want) {
				t.Errorf("after the rename, a save of %s = %q, want %q", tt.edit, got, tt.want)
			}
		})
	}
}
