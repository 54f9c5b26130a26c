// Package watch reports what changes in a source tree, for rebuilding what
// depends on it. It watches every directory with fsnotify (which watches one
// directory at a time, so directories are added as they appear), leaves out
// what no build reads (editor temp files, build output, installed
// dependencies, version control), and gathers a burst of changes (an editor
// saving several files, git checkout, go mod tidy) into one batch, sent once
// the tree has been quiet for a moment. Changes made while the receiver is
// busy with a batch become exactly one more batch.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultQuiet is how long the tree must stay unchanged before a batch is
// sent: longer than the gaps within an editor's save or a git checkout,
// short enough not to be felt.
const DefaultQuiet = 100 * time.Millisecond

// Options tunes a Watcher.
type Options struct {
	Quiet time.Duration // DefaultQuiet when 0
	// OnError receives what the watching reports, e.g. fsnotify's queue
	// overflow, when changes may have been missed. Nil ignores them.
	OnError func(error)
}

// Watcher watches a directory tree. Its Batches are the paths that changed
// (created, written, removed or renamed), relative to the root, with forward
// slashes, sorted and each listed once.
type Watcher struct {
	root    string
	opts    Options
	fs      *fsnotify.Watcher
	batches chan []string
	done    chan struct{}
	stopped chan struct{}
}

// New watches the tree under root.
func New(root string, opts Options) (*Watcher, error) {
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultQuiet
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	w := &Watcher{root: root, opts: opts, fs: fw, batches: make(chan []string),
		done: make(chan struct{}), stopped: make(chan struct{})}
	if _, err := w.addTree(root); err != nil {
		_ = fw.Close()
		return nil, err
	}
	go w.loop()
	return w, nil
}

// Batches delivers the changes, one batch per burst. It is closed by Close.
func (w *Watcher) Batches() <-chan []string { return w.batches }

// Close stops watching.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	err := w.fs.Close()
	<-w.stopped
	return err
}

func (w *Watcher) loop() {
	defer close(w.stopped)
	defer close(w.batches)
	pending := make(map[string]struct{})
	quiet := time.NewTimer(w.opts.Quiet)
	quiet.Stop()
	defer quiet.Stop()
	var batch []string
	var out chan<- []string // w.batches while a quiet batch waits for the receiver
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if !w.note(ev, pending) {
				continue
			}
			out = nil // the burst goes on: wait for quiet again
			quiet.Reset(w.opts.Quiet)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if w.opts.OnError != nil {
				w.opts.OnError(fmt.Errorf("watch %s: %w", w.root, err))
			}
		case <-quiet.C:
			if len(pending) > 0 {
				batch = slices.Sorted(maps.Keys(pending))
				out = w.batches
			}
		case out <- batch:
			clear(pending)
			batch, out = nil, nil
		}
	}
}

// note adds what ev changed to pending and reports whether it added
// anything. A new directory is watched, and what it already holds is
// reported too: it was written before its watch existed.
func (w *Watcher) note(ev fsnotify.Event, pending map[string]struct{}) bool {
	if ev.Op == fsnotify.Chmod {
		return false // go build reads contents, not modes
	}
	rel, ok := w.relative(ev.Name)
	if !ok || ignored(rel, false) {
		return false
	}
	if ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove) {
		w.unwatch(ev.Name)
	}
	added := false
	if ev.Has(fsnotify.Create) {
		if info, err := os.Lstat(ev.Name); err == nil && info.IsDir() {
			if ignored(rel, true) {
				return false
			}
			files, err := w.addTree(ev.Name)
			if err != nil && w.opts.OnError != nil {
				w.opts.OnError(err)
			}
			for _, f := range files {
				pending[f] = struct{}{}
				added = true
			}
			return added
		}
	}
	pending[rel] = struct{}{}
	return true
}

// addTree watches dir and every directory under it that is not ignored, and
// returns the files it holds.
func (w *Watcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone again already, as temp directories go
			}
			return err
		}
		rel, ok := w.relative(path)
		if !ok {
			return nil
		}
		if ignored(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			files = append(files, rel)
			return nil
		}
		if err := w.fs.Add(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watch %s: %w", path, err)
		}
		return nil
	})
	return files, err
}

// unwatch drops the watches of path and of every directory under it, once
// path is gone from where it was. A directory renamed keeps its inotify
// watches, and fsnotify goes on naming their events by the old path (or
// drops the renamed directory's own watch when it sees the move): without
// this, the new name, reported as created, would get no watch of its own.
func (w *Watcher) unwatch(path string) {
	for _, p := range w.fs.WatchList() {
		if p == path || strings.HasPrefix(p, path+string(filepath.Separator)) {
			_ = w.fs.Remove(p) // fsnotify may have dropped it already
		}
	}
}

func (w *Watcher) relative(path string) (string, bool) {
	rel, err := filepath.Rel(w.root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// Directories no build reads: the offline gateway's and the framework's
// output, the deployment zips, npm's packages and version control. Any
// other hidden directory (.idea, .vscode, .cache) is left out too.
var (
	ignoredRootDirs = []string{".offline", ".serverless", "bin"}
	ignoredDirs     = []string{"node_modules"}
)

// ignored reports whether rel (slash-separated, relative to the root) is
// left out: inside an ignored directory, or an editor's temp or backup file.
func ignored(rel string, isDir bool) bool {
	if rel == "." {
		return false
	}
	parts := strings.Split(rel, "/")
	if slices.Contains(ignoredRootDirs, parts[0]) && (len(parts) > 1 || isDir) {
		return true
	}
	dirs := parts[:len(parts)-1]
	if isDir {
		dirs = parts
	}
	for _, d := range dirs {
		if strings.HasPrefix(d, ".") || slices.Contains(ignoredDirs, d) {
			return true
		}
	}
	if isDir {
		return false
	}
	return editorTemp(parts[len(parts)-1])
}

// editorTemp reports whether name is a file an editor writes on the way to
// saving another: vim's swap files and its 4913 probe, backups, Emacs lock
// and auto-save files, JetBrains' safe-write copies and other *.tmp files.
func editorTemp(name string) bool {
	switch {
	case name == "4913", name == ".DS_Store":
		return true
	case strings.HasPrefix(name, ".#"), strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"):
		return true
	case strings.HasSuffix(name, "~"):
		return true
	case strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
		return true
	}
	switch filepath.Ext(name) {
	case ".swp", ".swo", ".swx", ".tmp", ".bak":
		return true
	}
	return false
}
