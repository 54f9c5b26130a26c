// Package artifact builds the Lambda zips `serverless package` needs before
// it runs: a function just added to serverless.yml has no bin/<fn>.zip yet,
// and packaging refuses a missing artifact.
//
// It reads serverless.yml as plain YAML, functions.*.package.artifact only,
// to know which zips to build, and builds them as the Serverless plugin
// does (wsapi/tools/workspace); what is served still comes from the
// template the framework writes.
package artifact

import (
	"context"
	"os"
	"path/filepath"

	"wsapi/tools/workspace"
)

// Functions returns the functions the config packages as bin/<fn>.zip,
// sorted (workspace.Functions): other artifacts are not built here.
func Functions(config string) ([]string, error) { return workspace.Functions(config) }

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
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(workspace.Artifact(fn)))); os.IsNotExist(err) {
			missing = append(missing, fn)
		}
	}
	return missing, nil
}

// BuildMissing builds the zips of Missing, in one build (workspace.Build),
// reporting each one built.
func BuildMissing(ctx context.Context, config string, built func(fn string)) error {
	missing, err := Missing(config)
	if err != nil {
		return err
	}
	zips, err := workspace.Build(ctx, filepath.Dir(config), missing)
	for _, z := range zips {
		built(z.Function)
	}
	return err
}
