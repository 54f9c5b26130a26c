package project

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"wsapi/offline/internal/hostbuild"
	"wsapi/workspace"
)

// BuildReport is told how a build of every bootstrap goes, as it goes.
type BuildReport interface {
	// Started comes before the go command runs.
	Started(functions int, bin string)
	Progress(hostbuild.Progress)
	// Built comes for each function once its build ended (for all of them
	// together when the one go command that builds them succeeds), with
	// the compiler's errors when it failed.
	Built(hostbuild.Result)
	// Finished comes last, with ctx's error when the build was stopped.
	Finished(stopped error)
}

// BuildBootstraps builds, for this machine, the bootstrap of every function
// config declares into bin (-build, -build-only): this is how a stale one
// is caught at start, before the watch takes over. With nothing changed it
// costs one go command that finds every function up to date.
func BuildBootstraps(ctx context.Context, config, bin string, report BuildReport) error {
	keys, err := Functions(config)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	fns := make([]hostbuild.Function, len(keys))
	for n, key := range keys {
		fns[n] = Function(key)
	}
	report.Started(len(fns), bin)
	b := &hostbuild.Builder{Root: filepath.Dir(config), Bin: abs, Progress: report.Progress, Built: report.Built}
	results := b.Build(ctx, fns)
	report.Finished(ctx.Err())
	if err := ctx.Err(); err != nil {
		return err
	}
	n := 0
	for _, r := range results {
		if r.Err != nil {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%d of %d bootstraps did not build", n, len(fns))
	}
	return nil
}

// BuildMissingBootstraps builds, into bin, the bootstraps of the functions
// given whose bootstrap is not there yet and whose source is: functions
// just added to the config. Each build that fails goes to failed.
func BuildMissingBootstraps(ctx context.Context, root, bin string, fns []string, failed func(error)) {
	bin, err := filepath.Abs(bin)
	if err != nil {
		failed(err)
		return
	}
	var missing []hostbuild.Function
	for _, key := range fns {
		fn := Function(key)
		if _, err := os.Stat(workspace.HostBootstrap(bin, key)); err == nil {
			continue
		}
		if info, err := os.Stat(filepath.Join(root, fn.Dir)); err == nil && info.IsDir() {
			missing = append(missing, fn)
		}
	}
	for _, r := range (&hostbuild.Builder{Root: root, Bin: bin}).Build(ctx, missing) {
		if r.Err != nil {
			failed(r.Err)
		}
	}
}
