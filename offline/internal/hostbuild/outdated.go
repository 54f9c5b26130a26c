package hostbuild

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Outdated reports whether a change to the files changed (relative to the
// root, slash-separated) may have changed the graph, so that only then
// Refresh lists it again: a module file; a Go file the last listing did
// not see, in a package it did not know or new to a known one; a Go file
// gone, with imports that do not parse, with an import its package did not
// have, or with an embed directive. An edit to a function's body leaves the
// graph as it is: listing it again would only take the CPU from the new
// code's first start.
func (g *Graph) Outdated(changed []string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.ContainsFunc(changed, g.outdatedBy)
}

func (g *Graph) outdatedBy(file string) bool {
	dir, base := path.Split(file)
	dir = path.Clean(dir)
	switch {
	case base == "go.mod" || base == "go.sum" || base == "go.work" || base == "go.work.sum":
		return true
	case path.Ext(base) != ".go" || strings.HasSuffix(base, "_test.go"):
		return false // not part of any bootstrap's build
	}
	imports, embeds, err := importsOf(filepath.Join(g.root, filepath.FromSlash(file)))
	if err != nil || embeds {
		return true
	}
	known := false
	for _, d := range g.deps {
		src, ok := d.packages[dir]
		if !ok {
			continue
		}
		known = true
		if !src.files[base] {
			return true
		}
		for _, imp := range imports {
			if !src.imports[imp] {
				return true
			}
		}
	}
	return !known
}

// importsOf returns the import paths of a Go file, and whether it embeds
// files: its embed patterns could match files the listing did not see.
func importsOf(file string) (imports []string, embeds bool, err error) {
	code, err := os.ReadFile(file)
	if err != nil {
		return nil, false, err
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, code, parser.ImportsOnly)
	if err != nil {
		return nil, false, err
	}
	for _, spec := range f.Imports {
		imp, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, false, err
		}
		imports = append(imports, imp)
	}
	return imports, bytes.Contains(code, []byte("//go:embed")), nil
}
