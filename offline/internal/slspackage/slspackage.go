// Package slspackage lets the Serverless Framework do its own work: it runs
// the project's pinned CLI's `serverless package` and reads, from what that
// wrote, the service, its stage and region, and each function's deployed
// name and artifact. The template itself is read by package
// cloudformation, as any other.
package slspackage

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Template is the file, in the package directory, that `serverless deploy`
// hands to CloudFormation.
const Template = "cloudformation-template-update-stack.json"

// Options say which service to package, for which stage and region, and
// where to write it.
type Options struct {
	Config string // the service's serverless.yml; its directory holds node_modules
	Stage  string
	Region string // "" leaves it to serverless.yml
	Dir    string // the package directory, --package
	// Params are key=value, each a --param: what serverless.yml's
	// ${param:key} reads, such as tracing=otel.
	Params []string
	// Output gets the framework's own lines (its warnings, its errors), one
	// Write each.
	Output io.Writer
}

// ErrNoCLI means the project's pinned Serverless CLI is not installed.
var ErrNoCLI = errors.New("the pinned Serverless CLI is not installed: run npm ci (make offline does)")

// Package runs the project's own `serverless package` (what `npx
// --no-install serverless` runs, without npm's start-up: a second on every
// start and every reload) and returns the service as it packaged it. A
// service that does not package is an error after the framework's own
// message has gone to Output.
func Package(ctx context.Context, o Options) (*State, error) {
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("package directory: %w", err)
	}
	project, err := filepath.Abs(filepath.Dir(o.Config))
	if err != nil {
		return nil, fmt.Errorf("project directory: %w", err)
	}
	cli := filepath.Join(project, "node_modules", ".bin", "serverless")
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("%w (%s: %w)", ErrNoCLI, cli, err)
	}
	// The gateway runs bootstraps it builds for this machine, and builds a
	// missing zip itself before this runs: the project's plugin need not
	// build for Lambda on every start and reload.
	args := []string{"package", "--stage", o.Stage, "--package", dir, "--param", "build=off"}
	for _, p := range o.Params {
		args = append(args, "--param", p)
	}
	if o.Region != "" {
		args = append(args, "--region", o.Region)
	}
	if base := filepath.Base(o.Config); base != "serverless.yml" {
		args = append(args, "--config", base)
	}
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Dir = project
	// No color codes in the gateway's output, and no network calls the
	// package step does not need.
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0", "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if line := strings.TrimRight(sc.Text(), " \r"); line != "" && o.Output != nil {
				_, _ = o.Output.Write([]byte(line + "\n"))
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err = cmd.Run()
	pw.Close()
	<-copied
	if err != nil {
		return nil, fmt.Errorf("serverless package --stage %s: %w", o.Stage, err)
	}
	return ReadState(dir)
}

// State is what the gateway needs of serverless-state.json.
type State struct {
	Dir     string // the package directory
	Service string
	Region  string
	Stage   string
	// functions by key, with their deployed name and artifact.
	functions map[string]stateFunction
}

type stateFunction struct {
	Name    string `json:"name"`
	Package struct {
		Artifact string `json:"artifact"`
	} `json:"package"`
}

// ReadState reads serverless-state.json in a package directory.
func ReadState(dir string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(dir, "serverless-state.json"))
	if err != nil {
		return nil, fmt.Errorf("serverless state: %w", err)
	}
	var raw struct {
		Service struct {
			Service  string `json:"service"`
			Provider struct {
				Region string `json:"region"`
				Stage  string `json:"stage"`
			} `json:"provider"`
			Functions map[string]stateFunction `json:"functions"`
		} `json:"service"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("serverless state: %w", err)
	}
	return &State{Dir: dir, Service: raw.Service.Service, Region: raw.Service.Provider.Region,
		Stage: raw.Service.Provider.Stage, functions: raw.Service.Functions}, nil
}

// StackName is the CloudFormation stack `serverless deploy` makes.
func (s *State) StackName() string { return s.Service + "-" + s.Stage }

// Function is one function of the service as the framework packaged it.
type Function struct {
	Key      string // its key under functions: in serverless.yml
	Name     string // its deployed name
	Artifact string // package.artifact, "" when the framework zipped it
}

// Functions are the service's functions, sorted by key.
func (s *State) Functions() []Function {
	out := make([]Function, 0, len(s.functions))
	for _, key := range slices.Sorted(maps.Keys(s.functions)) {
		f := s.functions[key]
		out = append(out, Function{Key: key, Name: f.Name, Artifact: f.Package.Artifact})
	}
	return out
}
