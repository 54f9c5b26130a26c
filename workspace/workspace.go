// Package workspace owns the workspace's layout rule and its one Lambda
// build. A function named fn has its Go module in <root>/fn and ships as
// <root>/bin/fn.zip (serverless.yml's `package.artifact: bin/fn.zip`), a
// zip holding one executable, bootstrap, built for Lambda (linux/arm64)
// into <root>/bin/arm64/fn; the offline gateway runs the same source built
// for this machine as <bin>/fn/bootstrap, and names the function fn in its
// output and logs. `make build`, the Serverless plugin (for package, deploy
// and deploy function), the offline gateway and the end-to-end tests all
// ask this package, and nothing else spells the rule out.
//
// It is a module of its own, depending on nothing of the application, so
// that the tools that deploy the application and the offline gateway that
// serves it share the rule without depending on each other.
package workspace

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"gopkg.in/yaml.v3"
)

// bin is where, below the root, the zips are written.
const bin = "bin"

// Artifact is fn's zip, relative to the root.
func Artifact(fn string) string { return bin + "/" + fn + ".zip" }

// Source is the directory of fn's Go module, relative to the root.
func Source(fn string) string { return fn }

// HostBootstrap is where fn's bootstrap built for this machine goes under
// bin, the offline gateway's -bin.
func HostBootstrap(bin, fn string) string { return filepath.Join(bin, fn, "bootstrap") }

// CheckModule reports whether dir, relative to root, holds the Go module of
// the function fn as the rule has it: a module path ending in /fn. A build that links
// several functions with one go command (go build -o dir/) gets each
// executable named after the last element of its path; checking the path
// before the build, rather than looking for the executable after it, keeps
// one that an earlier build left under fn's name from being taken for this
// build's.
func CheckModule(root, dir, fn string) error {
	data, err := os.ReadFile(filepath.Join(root, dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("function %s: its module %s/ is missing (%w)", fn, filepath.ToSlash(dir), err)
	}
	mod := modfile.ModulePath(data)
	if mod == "" {
		return fmt.Errorf("function %s: %s/go.mod names no module path", fn, filepath.ToSlash(dir))
	}
	if path.Base(mod) != fn {
		return fmt.Errorf("function %s: its module path %s must end in /%s, the name the go command gives its executable", fn, mod, fn)
	}
	return nil
}

// FunctionOf is the function whose zip the artifact path names: hello for
// bin/hello.zip. An artifact outside the rule is an error saying so.
func FunctionOf(artifact string) (string, error) {
	a := filepath.ToSlash(filepath.Clean(artifact))
	dir, file := pathSplit(a)
	fn := strings.TrimSuffix(file, ".zip")
	if dir != bin || fn == file || !validName(fn) {
		return "", fmt.Errorf("artifact %q is not bin/<function>.zip: this workspace builds only its own functions, each from the module <function>/", artifact)
	}
	return fn, nil
}

func pathSplit(p string) (dir, file string) {
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// validName keeps a function name to what is also a directory and a Go
// package path element here.
func validName(fn string) bool {
	if fn == "" || fn == "arm64" {
		return false
	}
	for _, r := range fn {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Functions returns, sorted, the functions the service's serverless.yml
// packages by the rule (`package.artifact: bin/<fn>.zip`). Functions with
// another artifact, or none, are not this workspace's to build.
func Functions(config string) ([]string, error) {
	data, err := os.ReadFile(config)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", config, err)
	}
	var doc struct {
		Functions map[string]struct {
			Package struct {
				Artifact string `yaml:"artifact"`
			} `yaml:"package"`
		} `yaml:"functions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read %s: %w", config, err)
	}
	var fns []string
	for _, f := range doc.Functions {
		if fn, err := FunctionOf(f.Package.Artifact); err == nil {
			fns = append(fns, fn)
		}
	}
	slices.Sort(fns)
	return fns, nil
}
