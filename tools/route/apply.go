package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"wsapi/workspace"
)

// Apply writes p under root all at once, as far as a file system allows:
// everything is first written beside its destination, then renamed into
// place; if a step fails, the files already replaced get their old contents
// back and nothing new is left behind.
func (p Plan) Apply(root string) error {
	return p.apply(root, os.Rename)
}

func (p Plan) apply(root string, rename func(from, to string) error) (err error) {
	var cleanup []string
	defer func() {
		for _, path := range cleanup {
			_ = os.RemoveAll(path)
		}
	}()

	staged, err := os.MkdirTemp(root, "."+p.Name+".route-")
	if err != nil {
		return err
	}
	cleanup = append(cleanup, staged)
	if err := os.Chmod(staged, 0o755); err != nil {
		return err
	}
	for name, data := range p.Module {
		if err := os.WriteFile(filepath.Join(staged, name), data, 0o644); err != nil {
			return err
		}
	}

	type edit struct{ path, tmp string }
	old := map[string][]byte{}
	var edits []edit
	for _, rel := range slices.Sorted(maps.Keys(p.Edits)) {
		path := filepath.Join(root, rel)
		before, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		old[path] = before
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		tmp := path + ".route-tmp"
		if err := os.WriteFile(tmp, p.Edits[rel], info.Mode().Perm()); err != nil {
			return err
		}
		cleanup = append(cleanup, tmp)
		edits = append(edits, edit{path, tmp})
	}

	var done []string
	defer func() {
		if err == nil {
			return
		}
		for _, path := range done {
			if rerr := os.WriteFile(path, old[path], 0o644); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restore %s: %w", path, rerr))
			}
		}
	}()
	for _, e := range edits {
		if err := rename(e.tmp, e.path); err != nil {
			return fmt.Errorf("write %s: %w", e.path, err)
		}
		done = append(done, e.path)
	}
	if err := rename(staged, filepath.Join(root, workspace.Source(p.Name))); err != nil {
		return fmt.Errorf("create %s/: %w", p.Name, err)
	}
	return nil
}
