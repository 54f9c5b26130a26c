package workspace

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"wsapi/workspace/bootstrapzip"
)

// Tags and LDFlags are every bootstrap's build, for Lambda and for this
// machine alike. grpcnotrace drops grpc's unused tracing (grpc comes with
// the X-Ray SDK and with OTLP's generated gRPC service): 0.3 MB a zip.
// lambda.norpc leaves out aws-lambda-go's unused RPC mode. Without the symbol table and DWARF the zip is smaller, linking
// is most of what a one-file change saves on the gateway's rebuild, and a
// panic's stack trace does not need them.
const (
	Tags    = "lambda.norpc,grpcnotrace"
	LDFlags = "-s -w"
)

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
		if err := CheckModule(root, Source(fn), fn); err != nil {
			return nil, err
		}
	}
	exeDir := filepath.Join(root, bin, "arm64")
	if err := os.MkdirAll(exeDir, 0o755); err != nil {
		return nil, err
	}
	args := []string{"build", "-tags", Tags, "-trimpath", "-ldflags", LDFlags, "-o", exeDir + string(filepath.Separator)}
	for _, fn := range fns {
		args = append(args, "./"+Source(fn))
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
