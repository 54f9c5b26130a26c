// Package service reads what the gateway serves: the template the project's
// `serverless package` writes for a serverless.yml, with the Lambda zips
// packaging needs built first, or a CloudFormation template given as it is.
package service

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"wsapi/offline/internal/artifact"
	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/slspackage"
)

// BuildCommand is what builds the host bootstraps of a packaged service,
// named when one is missing.
const BuildCommand = "make offline-build"

// Service is what a template deploys, placed: under which name and in
// which region.
type Service struct {
	*cloudformation.Service
	Name, Region string
}

// Source says where the service comes from.
type Source struct {
	Config     string // serverless.yml, packaged unless Template is set
	PackageDir string // where `serverless package` writes
	Template   string // a template served as it is
	Bootstraps map[string]string
	Bin        string // <Bin>/<fn>/bootstrap of each packaged function
	Stage      string
	Region     string   // "" leaves it to the config or template
	Params     []string // key=value, each a --param of `serverless package`
	// Endpoint is the gateway's own address, what the API's Fn::GetAtt
	// ApiEndpoint resolves to.
	Endpoint string
	// Built is told of each Lambda zip built because packaging needed it.
	Built func(fn string)
}

// Load reads what to serve, the framework's lines going to framework. It
// is the step a reload repeats, with build to make the bootstraps
// packaging names that are not there yet (a function just added); nil
// leaves them to BuildCommand.
func (s Source) Load(ctx context.Context, framework io.Writer, build func(ctx context.Context, bootstraps map[string]string)) (*Service, error) {
	opts := cloudformation.Options{AccountID: lambdaruntime.AccountID, Stage: s.Stage, APIEndpoint: s.Endpoint, Region: s.Region}
	if s.Template != "" {
		opts.StackName = strings.TrimSuffix(filepath.Base(s.Template), filepath.Ext(s.Template))
		opts.Bootstraps = s.Bootstraps
		opts.RequireRoute = true
		opts.BuildCommand = "go build, for this machine, and name it with -bootstrap LogicalId=path"
		svc, err := cloudformation.LoadFile(s.Template, opts)
		if err != nil {
			return nil, err
		}
		return &Service{Service: svc, Name: svc.APIName, Region: svc.Region}, nil
	}
	built := s.Built
	if built == nil {
		built = func(string) {}
	}
	if err := artifact.BuildMissing(ctx, s.Config, built); err != nil {
		return nil, err
	}
	state, err := slspackage.Package(ctx, slspackage.Options{
		Config: s.Config, Stage: s.Stage, Region: s.Region, Dir: s.PackageDir, Params: s.Params,
		Output: framework,
	})
	if err != nil {
		return nil, err
	}
	opts.Region, opts.StackName = state.Region, state.StackName()
	opts.Bootstraps = state.Bootstraps(s.Bin)
	if build != nil {
		build(ctx, opts.Bootstraps)
	}
	opts.BuildCommand = BuildCommand
	svc, err := cloudformation.LoadFile(filepath.Join(state.Dir, slspackage.Template), opts)
	if err != nil {
		return nil, err
	}
	return &Service{Service: svc, Name: state.Service, Region: state.Region}, nil
}

// LoadTemplate is Load's template alone, what a reload deploys.
func (s Source) LoadTemplate(ctx context.Context, framework io.Writer, build func(ctx context.Context, bootstraps map[string]string)) (*cloudformation.Service, error) {
	svc, err := s.Load(ctx, framework, build)
	if err != nil {
		return nil, err
	}
	return svc.Service, nil
}
