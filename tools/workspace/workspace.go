// Package workspace holds the workspace's layout rule and its one Lambda
// build. A function named fn has its Go module in <root>/fn and ships as
// <root>/bin/fn.zip (serverless.yml's `package.artifact: bin/fn.zip`), a
// zip holding one executable, bootstrap, built for Lambda (linux/arm64)
// into <root>/bin/arm64/fn. `make build`, the Serverless plugin (for
// package, deploy and deploy function) and the offline gateway all build
// through Build.
package workspace

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"wsapi/tools/lambdazip/bootstrapzip"
)

// bin is where, below the root, the zips are written.
const bin = "bin"

// Artifact is fn's zip, relative to the root.
func Artifact(fn string) string { return bin + "/" + fn + ".zip" }

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

// BuildError is a build that did not compile: Output is the go command's,
// with each file:line relative to the root.
type BuildError struct {
	Functions []string
	Output    string
	Err       error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("build %s for Lambda: %v\n%s", strings.Join(e.Functions, ", "), e.Err, e.Output)
}

func (e *BuildError) Unwrap() error { return e.Err }

// Built is one zip Build wrote.
type Built struct {
	Function string
	Zip      string // relative to the root
	Bytes    int64
}

// Build builds each function's bootstrap for Lambda and packs it into its
// zip, byte for byte the same for the same source (-trimpath, a fixed zip
// header), so that the framework skips an unchanged function. One go
// command builds them all: it shares their dependencies' compilation and
// leaves an up-to-date executable as it is. Nothing is zipped unless every
// function compiled.
func Build(ctx context.Context, root string, fns []string) ([]Built, error) {
	if len(fns) == 0 {
		return nil, nil
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	for _, fn := range fns {
		if !validName(fn) {
			return nil, fmt.Errorf("%q is not a function name of this workspace", fn)
		}
		if _, err := os.Stat(filepath.Join(root, fn, "go.mod")); err != nil {
			return nil, fmt.Errorf("function %s: its module %s/ is missing (%w)", fn, fn, err)
		}
	}
	exeDir := filepath.Join(root, bin, "arm64")
	if err := os.MkdirAll(exeDir, 0o755); err != nil {
		return nil, err
	}
	// grpcnotrace drops grpc's unused tracing (grpc comes with the X-Ray SDK
	// and with OTLP's generated gRPC service): 0.3 MB a zip. lambda.norpc
	// leaves out the go1.x runtime's RPC server.
	args := []string{"build", "-tags", "lambda.norpc,grpcnotrace", "-trimpath", "-ldflags", "-s -w", "-o", exeDir + string(filepath.Separator)}
	for _, fn := range fns {
		args = append(args, "./"+fn)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, &BuildError{Functions: fns, Output: strings.TrimRight(out.String(), "\n"), Err: err}
	}
	built := make([]Built, 0, len(fns))
	for _, fn := range fns {
		exe := filepath.Join(exeDir, fn)
		if _, err := os.Stat(exe); err != nil {
			return built, fmt.Errorf("function %s: go build wrote no %s: its module path must end in /%s (%w)", fn, filepath.Join(bin, "arm64", fn), fn, err)
		}
		zip := filepath.Join(root, filepath.FromSlash(Artifact(fn)))
		if err := bootstrapzip.Write(zip, exe); err != nil {
			return built, fmt.Errorf("function %s: %w", fn, err)
		}
		st, err := os.Stat(zip)
		if err != nil {
			return built, err
		}
		built = append(built, Built{Function: fn, Zip: Artifact(fn), Bytes: st.Size()})
	}
	return built, nil
}

// Report prints one line per zip, as `make build` and the plugin show it.
func Report(w io.Writer, built []Built, took time.Duration) {
	for _, b := range built {
		fmt.Fprintf(w, "%-24s %5.1f MB\n", b.Zip, float64(b.Bytes)/1e6)
	}
	fmt.Fprintf(w, "built %d for Lambda (linux/arm64) in %.1f s\n", len(built), took.Seconds())
}
