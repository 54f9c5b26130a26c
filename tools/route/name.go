package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrRefused is the cause of every name Check turns down.
var ErrRefused = errors.New("refused")

// validName is what one word may be at once: a route key, a Go module path
// element (wsapi/<name>), a directory and a function whose logical ids the
// framework derives by capitalising the first letter. 32 characters keep the
// Lambda function's name (<service>-<stage>-<name>) under its limit of 64.
var validName = regexp.MustCompile(`^[a-z][a-z0-9]{0,31}$`)

// reserved are names the workspace uses for itself, whether or not they
// exist yet in this checkout.
var reserved = []string{"bin", "docs", "e2e", "examples", "node_modules", "offline", "shared", "tools", "workspace"}

// Check refuses a name that cannot become a new route of the workspace at root.
func Check(root, name string) error {
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("route %q: %s: %w", name, fmt.Sprintf(format, args...), ErrRefused)
	}
	if strings.HasPrefix(name, "$") {
		return refuse("routes starting with $ are API Gateway's own ($connect, $disconnect, $default)")
	}
	if !validName.MatchString(name) {
		return refuse("use 1 to 32 lowercase letters and digits, starting with a letter (it names the route key, the Go module wsapi/%s, its directory and its function)", name)
	}
	if slices.Contains(reserved, name) {
		return refuse("%s is a directory of the workspace itself", name)
	}
	for _, dir := range []string{name, filepath.Join("tools", name)} {
		if _, err := os.Lstat(filepath.Join(root, dir)); err == nil {
			return refuse("%s already exists", dir)
		}
	}
	functions, routes, err := declared(filepath.Join(root, "serverless.yml"))
	if err != nil {
		return err
	}
	if slices.Contains(functions, name) {
		return refuse("serverless.yml already declares a function %s", name)
	}
	if slices.Contains(routes, name) {
		return refuse("serverless.yml already declares the route %s", name)
	}
	return nil
}

// declared reads the function names and websocket route keys of serverless.yml.
func declared(path string) (functions, routes []string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var doc struct {
		Functions map[string]struct {
			Events []struct {
				Websocket struct {
					Route string `yaml:"route"`
				} `yaml:"websocket"`
			} `yaml:"events"`
		} `yaml:"functions"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	for fn, f := range doc.Functions {
		functions = append(functions, fn)
		for _, e := range f.Events {
			if e.Websocket.Route != "" {
				routes = append(routes, e.Websocket.Route)
			}
		}
	}
	return functions, routes, nil
}
