package reload

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"time"

	"wsapi/offline/internal/changeset"
	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/project"
)

// Stack is where a reload deploys: a whole changed template, or one
// function's new bootstrap.
type Stack interface {
	Apply(ctx context.Context, old, new *cloudformation.Service) (changeset.ChangeSet, error)
	Deploy(ctx context.Context, key, executable string) error
	Functions() []string
}

// Console prints tagged lines.
type Console interface {
	Printf(tag, format string, args ...any)
	Print(tag string, text []byte)
}

// Load packages the config again, the framework's lines going to
// framework, build making the bootstraps it names that are missing.
type Load func(ctx context.Context, framework io.Writer, build func(ctx context.Context, bootstraps map[string]cloudformation.Bootstrap)) (*cloudformation.Service, error)

// Live is what serves now, which a reload changes in place: the service
// packaged from Config and deployed on Stack.
type Live struct {
	Config string // serverless.yml
	Bin    string // where host bootstraps are
	Stack  Stack
	Load   Load
	Out    Console
	// FromTemplate is set when a template given as it is (-template)
	// serves, not the one Config packages to.
	FromTemplate bool
	// Framework is what the framework printed when it last packaged.
	Framework []string
	// Service is what was deployed last, whole. Only the reload's
	// goroutine uses it and Framework once watching starts.
	Service *cloudformation.Service
}

// Start deploys svc from nothing: the first deploy, through the same Stack
// that every reload deploys through.
func (l *Live) Start(ctx context.Context, svc *cloudformation.Service) error {
	if _, err := l.Stack.Apply(ctx, nil, svc); err != nil {
		return err
	}
	l.Service = svc
	return nil
}

// Watch rebuilds a function's bootstrap when its code changes and serves
// the config again when it changes, one console line per reload. Serving
// a template given as it is, it says why it does not watch and returns.
func (l *Live) Watch(ctx context.Context) error {
	if l.FromTemplate {
		// Which code builds which bootstrap is known only of the functions
		// serverless.yml declares.
		l.Out.Printf("reload", "not watching: with -template, rebuild the bootstraps and start again to serve new code or a new template")
		return nil
	}
	bin, err := filepath.Abs(l.Bin)
	if err != nil {
		return err
	}
	l.Bin = bin
	return Watch(ctx, Options{
		Root: filepath.Dir(l.Config), Bin: bin, Template: filepath.Base(l.Config), Functions: l.watched(),
		Deploy:          l.Stack.Deploy,
		TemplateChanged: l.reloadTemplate,
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
func (l *Live) reloadTemplate(ctx context.Context) map[string]hostbuild.Function {
	start := time.Now()
	name := filepath.Base(l.Config)
	var said []string
	svc, err := l.Load(ctx, writerFunc(func(p []byte) { said = append(said, string(p)) }), l.buildMissing)
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

// buildMissing builds the bootstraps packaging names that are not there
// yet: those of functions just added to the config.
func (l *Live) buildMissing(ctx context.Context, bootstraps map[string]cloudformation.Bootstrap) {
	keys := make([]string, 0, len(bootstraps))
	for _, b := range bootstraps {
		keys = append(keys, b.Key)
	}
	project.BuildMissingBootstraps(ctx, filepath.Dir(l.Config), l.Bin, keys, func(err error) {
		if ctx.Err() == nil {
			l.Out.Printf("reload", "%v", err)
		}
	})
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) {
	f(p)
	return len(p), nil
}
