// Package project is the workspace the gateway serves from a
// serverless.yml: which functions it declares, where each one's source and
// bootstrap built for this machine are, and building the bootstraps that
// are missing. The layout rule is the workspace's own (wsapi/workspace); this
// package is the one place in the gateway that asks it.
package project

import (
	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/slspackage"
	"wsapi/workspace"
)

// Functions returns the functions the config packages by the layout rule,
// sorted: other artifacts are not the workspace's to build.
func Functions(config string) ([]string, error) { return workspace.Functions(config) }

// Function is how fn's bootstrap is built for this machine: from its
// module's directory, relative to the workspace root.
func Function(fn string) hostbuild.Function {
	return hostbuild.Function{Key: fn, Dir: workspace.Source(fn)}
}

// Bootstraps maps each function the framework packaged, by its deployed
// name, to its bootstrap built for this machine under bin. The artifact
// names the function (bin/<fn>.zip); a function packaged otherwise, which
// the workspace does not build, is looked for under its key.
func Bootstraps(functions []slspackage.Function, bin string) map[string]cloudformation.Bootstrap {
	out := make(map[string]cloudformation.Bootstrap, len(functions))
	for _, f := range functions {
		fn, err := workspace.FunctionOf(f.Artifact)
		if err != nil {
			fn = f.Key
		}
		out[f.Name] = cloudformation.Bootstrap{Key: fn, Path: workspace.HostBootstrap(bin, fn)}
	}
	return out
}
