package reload

import (
	"context"
	"path/filepath"
	"slices"
	"time"

	"wsapi/offline/internal/changeset"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/project"
)

// Stack is where a reload deploys: a whole changed template, or one
// function's new bootstrap.
type Stack interface {
	Apply(ctx context.Context, old, new *deploy.Service) (changeset.ChangeSet, error)
	Deploy(ctx context.Context, key, executable string) error
	Functions() []string
}

// Console prints tagged lines.
type Console interface {
	Printf(tag, format string, args ...any)
	Print(tag string, text []byte)
}

// Live is what serves now, which a reload changes in place: the service
// Source loaded, deployed on Stack.
type Live struct {
	Source project.Source
	Stack  Stack
	Out    Console
	// Framework is what the framework printed when it last packaged.
	Framework []string
	// Service is what was deployed last, whole. Only the reload's
	// goroutine uses it and Framework once watching starts.
	Service *deploy.Service
}

// Start deploys svc from nothing: the first deploy, through the same Stack
// that every reload deploys through.
func (l *Live) Start(ctx context.Context, svc *deploy.Service) error {
	if _, err := l.Stack.Apply(ctx, nil, svc); err != nil {
		return err
	}
	l.Service = svc
	return nil
}

// Watch rebuilds a function's bootstrap when its code changes and serves
// serverless.yml again when it changes, one console line per reload.
// Serving a template given as it is, it says why it does not watch and
// returns.
func (l *Live) Watch(ctx context.Context) error {
	src, ok := l.Source.(*project.Serverless)
	if !ok {
		// Which code builds which bootstrap is known only of the functions
		// serverless.yml declares.
		l.Out.Printf("reload", "not watching: with -template, rebuild the bootstraps and start again to serve new code or a new template")
		return nil
	}
	bin, err := filepath.Abs(src.Bin)
	if err != nil {
		return err
	}
	return Watch(ctx, Options{
		Root: filepath.Dir(src.Config), Bin: bin, Template: filepath.Base(src.Config), Functions: l.watched(),
		Deploy:          l.Stack.Deploy,
		TemplateChanged: func(ctx context.Context) map[string]hostbuild.Function { return l.reloadTemplate(ctx, src) },
		Log:             writerFunc(func(p []byte) { l.Out.Print("reload", p) }),
	})
}

// watched are the functions deployed, each built from its source as the
// workspace lays it out.
func (l *Live) watched() map[string]hostbuild.Function {
	fns := map[string]hostbuild.Function{}
	for _, key := range l.Stack.Functions() {
		fns[key] = project.Function(key)
	}
	return fns
}

// reloadTemplate packages the config again and deploys what changed. A
// service that no longer packages leaves the last good one serving; a
// change that cannot be deployed whole is tried again at the next save.
func (l *Live) reloadTemplate(ctx context.Context, src *project.Serverless) map[string]hostbuild.Function {
	start := time.Now()
	name := filepath.Base(src.Config)
	var said []string
	svc, err := src.Reload(ctx, writerFunc(func(p []byte) { said = append(said, string(p)) }), func(err error) {
		if ctx.Err() == nil {
			l.Out.Printf("reload", "%v", err)
		}
	})
	// The framework says much the same each time (its banner, a warning
	// not yet acted on): only what it did not say last time is news.
	for _, line := range said {
		if !slices.Contains(l.Framework, line) {
			l.Out.Print("serverless", []byte(line))
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			l.Out.Printf("reload", "%s: %v: the last good template still serves", name, err)
		}
		return nil
	}
	l.Framework = said
	cs, err := l.Stack.Apply(ctx, l.Service, svc)
	for _, w := range cs.Warnings {
		l.Out.Printf("warning", "%s", w)
	}
	if err != nil {
		// What was deployed before the failure stays; the next save deploys
		// the rest, against the last template deployed whole.
		l.Out.Printf("reload", "%s: %s: not all deployed: %v: save it again to retry", name, cs, err)
		return nil
	}
	l.Service = svc
	l.Out.Printf("reload", "%s: %s (%.1f s)", name, cs, time.Since(start).Seconds())
	return l.watched()
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) {
	f(p)
	return len(p), nil
}
