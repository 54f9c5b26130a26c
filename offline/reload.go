package main

import (
	"context"
	"path/filepath"

	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/reload"
)

// watchCode rebuilds a function's bootstrap when its code changes and puts
// it in service, one console line per reload.
func watchCode(ctx context.Context, o options, rt *lambdaruntime.Runtime, deployed map[string]lambdaruntime.Function, out *console) error {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	fns := make(map[string]hostbuild.Function, len(deployed))
	for key := range deployed {
		// As the Makefile builds them: each function from the directory
		// named for its key.
		fns[key] = hostbuild.Function{Key: key, Dir: key}
	}
	return reload.Watch(ctx, reload.Options{
		Root: filepath.Dir(o.config), Bin: bin, Functions: fns,
		Deploy: func(ctx context.Context, key, executable string) error {
			fn := deployed[key]
			fn.Executable = executable
			return rt.Replace(ctx, fn)
		},
		TemplateChanged: func(context.Context) {
			out.printf("reload", "serverless.yml changed: only code reloads for now, restart make offline to serve it")
		},
		Log: writerFunc(func(p []byte) { out.write("reload", p) }),
	})
}
