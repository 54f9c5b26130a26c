package project

import (
	"context"
	"os"
	"path/filepath"

	"wsapi/workspace"
)

// The Lambda zips `serverless package` needs before it runs: a function
// just added to serverless.yml has no bin/<fn>.zip yet, and packaging
// refuses a missing artifact. They are built as the Serverless plugin
// builds them (workspace.Build); what is served still comes from the
// template the framework writes.

// MissingZips returns the functions of Functions whose zip, beside the
// config, does not exist.
func MissingZips(config string) ([]string, error) {
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

// BuildMissingZips builds the zips of MissingZips, in one build, reporting
// each one built.
func BuildMissingZips(ctx context.Context, config string, built func(fn string)) error {
	missing, err := MissingZips(config)
	if err != nil {
		return err
	}
	zips, err := workspace.Build(ctx, filepath.Dir(config), missing)
	for _, z := range zips {
		built(z.Function)
	}
	return err
}
