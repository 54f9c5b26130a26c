package service

import (
	"context"
	"path/filepath"

	"wsapi/offline/internal/artifact"
	"wsapi/offline/internal/hostbuild"
)

// BuildBootstraps builds, for this machine, the bootstrap of every function
// config declares into <bin>/<fn>/bootstrap, each from the directory named
// for it. The go command's cache makes an unchanged one cheap: this is how
// a stale bootstrap is caught at start, before the watch takes over.
func BuildBootstraps(ctx context.Context, config, bin string) ([]hostbuild.Result, error) {
	keys, err := artifact.Functions(config)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	fns := make([]hostbuild.Function, len(keys))
	for n, key := range keys {
		fns[n] = hostbuild.Function{Key: key, Dir: key}
	}
	return (&hostbuild.Builder{Root: filepath.Dir(config), Bin: abs}).Build(ctx, fns), nil
}
