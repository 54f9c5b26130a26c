// Package artifact builds the Lambda zips `serverless package` needs before
// it runs: a function just added to serverless.yml has no bin/<fn>.zip yet,
// and packaging refuses a missing artifact.
//
// It reads serverless.yml as plain YAML, functions.*.package.artifact only,
// to know which zips to build; what is served still comes from the template
// the framework writes.
package artifact

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"wsapi/tools/lambdazip/bootstrapzip"
)

// Functions returns the function directories the config's artifacts name,
// one per `package.artifact: bin/<fn>.zip`, sorted. Other artifacts are
// not built here and are left out.
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
		a := filepath.ToSlash(filepath.Clean(f.Package.Artifact))
		dir, file := filepath.Split(a)
		if dir != "bin/" || !strings.HasSuffix(file, ".zip") || file == ".zip" {
			continue
		}
		fns = append(fns, strings.TrimSuffix(file, ".zip"))
	}
	sort.Strings(fns)
	return fns, nil
}

// Missing returns the functions of Functions whose bin/<fn>.zip, beside
// the config, does not exist.
func Missing(config string) ([]string, error) {
	fns, err := Functions(config)
	if err != nil {
		return nil, err
	}
	root := filepath.Dir(config)
	var missing []string
	for _, fn := range fns {
		if _, err := os.Stat(filepath.Join(root, "bin", fn+".zip")); os.IsNotExist(err) {
			missing = append(missing, fn)
		}
	}
	return missing, nil
}

// Build builds fn's arm64 bootstrap from the directory <root>/<fn> into
// <root>/bin/<fn>/bootstrap and packs it into <root>/bin/<fn>.zip, as
// `make build` does.
func Build(ctx context.Context, root, fn string) error {
	// Absolute: go build resolves -o from its own directory, <root>/<fn>,
	// so a relative root would build into <root>/<fn>/bin and zip whatever
	// stale bootstrap <root>/bin held.
	root, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("build bin/%s.zip: %w", fn, err)
	}
	exe := filepath.Join(root, "bin", fn, "bootstrap")
	// grpcnotrace drops grpc's unused tracing (pulled in by the X-Ray SDK).
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc,grpcnotrace", "-trimpath", "-ldflags", "-s -w", "-o", exe, ".")
	cmd.Dir = filepath.Join(root, fn)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build bin/%s.zip: %w\n%s", fn, err, strings.TrimRight(out.String(), "\n"))
	}
	if err := bootstrapzip.Write(filepath.Join(root, "bin", fn+".zip"), exe); err != nil {
		return fmt.Errorf("build bin/%s.zip: %w", fn, err)
	}
	return nil
}

// BuildMissing builds the zips of Missing, reporting each one built.
func BuildMissing(ctx context.Context, config string, built func(fn string)) error {
	missing, err := Missing(config)
	if err != nil {
		return err
	}
	for _, fn := range missing {
		if err := Build(ctx, filepath.Dir(config), fn); err != nil {
			return err
		}
		built(fn)
	}
	return nil
}
