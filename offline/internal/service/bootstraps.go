package service

import (
	"context"
	"fmt"
	"path/filepath"

	"wsapi/offline/internal/artifact"
	"wsapi/offline/internal/hostbuild"
)

// BuildBootstraps builds, for this machine, the bootstrap of every function
// config declares into <bin>/<fn>/bootstrap, each from the directory named
// for it. It runs before any function starts, so it builds in place and the
// go command leaves an up-to-date bootstrap as it is: this is how a stale
// one is caught at start, before the watch takes over. Each build that
// fails goes to failed, with the compiler's errors.
func BuildBootstraps(ctx context.Context, config, bin string, failed func(error)) error {
	keys, err := artifact.Functions(config)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	fns := make([]hostbuild.Function, len(keys))
	for n, key := range keys {
		fns[n] = hostbuild.Function{Key: key, Dir: key}
	}
	n := 0
	for _, r := range (&hostbuild.Builder{Root: filepath.Dir(config), Bin: abs, InPlace: true}).Build(ctx, fns) {
		if r.Err != nil {
			n++
			failed(r.Err)
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d bootstraps did not build", n, len(fns))
	}
	return nil
}
