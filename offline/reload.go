package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"time"

	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/reload"
	"wsapi/offline/internal/stack"
)

// live is what serves now, which a reload changes in place.
type live struct {
	o     options
	out   *console
	base  string
	stack *stack.Stack
	bin   string // o.bin, absolute
	// Only the reload's goroutine uses these once watching starts.
	svc *service
	// framework is what the framework printed when it last packaged.
	framework []string
}

// watch rebuilds a function's bootstrap when its code changes and serves
// the -config file again when it changes, one console line per reload.
func (l *live) watch(ctx context.Context) error {
	if l.o.template != "" {
		// Which code builds which bootstrap is known only of the functions
		// serverless.yml declares.
		l.out.printf("reload", "not watching: with -template, rebuild the bootstraps and start again to serve new code or a new template")
		return nil
	}
	bin, err := filepath.Abs(l.o.bin)
	if err != nil {
		return err
	}
	l.bin = bin
	return reload.Watch(ctx, reload.Options{
		Root: filepath.Dir(l.o.config), Bin: bin, Template: filepath.Base(l.o.config), Functions: l.watched(),
		Deploy:          l.stack.Deploy,
		TemplateChanged: l.reloadTemplate,
		Log:             writerFunc(func(p []byte) { l.out.write("reload", p) }),
	})
}

// watched are the functions deployed, as the Makefile builds them: each
// from the directory named for its key.
func (l *live) watched() map[string]hostbuild.Function {
	fns := map[string]hostbuild.Function{}
	for _, key := range l.stack.Functions() {
		fns[key] = hostbuild.Function{Key: key, Dir: key}
	}
	return fns
}

// reloadTemplate packages the -config file again and deploys what
// changed. A service that no longer packages leaves the last good one
// serving; a change that cannot be deployed whole is tried again at the
// next save.
func (l *live) reloadTemplate(ctx context.Context) map[string]hostbuild.Function {
	start := time.Now()
	name := filepath.Base(l.o.config)
	var said []string
	svc, err := load(ctx, l.o, writerFunc(func(p []byte) { said = append(said, string(p)) }), l.base, l.buildMissing)
	// The framework says much the same each time (its banner, a warning
	// not yet acted on): only what it did not say last time is news.
	for _, line := range said {
		if !slices.Contains(l.framework, line) {
			l.out.write("serverless", []byte(line))
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			l.out.printf("reload", "%s: %v: the last good template still serves", name, err)
		}
		return nil
	}
	l.framework = said
	cs, err := l.stack.Apply(ctx, l.svc.Service, svc.Service)
	for _, w := range cs.Warnings {
		l.out.printf("warning", "%s", w)
	}
	if err != nil {
		// What was deployed before the failure stays; the next save deploys
		// the rest, against the last template deployed whole.
		l.out.printf("reload", "%s: %s: not all deployed: %v: save it again to retry", name, cs, err)
		return nil
	}
	l.svc = svc
	l.out.printf("reload", "%s: %s (%.1f s)", name, cs, time.Since(start).Seconds())
	return l.watched()
}

// buildMissing builds the bootstraps packaging names that are not there
// yet: those of functions just added to the config, each from the
// directory named for it, as the Makefile builds them.
func (l *live) buildMissing(ctx context.Context, bootstraps map[string]string) {
	root := filepath.Dir(l.o.config)
	var fns []hostbuild.Function
	for _, exe := range bootstraps {
		if _, err := os.Stat(exe); err == nil {
			continue
		}
		key := filepath.Base(filepath.Dir(exe))
		if info, err := os.Stat(filepath.Join(root, key)); err == nil && info.IsDir() {
			fns = append(fns, hostbuild.Function{Key: key, Dir: key})
		}
	}
	for _, r := range (&hostbuild.Builder{Root: root, Bin: l.bin}).Build(ctx, fns) {
		if r.Err != nil && ctx.Err() == nil {
			l.out.printf("reload", "%v", r.Err)
		}
	}
}
