package project

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/slspackage"
)

// A Source is where the template served comes from, chosen once at the
// start: the project's serverless.yml, packaged by the framework
// (*Serverless), or a CloudFormation template given as it is (*Template).
type Source interface {
	// Load reads the template to serve, the framework's lines, if any,
	// going to framework.
	Load(ctx context.Context, framework io.Writer) (*deploy.Service, error)
}

// Placement is where a source's stack is deployed, as a deployment places
// it: the stage, the region ("" leaves it to the source) and the gateway's
// own address, what the API's Fn::GetAtt ApiEndpoint resolves to.
type Placement struct {
	Stage, Region, Endpoint string
}

func (p Placement) options() deploy.Options {
	return deploy.Options{Stage: p.Stage,
		Options: cloudformation.Options{AccountID: lambdaruntime.AccountID, Region: p.Region, APIEndpoint: p.Endpoint}}
}

// Serverless is serverless.yml, packaged by the project's pinned
// `serverless package`, its functions built from the workspace: the one
// source a reload can serve again, since serverless.yml says which code
// builds which function.
type Serverless struct {
	Placement
	Config     string   // serverless.yml
	PackageDir string   // where `serverless package` writes
	Params     []string // key=value, each a --param of `serverless package`
	Bin        string   // where each function's bootstrap is built for this machine
	// Build builds every function's bootstrap while the first packaging
	// runs (-build), telling BuildReport how it goes; that any failed goes
	// to Failed.
	Build       bool
	BuildReport BuildReport
	Failed      func(error)
}

// BuildCommand is what builds the host bootstraps of a packaged service,
// named when one is missing.
const BuildCommand = "make offline-build"

// Load packages serverless.yml and reads the template it wrote, building
// every bootstrap meanwhile with Build (packaging needs none of them, as
// the framework is told not to build); a bootstrap missing then is warned
// about, naming BuildCommand.
func (s *Serverless) Load(ctx context.Context, framework io.Writer) (*deploy.Service, error) {
	if !s.Build {
		return s.load(ctx, framework, func(context.Context, map[string]cloudformation.Bootstrap) {})
	}
	// A packaging that fails stops the build too: nothing is left running.
	ctx, cancel := context.WithCancel(ctx)
	built := make(chan struct{})
	defer func() {
		cancel()
		<-built
	}()
	go func() {
		defer close(built)
		if err := BuildBootstraps(ctx, s.Config, s.Bin, s.BuildReport); err != nil && ctx.Err() == nil {
			s.failed(err)
		}
	}()
	// The template is read once the bootstraps it names are there.
	return s.load(ctx, framework, func(context.Context, map[string]cloudformation.Bootstrap) { <-built })
}

// Reload packages serverless.yml again and reads the template, building
// first the bootstraps it names that are not there yet, those of functions
// just added; each that does not build goes to failed.
func (s *Serverless) Reload(ctx context.Context, framework io.Writer, failed func(error)) (*deploy.Service, error) {
	return s.load(ctx, framework, func(ctx context.Context, bootstraps map[string]cloudformation.Bootstrap) {
		keys := make([]string, 0, len(bootstraps))
		for _, b := range bootstraps {
			keys = append(keys, b.Key)
		}
		BuildMissingBootstraps(ctx, filepath.Dir(s.Config), s.Bin, keys, failed)
	})
}

func (s *Serverless) load(ctx context.Context, framework io.Writer, build func(context.Context, map[string]cloudformation.Bootstrap)) (*deploy.Service, error) {
	state, err := slspackage.Package(ctx, slspackage.Options{
		Config: s.Config, Stage: s.Stage, Region: s.Region, Dir: s.PackageDir, Params: s.Params,
		Output: framework,
	})
	if err != nil {
		return nil, err
	}
	opts := s.options()
	opts.Region, opts.StackName, opts.Name = state.Region, state.StackName(), state.Service
	opts.Bootstraps = Bootstraps(state.Functions(), s.Bin)
	opts.BuildCommand = BuildCommand
	build(ctx, opts.Bootstraps)
	return deploy.LoadFile(filepath.Join(state.Dir, slspackage.Template), opts)
}

func (s *Serverless) failed(err error) {
	if s.Failed != nil {
		s.Failed(err)
	}
}

// Template is a CloudFormation template given as it is (-template), as CDK
// or SAM wrote it, with its functions' bootstraps built by hand: nothing
// here builds them, so a template that would serve no route is refused.
type Template struct {
	Placement
	Path string
	// Bootstraps maps a function's logical id or FunctionName to its
	// bootstrap built for this machine (-bootstrap LogicalId=path).
	Bootstraps map[string]string
}

// Load reads the template, naming each function by its bootstrap's
// directory, as the workspace's layout names a function's, and warning
// about each bootstrap given for no function of the template.
func (t *Template) Load(context.Context, io.Writer) (*deploy.Service, error) {
	opts := t.options()
	opts.StackName = strings.TrimSuffix(filepath.Base(t.Path), filepath.Ext(t.Path))
	opts.Bootstraps = make(map[string]cloudformation.Bootstrap, len(t.Bootstraps))
	for id, path := range t.Bootstraps {
		opts.Bootstraps[id] = cloudformation.Bootstrap{Key: filepath.Base(filepath.Dir(path)), Path: path}
	}
	opts.BuildCommand = "go build, for this machine, and name it with -bootstrap LogicalId=path"
	svc, err := deploy.LoadFile(t.Path, opts)
	if err != nil {
		return nil, err
	}
	svc.Warnings = append(svc.Warnings, svc.UnmatchedBootstraps(opts.Bootstraps)...)
	if err := deploy.NothingServed(svc); err != nil {
		return nil, fmt.Errorf("%s: %w", t.Path, err)
	}
	return svc, nil
}
